"""The command line: parsing and printing only. The work happens in the modules it calls.

Shell completion (bash, zsh, fish) comes from click:
``eval "$(_BUGHUNT_COMPLETE=bash_source bughunt)"`` in ~/.bashrc.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import sys
from pathlib import Path
from typing import Any, Callable

import click
from rich.text import Text

from bughunt import __version__, ui
from bughunt.errors import BadInput, InternalError, interrupted
from bughunt.workspace import DEFAULT_DIR, exercise_files, locate, on_notice

EXIT_OK, EXIT_BUGS, EXIT_BAD_INPUT = 0, 1, 2


def _one_line_errors(command: Callable[..., int]) -> Callable[..., None]:
    """Bad input -> one line on stderr and exit 2; never a traceback (BUGHUNT_DEBUG=1 shows it)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except BadInput as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except InternalError as exc:
            click.echo(f"internal error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except BrokenPipeError:  # `bughunt topics | head`: the reader left; so do we
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except OSError as exc:  # a folder that cannot be written, a file that cannot be read
            if exc.filename is None or os.environ.get("BUGHUNT_DEBUG"):
                raise
            click.echo(f"error: {exc.filename}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug in bughunt: still one line, and exit 2
            if interrupted(exc):
                click.echo("interrupted", err=True)
                sys.exit(130)
            if os.environ.get("BUGHUNT_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        sys.exit(code or EXIT_OK)

    return wrapper


def _usage_error(exc: click.UsageError) -> None:
    """click's usage errors in bughunt's own style: ``error: ...`` on one line, exit 2."""
    message = exc.format_message().strip()
    message = re.sub(r"\.? \(?Did you mean (.*?)\??\)?$", r" (did you mean \1?)", message).rstrip(".")
    where = " ".join(["bughunt", *(exc.ctx.command_path.split()[1:] if exc.ctx is not None else [])])
    click.echo(f"error: {message[:1].lower() + message[1:]}; see `{where} --help`", err=True)
    raise click.exceptions.Exit(EXIT_BAD_INPUT)


class _Bughunt(click.Group):
    """The command group; its usage errors (unknown option, bad value, unknown command) read like
    the commands' own errors."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            _usage_error(exc)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            _usage_error(exc)
            raise


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2))


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
workspace_option = click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), default=None,
                                help=f"The workspace folder (default: the one you are in, looking upward as git "
                                     f"does, else ./{DEFAULT_DIR}).")
# default None: grading.DEFAULT_TIMEOUT, kept there alone (importing grading here would slow every command)
timeout_option = click.option("--timeout", type=click.FloatRange(min=1), default=None,
                              help="Seconds one run of a program may take (default: 60).")
programs_option = click.option("--programs", "programs_dir", type=click.Path(path_type=Path), default=None,
                               help="A folder of your own programs, a topic per sub-folder (see README, The program "
                                    "contract).")


def _user_programs(programs_dir: Path | None) -> Any:
    """The folder of the user's programs given with --programs, or None."""
    if programs_dir is None:
        return None
    from bughunt.programs import folder

    return folder(programs_dir)


def _builtin_topics() -> Any:
    from bughunt.clean_programs import TOPICS

    return TOPICS


cluster_option = click.option("--cluster", default=None, metavar="ADDRESS",
                               help="Run the jobs on a Dask cluster: its scheduler's address (tcp://host:8786).")


@click.group(cls=_Bughunt)
@click.version_option(__version__, prog_name="bughunt")
def main() -> None:
    """Practise PyTorch debugging: generate buggy programs, fix them, verify by behaviour.

    \b
    bughunt generate --topic training --n 5   # exercises in ./bughunt-workspace
    bughunt watch                              # fix them; each save is checked
    bughunt verify                             # which ones are fixed
    """
    on_notice(lambda line: click.echo(f"note: {line}", err=True))


@main.command()
@click.option("--canonical", is_flag=True, help="Only the guide's ten canonical bugs.")
@json_option
@_one_line_errors
def catalog(canonical: bool, as_json: bool) -> int:
    """List the bug classes by family; the guide's ten canonical ones are marked with *.

    \b
    Examples:
      bughunt catalog --canonical
      bughunt catalog --json
    """
    from bughunt.bug_catalog import FAMILIES, all_classes

    bugs = sorted(all_classes(), key=lambda b: FAMILIES.index(b.family))  # stable: by id within a family
    if canonical:
        bugs = [b for b in bugs if b.canonical]
    if as_json:
        _json([{"id": b.id, "family": b.family, "title": b.title, "symptom": b.symptom, "why": b.why,
                "fix": b.fix, "guide": b.guide, "canonical": b.canonical} for b in bugs])
        return EXIT_OK
    out = ui.console()
    ui.table(out, ["family", "", "class", "title"],
             [(b.family if i == 0 or bugs[i - 1].family != b.family else "", "*" if b.canonical else "",
               Text(b.id, style="bold" if b.canonical else ""), b.title) for i, b in enumerate(bugs)])
    ten = sum(b.canonical for b in bugs)
    out.print(f"\n{len(bugs)} bug classes, {ten} of them canonical (*). Details: bughunt catalog --json")
    return EXIT_OK


@main.command()
@programs_option
@json_option
@_one_line_errors
def topics(programs_dir: Path | None, as_json: bool) -> int:
    """List the topics and their clean programs (with --programs, yours after them).

    \b
    Example:
      bughunt topics
      bughunt topics --programs course/
    """
    from functools import partial

    from bughunt.programs import programs_of, topics as all_topics

    user = _user_programs(programs_dir)
    TOPICS, programs_of = all_topics(user), partial(programs_of, user=user)

    if as_json:
        _json([{"id": t.id, "title": t.title, "guide": t.guide, "level": t.level,
                "programs": [{"id": p.id, "title": p.title} for p in programs_of(t.id)]} for t in TOPICS])
        return EXIT_OK
    out = ui.console()
    rows = []
    for topic in TOPICS:
        for i, program in enumerate(programs_of(topic.id)):
            first = i == 0
            level = str(topic.level) if topic.level else "yours"  # a user's topic has no guide level
            rows.append((Text(topic.id, style="bold") if first else "", level if first else "",
                         program.id, program.title))
    ui.table(out, ["topic", "level", "program", "what it shows"], rows)
    return EXIT_OK


@main.command()
@click.option("--topic", default=None, help="Topic id (see `bughunt topics`).")
@click.option("--level", type=click.IntRange(1, 4), default=None, help="Every topic of this guide level instead.")
@click.option("--n", "n", default=5, show_default=True, type=int, help="How many exercises.")
@click.option("--seed", type=int, default=None, help="Same seed, same exercises. Default: a random one, printed.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Workspace folder (created if needed; existing exercises are kept). Default: the workspace "
                   f"you are in, else ./{DEFAULT_DIR}.")
@click.option("--program", "program_id", default=None, help="Only this program.")
@click.option("--bug", "bugs", multiple=True, help="Only these bug classes (repeatable; see `bughunt catalog`).")
@click.option("--bugs", "count", type=click.IntRange(1, 5), default=None,
              help="Bugs per exercise, of different classes (default: 1; --level 3 and 4: 2 and 3).")
@click.option("--plain", is_flag=True, help="No camouflage: keep the clean program's own text around the bugs.")
@click.option("--force", is_flag=True, help="Reuse names from 01, replacing files; edited ones are kept as .bak.")
@programs_option
@click.option("--format", "form", type=click.Choice(["py", "ipynb"]), default="py", show_default=True,
              help="Write each exercise as a Python file or as a Jupyter notebook (needs bughunt[notebook]).")
@timeout_option
@json_option
@_one_line_errors
def generate(topic: str | None, level: int | None, n: int, seed: int | None, out: Path | None, program_id: str | None,
             bugs: tuple[str, ...], count: int | None, plain: bool, force: bool, programs_dir: Path | None,
             form: str, timeout: float | None, as_json: bool) -> int:
    """Write buggy exercises into a workspace.

    \b
    Examples:
      bughunt generate --topic training --n 5 --seed 7
      bughunt generate --level 2 --n 3
      bughunt generate --topic models --bug wrong-cat-dim --bug inplace-relu
      bughunt generate --topic intermediate --bugs 3
      bughunt generate --programs course/ --n 10     # from your own programs
    """
    from bughunt.detector.forkserver import prestart

    prestart()  # torch imports in the fork server while the rest of bughunt imports here
    from rich.progress import Progress

    from bughunt.generation import LEVEL_BUGS, generate as run, select_programs

    seed = random.randrange(1_000_000) if seed is None else seed
    count = count or (LEVEL_BUGS[level] if level else 1)
    out = locate(out)
    programs = select_programs(topic, level, program_id, _user_programs(programs_dir))
    err = ui.console(stderr=True)
    done: list[Any] = []
    with Progress(console=err, transient=True, disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("generating", total=n)
        try:
            written = run(programs, n, seed, out, classes=bugs, bugs=count, force=force, plain=plain, timeout=timeout,
                          on_written=lambda g: (done.append(g), bar.advance(task)), notebook=form == "ipynb")
        except KeyboardInterrupt:
            bar.stop()
            click.echo(f"interrupted: the {len(done)} exercise{'' if len(done) == 1 else 's'} written so far "
                       f"are kept in {out}/", err=True)
            return 130
    if as_json:
        _json([{"path": str(g.path), "topic": g.topic, "program": g.program} for g in written])
        return EXIT_OK
    console = ui.console()
    console.print(f"wrote {len(written)} exercise{'' if len(written) == 1 else 's'} to {out}/ (seed {seed}):")
    ui.table(console, ["exercise", "program"], [(g.path.name, g.program) for g in written])
    for g in written:
        if g.backup:
            console.print(f"kept your edited {g.path.name} as {g.backup.name}")
    where = "" if locate().resolve() == out.resolve() else f" --workspace {out}"
    console.print(f"Fix them, checking each save with: bughunt watch{where}")
    return EXIT_OK


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@workspace_option
@timeout_option
@json_option
@_one_line_errors
def verify(paths: tuple[Path, ...], workspace: Path | None, timeout: float | None, as_json: bool) -> int:
    """Check exercises by behaviour: fixed, or still buggy with the symptom.

    Exit code 0 when every exercise is fixed, 1 when one still has a bug,
    2 when a file cannot be checked (syntax error, not an exercise).

    \b
    Examples:
      bughunt verify
      bughunt verify training_03.py        # from inside the workspace, or from the folder above it
      bughunt verify bughunt-workspace     # every exercise in that folder
    """
    from bughunt.detector.forkserver import prestart

    prestart()  # torch imports in the fork server while the rest of bughunt imports here
    from rich.progress import Progress

    from bughunt.grading import verify_targets as run
    from bughunt.workspace import targets

    found = targets(paths, workspace)  # checks every path before any work starts
    count = len(found)
    out, err = ui.console(), ui.console(stderr=True)
    with Progress(console=err, transient=True, disable=as_json or count < 2 or not err.is_terminal) as bar:
        task = bar.add_task("verifying", total=count)
        results = run(found, timeout, on_result=lambda _: bar.advance(task))
    if as_json:
        _json([{"path": str(r.path), "fixed": r.verdict.fixed, "message": r.verdict.message} for r in results])
    else:
        width = max(len(r.path.name) for r in results)
        labels = max(len(ui.verdict_label(r.verdict.fixed, r.verdict.message, r.verdict.unusable)) for r in results)
        for r in results:
            out.print(ui.verdict_line(r.path.name, width, r.verdict.fixed, r.verdict.message, r.verdict.unusable,
                                      label_width=max(5, labels)))
        out.print(ui.bar(sum(r.verdict.fixed for r in results), len(results), out))
    if any(r.verdict.unusable for r in results):
        return EXIT_BAD_INPUT
    return EXIT_OK if all(r.verdict.fixed for r in results) else EXIT_BUGS


@main.command()
@workspace_option
@json_option
@_one_line_errors
def status(workspace: Path | None, as_json: bool) -> int:
    """Every exercise with its state (new, edited, fixed) and the hints used.

    \b
    Example:
      bughunt status --json
    """
    from bughunt.learner import status as run
    from bughunt.workspace import Workspace

    rows = run(Workspace.open(locate(workspace)))
    if as_json:
        _json([{"path": str(r.path), "topic": r.topic, "program": r.program, "state": r.state, "hints": r.hints,
                "message": r.message} for r in rows])
        return EXIT_OK
    _print_status(ui.console(), rows)
    return EXIT_OK


def _print_status(out: Any, rows: list[Any]) -> None:
    styles = {"fixed": "green", "edited": "yellow", "new": "", "missing": "red"}
    ui.table(out, ["exercise", "program", "state", "hints", "last verdict"],
             [(r.path.name, r.program, Text(r.state, style=styles[r.state]), str(r.hints), r.message) for r in rows])
    out.print(ui.bar(sum(r.state == "fixed" for r in rows), len(rows), out))


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.option("--all", "every", is_flag=True, help="Show every hint step at once.")
@timeout_option
@json_option
@_one_line_errors
def hint(exercise: Path, every: bool, timeout: float | None, as_json: bool) -> int:
    """The next hint for an exercise: symptom, then where to look, then the bug's explanation.

    \b
    Examples:
      bughunt hint bughunt-workspace/training_03.py
      bughunt hint bughunt-workspace/training_03.py --all
    """
    from bughunt.learner import hints

    shown, fixed = hints(exercise, every=every, timeout=timeout)
    if as_json:
        _json({"fixed": fixed, "hints": [{"step": h.step, "title": h.title, "text": h.text} for h in shown]})
        return EXIT_OK
    _print_hints(ui.console(), exercise.name, shown, fixed, f"run `bughunt hint {exercise}` again")
    return EXIT_OK


def _print_hints(out: Any, name: str, shown: list[Any], fixed: bool, again: str) -> None:
    from bughunt.learner import HINT_STEPS

    if fixed:
        out.print(f"{name} is fixed: no hint needed.")
        return
    for h in shown:
        out.print(Text(f"Hint {h.step} of {HINT_STEPS}: {h.title}", style="bold"))
        out.print(Text(h.text))
    if shown and shown[-1].step < HINT_STEPS:
        out.print(Text(f"({again} for the next step)", style="dim"))


@main.command()
@workspace_option
@click.option("--poll", is_flag=True, help="Check files every half second instead of waiting for change events.")
@timeout_option
@_one_line_errors
def watch(workspace: Path | None, poll: bool, timeout: float | None) -> int:
    """Re-verify each exercise the moment it is saved; keys for hints, the list, reset, next, quit.

    Starts at the first unfixed exercise and moves on when it is fixed. A save while a check
    runs cancels it and checks the new text. On a terminal, single keys work under the verdict:
    h the next hint, l the list, r reset the exercise (your version kept as .bak), n the next
    exercise, q quit (Ctrl-C too).

    \b
    Examples:
      bughunt watch
      bughunt watch --workspace my-ws --poll
    """
    from bughunt.grading import prestart
    from bughunt.watch import (KEYS, AllFixed, Checked, Checking, Focus, Hinted, Listed, Restored, Waiting,
                               terminal_keys, watch as run)
    from bughunt.workspace import Workspace

    prestart()
    ws = Workspace.open(locate(workspace))
    ws.targets()  # an empty workspace: one line, exit 2, before watching starts
    out = ui.console()
    menu = Text("  ".join(f"{key} {action}" for key, action in KEYS.items()), style="dim")
    transient = [False]  # a "checking ..." line waits to be replaced (terminal only)

    def show(event: Any, keys: bool) -> None:
        if transient[0]:
            out.file.write("\r\x1b[2K")
            transient[0] = False
        if isinstance(event, Focus):
            out.print(Text(f"\nnow: {event.target.path}", style="bold") + Text("  (save it to check)", style="dim"))
        elif isinstance(event, Checking):
            again = " again: a newer save came" if event.again else ""
            line = Text(f"checking {event.target.entry.file}{again} ...", style="dim")
            if out.is_terminal:
                out.print(line, end="")
                transient[0] = True
            else:
                out.print(line)
        elif isinstance(event, Checked):
            verdict = event.verdict
            out.print(ui.verdict_line(event.target.entry.file, 0, verdict.fixed, verdict.message, verdict.unusable)
                      + Text(f"  ({event.seconds:.2f} s)", style="dim"))
            out.print(ui.bar(event.fixed, event.total, out))
            if keys:
                out.print(menu)
        elif isinstance(event, AllFixed):
            out.print(Text(f"all {event.total} exercises fixed", style="bold green"))
        elif isinstance(event, Hinted):
            _print_hints(out, event.target.entry.file, event.hints, event.fixed, "press h again")
        elif isinstance(event, Listed):
            _print_status(out, event.rows)
        elif isinstance(event, Restored):
            kept = f"; your version is in {event.backup.name}" if event.backup else ""
            out.print(f"restored {event.target.entry.file}{kept}")
        elif isinstance(event, Waiting):
            out.print(Text("the hint comes after this check", style="dim"))
        out.file.flush()

    try:
        with terminal_keys() as keys:
            run(ws, lambda event: show(event, keys is not None), poll=poll, timeout=timeout, keys=keys)
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # Ctrl-C inside a library that then raised something else
        if not interrupted(exc):
            raise
    if transient[0]:
        out.file.write("\r\x1b[2K")
    out.print("stopped watching")
    return EXIT_OK


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_one_line_errors
def reset(exercise: Path, yes: bool) -> int:
    """Restore an exercise as generated; your edited version is kept as a .bak file beside it.

    \b
    Example:
      bughunt reset bughunt-workspace/training_03.py --yes
      bughunt reset training_03.py --yes     # from inside the workspace; also writes a deleted one again
    """
    from bughunt.learner import reset as run
    from bughunt.workspace import Target

    Target.of_file(exercise, missing_ok=True)  # checks the path before asking anything
    if not yes and not _confirm(f"Restore {exercise.name} as generated?"):
        click.echo("not reset", err=True)
        return EXIT_OK
    backup = run(exercise)
    click.echo(f"restored {exercise.name}" + (f"; your version is in {backup.name}" if backup else ""))
    return EXIT_OK


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_one_line_errors
def reveal(path: Path, yes: bool) -> int:
    """Print the fix as a unified diff (from the exercise as generated to its reference).

    \b
    Example:
      bughunt reveal bughunt-workspace/training_03.py --yes | patch bughunt-workspace/training_03.py
    """
    from bughunt.learner import reveal as run

    diff = run(path)  # checks the path before asking anything
    if not yes and not _confirm(f"Show the solution of {path.name}?"):
        click.echo("not revealed", err=True)
        return EXIT_OK
    click.echo(diff, nl=False)
    return EXIT_OK


@main.command()
@workspace_option
@_one_line_errors
def repair(workspace: Path | None) -> int:
    """Rebuild a lost or damaged manifest from the exercise files (their first line names the
    program and seed), add exercise files it lacks, and start an unreadable progress file afresh.
    Nothing is deleted: damaged files are kept as .bak. Commands also do this on their own when
    the manifest is gone or unreadable, with a line saying so.

    \b
    Example:
      bughunt repair
    """
    from bughunt.workspace import Workspace

    root = locate(workspace)
    if not (root / ".bughunt").is_dir() and not exercise_files(root):
        raise BadInput(f"{root} holds no bughunt exercises")
    ws = Workspace(root, {})
    done = ws.repair()
    for line in done:
        click.echo(line)
    if not done:
        click.echo(f"nothing to repair: {len(ws.entries)} exercise{'' if len(ws.entries) == 1 else 's'}, all there")
    return EXIT_OK


def _confirm(question: str) -> bool:
    try:
        return click.confirm(question, default=False, err=True)
    except click.Abort:  # no answer can come (input closed)
        raise BadInput("this command asks first; pass --yes when input is not a terminal") from None


@main.command()
@click.option("--topic", "topic_ids", multiple=True, help="Only these topics (repeatable).")
@click.option("--seeds", type=click.IntRange(1), default=200, show_default=True, help="Exercise seeds per topic.")
@click.option("--bugs", type=click.IntRange(1, 5), default=1, show_default=True, help="Bugs per exercise.")
@click.option("--check", is_flag=True, help="Also verify every distinct exercise (slow).")
@programs_option
@timeout_option
@cluster_option
@json_option
@_one_line_errors
def stats(topic_ids: tuple[str, ...], seeds: int, bugs: int, check: bool, programs_dir: Path | None,
          timeout: float | None, cluster: str | None, as_json: bool) -> int:
    """How many distinct exercises each topic gives, and after how many seeds one repeats.

    \b
    Examples:
      bughunt stats --topic training
      bughunt stats --seeds 1000 --check --json
    """
    from dataclasses import asdict

    from bughunt.programs import programs_of
    from bughunt.stats import all_stats

    from rich.progress import Progress

    user = _user_programs(programs_dir)
    for topic in topic_ids:
        programs_of(topic, user)  # unknown topic: one line, exit 2
    topics = list(topic_ids) or [t.id for t in (user.topics if user else _builtin_topics())]
    err = ui.console(stderr=True)
    with Progress(console=err, transient=True, disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("topics", total=len(topics))
        rows = all_stats(topics, seeds, bugs, check, timeout=timeout, on_topic=lambda _: bar.advance(task), user=user,
                         cluster=cluster)
    if as_json:
        _json([asdict(r) for r in rows])
        return EXIT_OK
    headers = ["topic", "seeds", "distinct", "ignoring numbers", "first repeat"]
    headers += ["caught", "fix passes"] if check else []
    ui.table(ui.console(), headers, [
        [r.topic, str(r.seeds), str(r.distinct), str(r.structural), str(r.first_repeat or "none")]
        + ([str(r.caught), str(r.passing)] if check else []) for r in rows])
    return EXIT_OK if not check or all(r.caught == r.passing == r.distinct for r in rows) else EXIT_BUGS


@main.command()
@click.option("--topic", default=None, help="Only the programs of this topic.")
@click.option("--bug", "bugs", multiple=True, help="Only the mutants of these bug classes (repeatable).")
@programs_option
@timeout_option
@cluster_option
@json_option
@_one_line_errors
def selfcheck(topic: str | None, bugs: tuple[str, ...], programs_dir: Path | None, timeout: float | None,
              cluster: str | None,
              as_json: bool) -> int:
    """Run the kill matrix: every mutant killed, every clean program passing.

    \b
    Examples:
      bughunt selfcheck
      bughunt selfcheck --topic training --json
      bughunt selfcheck --bug device-mismatch
    """
    from rich.progress import Progress

    from bughunt.bug_catalog import get_class
    from bughunt.clean_programs import PROGRAMS
    from bughunt.exercise import mutants
    from bughunt.programs import programs_of
    from bughunt.selfcheck import kill_matrix

    for bug in bugs:
        get_class(bug)
    user = _user_programs(programs_dir)  # with --programs: yours (the built-in ones have their own check)
    programs = programs_of(topic, user) if topic else (user.programs if user else PROGRAMS)
    out, err = ui.console(), ui.console(stderr=True)
    with Progress(console=err, transient=True, disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("kill matrix", total=sum(1 for p in programs for m in mutants(p) if not bugs or m.bug in bugs))
        matrix = kill_matrix(programs, timeout, on_mutant=lambda _: bar.advance(task), bugs=bugs, cluster=cluster)
    counts = matrix.counts()
    survivors = [{"program": r.program, "bug": r.mutant.bug, "site": r.mutant.site, "form": r.mutant.form,
                  "line": r.mutant.line} for r in matrix.survivors]
    alarms = [{"program": p, "message": msg} for p, msg in matrix.false_alarms]
    if as_json:
        _json({**counts, "survivors": survivors, "false_alarms": alarms})
    else:
        out.print(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
        for s in survivors:
            out.print(Text(f"SURVIVOR {s['program']} {s['bug']} line {s['line']} ({s['form']})", style="red"))
        for a in alarms:
            out.print(Text(f"FALSE ALARM {a['program']}: {a['message']}", style="red"))
    return EXIT_OK if matrix.ok else EXIT_BUGS


@main.command("check-program")
@click.argument("path", type=click.Path(path_type=Path))
@timeout_option
@json_option
@_one_line_errors
def check_program(path: Path, timeout: float | None, as_json: bool) -> int:
    """Check that your own program qualifies as a source of exercises (see README, The program contract).

    Runs the checks every built-in program passes: main() and PARAMS, runs and is deterministic,
    time per configuration, the camouflage changes nothing, every mutant of every bug class that
    applies is caught. Exit 0 when it qualifies, 1 with the reasons when not.

    \b
    Example:
      bughunt check-program course/week3/noisy_classes.py
    """
    from rich.progress import Progress

    from bughunt.grading import prestart
    from bughunt.selfcheck import qualify

    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    prestart()
    err = ui.console(stderr=True)
    with Progress(console=err, transient=True, disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("mutants", total=None)
        result = qualify(path, timeout, on_mutant=lambda _: bar.advance(task))
    program = result.program
    if as_json:
        _json({"path": result.path, "program": program.id if program else None, "qualifies": result.ok,
               "reasons": list(result.reasons), "seconds_per_configuration": result.seconds,
               "configurations": result.configurations, "witnesses": list(program.witnesses) if program else [],
               "sites": [{"bug": s.bug, "site": s.site, "line": s.line, "caught": s.caught,
                          "forms": [{"form": f, "caught": c} for f, c in s.forms]} for s in result.sites]})
        return EXIT_OK if result.ok else EXIT_BUGS
    out = ui.console()
    if program is not None:
        space = ", ".join(f"{name} {s.start}..{s.stop - 1}" if isinstance(s, range) else f"{name} {list(s)}"
                          for name, s in program.params.items())
        timing = (f"; {result.seconds:.2f} s per configuration, {result.configurations} configurations "
                  f"({len(program.witnesses)} of them witnesses)") if result.seconds is not None else ""
        out.print(f"{program.id}: {program.title}")
        out.print(f"parameters: {space}{timing}")
    if result.sites:
        label = {True: "yes", False: Text("NO", style="red"), None: "not run"}
        ui.table(out, ["bug class", "site", "line", "forms", "caught"],
                 [(s.bug, str(s.site), str(s.line), str(len(s.forms)), label[s.caught]) for s in result.sites])
    if result.ok:
        forms = sum(len(s.forms) for s in result.sites)
        out.print(f"qualifies: {len({s.bug for s in result.sites})} bug classes, {len(result.sites)} sites, "
                  f"{forms} mutants, every one caught")
        return EXIT_OK
    out.print(Text(f"{path} does not qualify:", style="red"))
    for reason in result.reasons:
        out.print(f"  - {reason}")
    return EXIT_BUGS


@main.command("grade")
@click.argument("exercise", type=click.Path(path_type=Path))
@click.argument("submissions", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the rows to this CSV file (submission, fixed, message, seconds).")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Grading processes at once (default: half the cores; each keeps two busy).")
@timeout_option
@cluster_option
@json_option
@_one_line_errors
def grade(exercise: Path, submissions: tuple[Path, ...], csv_path: Path | None, jobs: int | None,
          timeout: float | None, cluster: str | None, as_json: bool) -> int:
    """Grade many submissions of one exercise against its reference, one row each.

    Each submission is verified as `bughunt verify` would verify the exercise, in its sandbox; one
    that cannot be read, is not Python, hangs or crashes gets its row. Exit 0 when every
    submission is fixed, 1 otherwise.

    \b
    Examples:
      bughunt grade bughunt-workspace/training_01.py submissions/*.py --csv grades.csv
      bughunt grade bughunt-workspace/training_01.py submissions/ --json
    """
    from rich.progress import Progress

    from bughunt.grade import as_csv, grade as run, submissions as found
    from bughunt.grading import prestart
    from bughunt.workspace import write_atomic

    count = len(found(submissions))  # a path that does not exist: one line, exit 2, before any work
    prestart()
    err = ui.console(stderr=True)
    with Progress(console=err, transient=True, disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("grading", total=count)
        rows = run(exercise, submissions, timeout, jobs, on_graded=lambda _: bar.advance(task), cluster=cluster)
    if csv_path is not None:
        write_atomic(csv_path, as_csv(rows), overwrite=True)
    if as_json:
        _json([{"path": str(r.path), "fixed": r.fixed, "message": r.message, "seconds": round(r.seconds, 2)}
               for r in rows])
    else:
        out = ui.console()
        ui.table(out, ["submission", "verdict", "seconds", "message"],
                 [(str(r.path), Text("fixed", style="green") if r.fixed else Text("bug", style="red"),
                   f"{r.seconds:.2f}", r.message) for r in rows])
        out.print(f"{sum(r.fixed for r in rows)} of {len(rows)} fixed" + (f"; rows in {csv_path}" if csv_path else ""))
    return EXIT_OK if all(r.fixed for r in rows) else EXIT_BUGS


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--test-command", "command", default=None,
              help="The project's test command, run in a copy of the project (default: python -m pytest -q).")
@click.option("--class", "classes", multiple=True, help="Only the mutants of these bug classes (repeatable).")
@click.option("--dry-run", is_flag=True, help="List the mutants (file, line, class, diff); run nothing.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=0.0, show_default=True,
              help="Exit 1 when the mutation score (percent) is below this.")
@click.option("--timeout", type=click.FloatRange(min=1), default=None,
              help="Seconds one mutant's test run may take (default: 3x the clean run + 5, at least 10).")
@click.option("--jobs", type=click.IntRange(1), default=None, help="Mutants run at once (default: every core).")
@click.option("--no-cache", is_flag=True, help="Run every mutant again, ignoring earlier results.")
@cluster_option
@json_option
@_one_line_errors
def mutate(paths: tuple[str, ...], command: str | None, classes: tuple[str, ...], dry_run: bool,
           fail_under: float, timeout: float | None, jobs: int | None, no_cache: bool, cluster: str | None,
           as_json: bool) -> int:
    """Mutation testing for your own project: would your tests notice these bugs?

    Run from the project's root. The source is never written: each mutant is tested in a copy.

    \b
    Examples:
      bughunt mutate src/ --test-command "pytest -x -q tests/"
      bughunt mutate src/train.py --class missing-zero-grad --class device-mismatch
      bughunt mutate src/ --dry-run --json
      bughunt mutate src/ --json --fail-under 80 > report.json
    """
    from rich.progress import Progress

    from bughunt.bug_catalog import get_class
    from bughunt.mutation_testing import STATUSES, catch_text, dry_run as list_mutants, mutant_json, mutate_project

    root = Path.cwd()
    out, err = ui.console(), ui.console(stderr=True)
    if dry_run:
        found, notes = list_mutants(root, paths, classes)
        if as_json:
            _json([mutant_json(m) for m in found])
        else:
            for m in found:
                out.print(f"{m.file}:{m.line}  {m.bug}  ({m.form})")
                out.print(Text(m.diff.rstrip("\n"), style="dim"))
            out.print(f"{len(found)} mutants in {len({m.file for m in found})} files")
        for note in notes:
            click.echo(f"note: {note}", err=True)
        return EXIT_OK
    with Progress(console=err, transient=True, disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("mutants", total=None)
        report = mutate_project(root, paths, command, classes, timeout=timeout, jobs=jobs, use_cache=not no_cache,
                                cluster=cluster,
                                on_start=lambda n: bar.update(task, total=n),
                                on_mutant=lambda _: bar.advance(task))
    if as_json:
        _json(report.as_json())
    else:
        out.print(f"clean run: {report.clean_seconds:.1f} s ({report.command.replace(sys.executable, 'python')}); timeout per mutant "
                  f"{report.timeout:.0f} s; coverage {'on' if report.coverage else 'off (pip install coverage)'}; "
                  f"virtual CUDA {'on' if report.virtual_cuda else 'off'}")
        counts = report.counts()
        ui.table(out, ["class", *STATUSES], [[bug, *(str(row[s]) for s in STATUSES)] for bug, row in counts.items()])
        for note in report.notes:
            out.print(f"note: {note}")
        for outcome in report.survivors:
            m, bug = outcome.mutant, get_class(outcome.mutant.bug)
            out.print(Text(f"\nSURVIVED {m.file}:{m.line}  {m.bug}  ({m.form})", style="red"))
            out.print(f"why it happens: {bug.why}")
            out.print(f"a test that would catch it: {catch_text(bug)}")
            out.print(Text(m.diff.rstrip("\n"), style="dim"))
        detected = sum(o.status in ("killed", "timed out") for o in report.outcomes)
        counted = sum(o.status != "not testable here" for o in report.outcomes)
        out.print(f"\nscore: {report.score:.0f}% ({detected} of {counted} mutants detected; not covered counts as "
                  f"survived) in {report.seconds:.0f} s")
    return EXIT_OK if report.score >= fail_under else EXIT_BUGS
