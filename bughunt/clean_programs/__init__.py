"""The clean reference programs, one file per program, one package per guide topic.

Every program is a plain script a learner can run (``python file.py``). For
verification each one exposes ``main(**config) -> dict``: the keyword arguments
are what Hypothesis varies (``Program.params``), the returned values are what the
detectors compare with the reference.

A topic is a sub-package whose ``__init__.py`` defines ``TOPIC`` and ``PROGRAMS``;
adding a folder adds a topic, with no edit here.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Iterable, Mapping, Union

from bughunt.errors import BadInput

#: A parameter is varied over an integer range, or over a tuple of choices.
ParamSpace = Union[range, tuple]

SEED = range(0, 1000)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    guide: str  # where the topic comes from in the guide
    level: int  # the guide's practice roadmap level
    order: int  # the guide's folder number: topics are listed in this order


@dataclass(frozen=True)
class Program:
    id: str  # "<topic>/<file stem>"
    title: str
    params: Mapping[str, ParamSpace] = field(hash=False)
    max_examples: int = 8  # Hypothesis examples per verification

    @property
    def topic(self) -> str:
        return self.id.split("/")[0]

    @property
    def name(self) -> str:
        return self.id.split("/")[1]

    @property
    def filename(self) -> str:
        return f"{self.name}.py"

    def source(self) -> str:
        return _read(self.id)

    @property
    def witnesses(self) -> tuple[dict[str, Any], ...]:
        """Configurations that together reach every branch of the program, measured
        (``bughunt.witnesses``, stored in ``witnesses.json``): verification runs them too."""
        entry = stored_witnesses().get(self.id)
        # used even when stale (the program edited since): still configurations of its space;
        # the test suite says when they need recomputing (python -m bughunt.witnesses --write)
        return self.within(entry["witnesses"]) if entry else ()

    def within(self, configs: Iterable[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
        """Those of ``configs`` that lie in the program's declared space."""
        return tuple(dict(c) for c in configs if set(c) == set(self.params)
                     and all(value in self.params[name] for name, value in c.items()))


WITNESSES = "witnesses.json"  # measured by bughunt.witnesses, stored beside the programs


@cache
def stored_witnesses() -> dict[str, Any]:
    """The stored witness configurations of every clean program, by program id."""
    try:
        text = resources.files(__package__).joinpath(WITNESSES).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return json.loads(text)


@cache
def _read(program_id: str) -> str:
    topic, name = program_id.split("/")
    return resources.files(__package__).joinpath(topic, f"{name}.py").read_text(encoding="utf-8")


@cache
def _registry() -> tuple[tuple[Topic, ...], tuple[Program, ...]]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg:
            package = importlib.import_module(f"{__name__}.{info.name}")
            for program in package.PROGRAMS:
                assert program.topic == package.TOPIC.id == info.name, program.id
            found.append((package.TOPIC, package.PROGRAMS))
    found.sort(key=lambda pair: pair[0].order)
    return tuple(t for t, _ in found), tuple(p for _, ps in found for p in ps)


def __getattr__(name: str) -> Any:
    """``TOPICS`` and ``PROGRAMS``, discovered on first use."""
    if name == "TOPICS":
        return _registry()[0]
    if name == "PROGRAMS":
        return _registry()[1]
    raise AttributeError(name)


def get_program(program_id: str) -> Program:
    for program in _registry()[1]:
        if program.id == program_id:
            return program
    raise BadInput(f"unknown program {program_id!r} (see `bughunt topics`)")


def programs_of(topic: str) -> tuple[Program, ...]:
    topics = _registry()[0]
    if topic not in {t.id for t in topics}:
        raise BadInput(f"unknown topic {topic!r}; topics: {', '.join(t.id for t in topics)}")
    return tuple(p for p in _registry()[1] if p.topic == topic)
