"""The command line: parsing and printing only. The work happens in the modules it calls."""

from __future__ import annotations

import functools
import json
import os
import random
import sys
from pathlib import Path
from typing import Any, Callable

import click

from bughunt import __version__
from bughunt.errors import BadInput
from bughunt.workspace import DEFAULT_DIR

EXIT_OK, EXIT_BUGS, EXIT_BAD_INPUT = 0, 1, 2


def _one_line_errors(command: Callable[..., int]) -> Callable[..., None]:
    """Bad input -> one line on stderr and exit 2; never a traceback (BUGHUNT_DEBUG=1 shows it)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from bughunt.detector.runner import InternalError

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
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug in bughunt: still one line, and exit 2
            if os.environ.get("BUGHUNT_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        sys.exit(code or EXIT_OK)

    return wrapper


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2))


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")


@click.group()
@click.version_option(__version__, prog_name="bughunt")
def main() -> None:
    """Practise PyTorch debugging: generate buggy programs, fix them, verify by behaviour.

    \b
    bughunt generate --topic training --n 5   # exercises in ./bughunt-workspace
    bughunt verify                             # which ones are fixed
    """


@main.command()
@json_option
@_one_line_errors
def catalog(as_json: bool) -> int:
    """List the bug classes.

    \b
    Example:
      bughunt catalog --json
    """
    from bughunt.bug_catalog import all_classes

    bugs = all_classes()
    if as_json:
        _json([{"id": b.id, "title": b.title, "symptom": b.symptom, "why": b.why, "fix": b.fix,
                "guide": b.guide, "canonical": b.canonical} for b in bugs])
        return EXIT_OK
    width = max(len(b.id) for b in bugs)
    for bug in bugs:
        click.echo(f"{click.style(bug.id.ljust(width), bold=True)}  {bug.title}  [{bug.guide.split(',')[0]}]")
    canonical = sum(b.canonical for b in bugs)
    click.echo(f"\n{len(bugs)} bug classes ({canonical} canonical). Details: bughunt catalog --json")
    return EXIT_OK


@main.command()
@json_option
@_one_line_errors
def topics(as_json: bool) -> int:
    """List the topics and their clean programs.

    \b
    Example:
      bughunt topics
    """
    from bughunt.clean_programs import TOPICS, programs_of

    if as_json:
        _json([{"id": t.id, "title": t.title, "guide": t.guide, "level": t.level,
                "programs": [{"id": p.id, "title": p.title} for p in programs_of(t.id)]} for t in TOPICS])
        return EXIT_OK
    for topic in TOPICS:
        click.echo(f"{click.style(topic.id, bold=True)}  {topic.title}  (level {topic.level}, guide {topic.guide})")
        for program in programs_of(topic.id):
            click.echo(f"    {program.id:34s} {program.title}")
    return EXIT_OK


@main.command()
@click.option("--topic", required=True, help="Topic id (see `bughunt topics`).")
@click.option("--n", "n", default=5, show_default=True, type=int, help="How many exercises.")
@click.option("--seed", type=int, default=None, help="Same seed, same exercises. Default: a random one, printed.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DIR, show_default=True,
              help="Workspace folder (created if needed; existing exercises are kept).")
@click.option("--program", "program_id", default=None, help="Only this program of the topic.")
@json_option
@_one_line_errors
def generate(topic: str, n: int, seed: int | None, out: Path, program_id: str | None, as_json: bool) -> int:
    """Write buggy exercises into a workspace.

    \b
    Example:
      bughunt generate --topic training --n 5 --seed 7
    """
    from bughunt.exercise import generate as run

    seed = random.randrange(1_000_000) if seed is None else seed
    written = run(topic, n, seed, out, program_id)
    if as_json:
        _json([{"path": str(g.path), "topic": g.topic, "program": g.program} for g in written])
        return EXIT_OK
    click.echo(f"wrote {len(written)} exercises to {out}/ (seed {seed}):")
    for g in written:
        click.echo(f"    {g.path.name:22s} {g.program}")
    click.echo("Fix them, then run: bughunt verify" + ("" if out == Path(DEFAULT_DIR) else f" --workspace {out}"))
    return EXIT_OK


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DIR,
              show_default=True, help="Workspace to verify when no PATHS are given.")
@click.option("--timeout", type=click.FloatRange(min=1), default=None, help="Seconds one run of a program may take.")
@json_option
@_one_line_errors
def verify(paths: tuple[Path, ...], workspace: Path, timeout: float | None, as_json: bool) -> int:
    """Check exercises by behaviour: fixed, or still buggy with the symptom.

    Exit code 0 when every exercise is fixed, 1 when one still has a bug,
    2 when a file cannot be checked (syntax error, not an exercise).

    \b
    Example:
      bughunt verify
      bughunt verify bughunt-workspace/training_03.py
    """
    from bughunt.detector.runner import DEFAULT_TIMEOUT, prestart
    from bughunt.exercise import verify as run

    prestart()
    results = run(paths, workspace, timeout or DEFAULT_TIMEOUT)
    if as_json:
        _json([{"path": str(r.path), "fixed": r.verdict.fixed, "message": r.verdict.message} for r in results])
    else:
        width = max(len(r.path.name) for r in results)
        for r in results:
            state = click.style("fixed", fg="green") if r.verdict.fixed else click.style("bug  ", fg="red")
            click.echo(f"{r.path.name.ljust(width)}  {state}  {r.verdict.message}".rstrip())
        fixed = sum(r.verdict.fixed for r in results)
        click.echo(f"{fixed} of {len(results)} fixed")
    if any(r.verdict.unusable for r in results):
        return EXIT_BAD_INPUT
    return EXIT_OK if all(r.verdict.fixed for r in results) else EXIT_BUGS


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
    from bughunt.exercise import reveal as run

    diff = run(path)  # checks the path before asking anything
    if not yes:
        try:
            agreed = click.confirm(f"Show the solution of {path.name}?", default=False, err=True)
        except click.Abort:  # no answer can come (input closed)
            raise BadInput("reveal asks before showing a solution; pass --yes when input is not a terminal") from None
        if not agreed:
            click.echo("not revealed", err=True)
            return EXIT_OK
    click.echo(diff, nl=False)
    return EXIT_OK


@main.command()
@click.option("--topic", default=None, help="Only the programs of this topic.")
@json_option
@_one_line_errors
def selfcheck(topic: str | None, as_json: bool) -> int:
    """Run the kill matrix: every mutant killed, every clean program passing.

    \b
    Example:
      bughunt selfcheck --json
    """
    from bughunt.clean_programs import PROGRAMS, programs_of
    from bughunt.selfcheck import kill_matrix

    progress = None if as_json else (lambda row: click.echo("." if row.killed else "S", nl=False, err=True))
    matrix = kill_matrix(programs_of(topic) if topic else PROGRAMS, on_mutant=progress)
    counts = matrix.counts()
    survivors = [{"program": r.program, "bug": r.mutant.bug, "site": r.mutant.site, "form": r.mutant.form,
                  "line": r.mutant.line} for r in matrix.survivors]
    alarms = [{"program": p, "message": msg} for p, msg in matrix.false_alarms]
    if as_json:
        _json({**counts, "survivors": survivors, "false_alarms": alarms})
    else:
        click.echo("", err=True)
        click.echo(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
        for s in survivors:
            click.echo(f"SURVIVOR {s['program']} {s['bug']} line {s['line']} ({s['form']})")
        for a in alarms:
            click.echo(f"FALSE ALARM {a['program']}: {a['message']}")
    return EXIT_OK if matrix.ok else EXIT_BUGS
