"""Your own programs: a folder of files that follow the program contract, used like the built-in ones.

A program file is a plain script that defines ``main(**config) -> dict`` and declares, at its
top level, the space Hypothesis varies its keyword arguments over::

    PARAMS = {"batch_size": range(1, 17), "epochs": range(1, 4), "seed": range(0, 1000)}

(an integer ``range`` or a tuple of choices per argument; the first line of the module's
docstring is its title). The declaration is read from the file's syntax tree, never by importing
it: bughunt does not run your program in its own process (it runs in a worker's sandbox, as text,
like every program), so neither your folder nor its code becomes part of what a candidate's
sandbox can see.

A folder given with ``--programs DIR`` is grouped into topics: each sub-folder is a topic named
after it, and the files directly in DIR form the topic named after DIR. A program's id is
``<topic>/<file stem>``, as for the built-in ones. The built-in programs and topics are reached
through this module too (``get_program``, ``programs_of``, ``topics``), so that a command given
``--programs`` sees both.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from bughunt import clean_programs
from bughunt.clean_programs import Program, Topic
from bughunt.errors import BadInput

NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")  # topic and program names: they become exercise file names


class NotAProgram(BadInput):
    """A file that does not follow the program contract; str() says why (one line)."""


@dataclass(frozen=True)
class UserProgram(Program):
    """A program read from a user's file: its text is taken once, when it is loaded, so that every
    exercise and reference made from it agrees with the digest recorded in the manifest."""

    text: str = ""
    origin: str = ""  # the file's absolute path
    # its witness configurations, once measured (``witnesses.measured``: a command that verifies
    # exercises of it measures them first, on its first use on a machine, and keeps them cached)
    measured: tuple[dict[str, Any], ...] = field(default=(), hash=False)

    def source(self) -> str:
        return self.text

    @property
    def digest(self) -> str:
        return sha256(self.text)

    @property
    def witnesses(self) -> tuple[dict[str, Any], ...]:
        return self.within(self.measured)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _space(node: ast.expr, name: str) -> clean_programs.ParamSpace:
    """One parameter's space from its syntax: ``range(a, b)`` of integers or a tuple/list of constants."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range" \
            and not node.keywords and 1 <= len(node.args) <= 2:
        try:
            bounds = [ast.literal_eval(a) for a in node.args]
        except ValueError:
            bounds = []
        if bounds and all(type(b) is int for b in bounds):
            space = range(*bounds)
            if len(space) == 0:
                raise NotAProgram(f"PARAMS[{name!r}] is an empty range")
            return space
    if isinstance(node, (ast.Tuple, ast.List)):
        try:
            values = tuple(ast.literal_eval(node))
        except ValueError:
            values = ()
        if values:
            return values
    raise NotAProgram(f"PARAMS[{name!r}] must be range(a, b) of integers or a tuple of constants")


def parse(text: str, filename: str) -> tuple[str, dict[str, clean_programs.ParamSpace]]:
    """The title and the parameter space a program's text declares; NotAProgram says what is missing."""
    try:
        tree = ast.parse(text, filename)
    except SyntaxError as exc:
        raise NotAProgram(f"syntax error at line {exc.lineno}: {exc.msg}") from None
    params = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PARAMS" for t in node.targets):
            params = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "PARAMS":
            params = node.value
    if not any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body):
        raise NotAProgram("it defines no main() at its top level")
    if params is None:
        raise NotAProgram("it declares no PARAMS (the space of main()'s keyword arguments)")
    if not isinstance(params, ast.Dict) or not params.keys:
        raise NotAProgram("PARAMS must be a dict literal: {\"name\": range(a, b) or (choice, ...), ...}")
    space: dict[str, clean_programs.ParamSpace] = {}
    for key, value in zip(params.keys, params.values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.isidentifier()):
            raise NotAProgram("every key of PARAMS must be the name of a keyword argument of main()")
        space[key.value] = _space(value, key.value)
    doc = ast.get_docstring(tree) or ""
    title = doc.strip().split("\n", 1)[0].strip() or Path(filename).stem.replace("_", " ")
    return title, space


def load(path: Path, topic: Optional[str] = None) -> UserProgram:
    """The program in ``path`` (topic: its folder's name unless given); NotAProgram when the file
    does not follow the contract, BadInput when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path} cannot be read: {exc}") from None
    topic = topic or path.resolve().parent.name
    for kind, name in (("topic", topic), ("program", path.stem)):
        if not NAME.match(name):
            raise NotAProgram(f"its {kind} name {name!r} may hold only letters, digits, _ and -")
    title, params = parse(text, str(path))
    return UserProgram(f"{topic}/{path.stem}", title, params, text=text, origin=str(path.resolve()))


@dataclass(frozen=True)
class Folder:
    """A folder of user programs, grouped into topics."""

    root: Path
    topics: tuple[Topic, ...]
    programs: tuple[UserProgram, ...] = field(hash=False)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith(("_", ".")))


def folder(root: Path) -> Folder:
    """Every program of ``root``; BadInput naming the first file that does not follow the contract
    (`bughunt check-program FILE` says more), a clash with a built-in topic, or an empty folder."""
    if not root.is_dir():
        raise BadInput(f"{root}: no such folder")
    inside = _visible_in_sandbox(root)
    if inside:
        raise BadInput(f"{root} is inside {inside}, which exercises see in their sandbox: keep your programs "
                       f"elsewhere, so that no exercise can read its reference")
    groups = [(root.resolve().name, _files(root))]
    groups += [(sub.name, _files(sub)) for sub in sorted(root.iterdir())
               if sub.is_dir() and not sub.name.startswith((".", "_"))]
    builtin = {t.id for t in clean_programs.TOPICS}
    topics, programs = [], []
    for order, (topic, files) in enumerate(g for g in groups if g[1]):
        if topic in builtin:
            raise BadInput(f"{root}: the topic {topic!r} has the name of a built-in topic; rename that folder")
        for path in files:
            try:
                programs.append(load(path, topic))
            except NotAProgram as exc:
                raise BadInput(f"{path} is not a bughunt program: {exc} (see `bughunt check-program {path}`)") from None
        topics.append(Topic(topic, f"your programs in {root / topic if topic != root.resolve().name else root}",
                            str(root), level=0, order=1000 + order))
    if not programs:
        raise BadInput(f"{root} holds no program (*.py files with main() and PARAMS, grouped by sub-folder)")
    return Folder(root, tuple(topics), tuple(programs))


def _visible_in_sandbox(root: Path) -> Optional[str]:
    """The folder of the Python environment that holds ``root``, if any: the sandbox binds those
    (detector/sandbox.py), so programs there would be readable by a candidate (principle 3)."""
    import site
    import sys

    real = root.resolve()
    for folder in {sys.prefix, sys.base_prefix, *site.getsitepackages()}:
        if real == Path(folder).resolve() or Path(folder).resolve() in real.parents:
            return folder
    return None


def topics(user: Optional[Folder] = None) -> tuple[Topic, ...]:
    """The built-in topics, then those of the user's folder."""
    return tuple(clean_programs.TOPICS) + (user.topics if user else ())


def all_programs(user: Optional[Folder] = None) -> tuple[Program, ...]:
    return tuple(clean_programs.PROGRAMS) + (user.programs if user else ())


def programs_of(topic: str, user: Optional[Folder] = None) -> tuple[Program, ...]:
    if user is not None and topic in {t.id for t in user.topics}:
        return tuple(p for p in user.programs if p.topic == topic)
    try:
        return clean_programs.programs_of(topic)
    except BadInput:
        if user is None:
            raise
        raise BadInput(f"unknown topic {topic!r}; topics: {', '.join(t.id for t in topics(user))}") from None


def get_program(program_id: str, user: Optional[Folder] = None) -> Program:
    for program in (user.programs if user else ()):
        if program.id == program_id:
            return program
    return clean_programs.get_program(program_id)


def recorded(program_id: str, origin: str, digest: str) -> Program:
    """The user program an exercise was generated from, as the manifest records it (its file and
    the digest of its text then); BadInput when the file is gone or no longer the same text: an
    exercise is never graded against another reference than the one it was made from."""
    path = Path(origin)
    if not path.is_file():
        raise BadInput(f"{program_id} was generated from {origin}, which is gone; put the program back "
                       f"there to verify this exercise")
    program = load(path, program_id.split("/")[0])
    if program.digest != digest:
        raise BadInput(f"{origin} changed after this exercise was generated from it; verify refuses to grade "
                       f"against a different reference: restore the program as it was, or generate a new exercise")
    return program

