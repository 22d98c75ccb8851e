"""The comment policy (bughunt/mutator/comments.py): a bug's line has no tell either way.

A line a bug edits or moves keeps a comment of the same shape where it had one (neutral words,
never the old comment, which may state the rule the bug breaks). The check reads text only: the
clean program and the mutant, line by line, as a learner would compare them.
"""

from __future__ import annotations

import difflib
import io
import tokenize

import pytest

from bughunt.clean_programs import PROGRAMS, get_program
from bughunt.exercise import mutants
from bughunt.mutator import Tree, mutants_of
from bughunt.bug_catalog import get_class


def comments(source: str) -> dict[int, str]:
    """Line number (0-based) -> the comment on that line."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0] - 1] = token.string
    return found


class Lines:
    def __init__(self, source: str) -> None:
        self.lines = source.splitlines()
        self.comment = comments(source)

    def code(self, i: int) -> str:
        line = self.lines[i]
        if i in self.comment:
            line = line[: line.rindex(self.comment[i])]
        return line.strip()

    def is_code(self, i: int) -> bool:
        return bool(self.code(i))

    def trailing(self, i: int) -> bool:
        return self.is_code(i) and i in self.comment

    def above(self, i: int) -> bool:
        """A comment line directly above line ``i``."""
        return i > 0 and (i - 1) in self.comment and not self.is_code(i - 1)


def tells(clean_source: str, mutant_source: str) -> list[str]:
    """Each line of the mutant that a bug edited or moved and that lost its comment's shape."""
    clean, mutant = Lines(clean_source), Lines(mutant_source)
    blocks = [b for b in difflib.SequenceMatcher(a=clean.lines, b=mutant.lines, autojunk=False).get_opcodes()
              if b[0] != "equal"]
    gone = {clean.code(i): i for _, i1, i2, _, _ in blocks for i in range(i1, i2) if clean.is_code(i)}
    found = []
    for _, i1, i2, j1, j2 in blocks:
        here = {clean.code(i) for i in range(i1, i2)}
        new = [j for j in range(j1, j2) if mutant.is_code(j)]
        for j in new:
            origin = gone.get(mutant.code(j))
            if origin is not None and mutant.code(j) not in here:  # moved from elsewhere
                if clean.trailing(origin) and not mutant.trailing(j):
                    found.append(f"moved line {j + 1} lost its trailing comment: {mutant.lines[j].strip()}")
                if clean.above(origin) and not mutant.above(j):
                    found.append(f"moved line {j + 1} lost the comment line above it: {mutant.lines[j].strip()}")
        edited = [j for j in new if gone.get(mutant.code(j)) is None or mutant.code(j) in here]
        had = sum(clean.trailing(i) for i in range(i1, i2))
        if edited and sum(mutant.trailing(j) for j in edited) < min(had, len(edited)):
            found.append(f"edited line {edited[0] + 1} lost its trailing comment: {mutant.lines[edited[0]].strip()}")
    return found


def kept_rules(clean_source: str, mutant_source: str) -> list[str]:
    """Comments of edited or moved lines that survive word for word on a changed line."""
    clean, mutant = Lines(clean_source), Lines(mutant_source)
    blocks = difflib.SequenceMatcher(a=clean.lines, b=mutant.lines, autojunk=False).get_opcodes()
    changed = [(range(i1, i2), range(j1, j2)) for op, i1, i2, j1, j2 in blocks if op != "equal"]
    old = {clean.comment[i] for lines, _ in changed for i in lines if clean.trailing(i)}
    same = {clean.code(i) for lines, _ in changed for i in lines}  # a line only indented anew is not edited
    return [mutant.lines[j].strip() for _, lines in changed for j in lines
            if mutant.trailing(j) and mutant.comment[j] in old and mutant.code(j) not in same]


def test_a_step_moved_into_the_batch_loop_loses_the_rule_it_breaks_but_not_its_comment():
    source = get_program("training/classification_loop").source()
    [mutant] = [m for m in mutants_of(source, "scheduler-per-batch", get_class("scheduler-per-batch").mutate)][:1]
    assert "# once per epoch, after the last batch" in source
    assert "# once per epoch, after the last batch" not in mutant.source
    assert "scheduler.step()  # take a step" in mutant.source
    assert tells(source, mutant.source) == []


def test_an_edited_line_keeps_a_trailing_comment_of_neutral_words():
    source = "import torch\n\ndef f(x, c):\n    return torch.cat([x, c], dim=1)  # join along the channel dim\n"
    [mutant] = [m for m in mutants_of(source, "stack-instead-of-cat", get_class("stack-instead-of-cat").mutate)
                if "stack" in m.source]
    assert mutant.source.endswith("return torch.stack([x, c], dim=1)  # join the parts\n")


def test_a_line_without_a_comment_gets_none():
    source = "import torch\n\ndef f(x, c):\n    return torch.cat([x, c], dim=1)\n"
    for mutant in mutants_of(source, "wrong-cat-dim", get_class("wrong-cat-dim").mutate):
        assert "#" not in mutant.source


def test_the_checker_sees_a_lost_comment():
    clean = "def f(x):\n    y = x + 1  # one more\n    return y\n"
    assert tells(clean, "def f(x):\n    y = x - 1\n    return y\n")
    assert not tells(clean, "def f(x):\n    y = x - 1  # combine the terms\n    return y\n")
    moved = "def f(x):\n    # first\n    a = 1\n    b = 2\n    c = 3\n    return a + b\n"
    assert tells(moved, "def f(x):\n    b = 2\n    c = 3\n    a = 1\n    return a + b\n")
    assert not tells(moved, "def f(x):\n    b = 2\n    c = 3\n    # compute it\n    a = 1\n    return a + b\n")
    trailing = "def f(x):\n    a = 1  # first\n    b = 2\n    c = 3\n    return a + b\n"
    assert tells(trailing, "def f(x):\n    b = 2\n    c = 3\n    a = 1\n    return a + b\n")


def _check(programs) -> None:
    failures = []
    for program in programs:
        clean = program.source()
        for mutant in mutants(program):
            failures += [f"{program.id} {mutant.bug} ({mutant.form}): {t}" for t in tells(clean, mutant.source)]
            failures += [f"{program.id} {mutant.bug} ({mutant.form}): kept {k}" for k in kept_rules(clean, mutant.source)]
    assert failures == []


def test_no_tell_in_the_mutants_of_three_programs():
    _check([get_program(p) for p in ("training/classification_loop", "advanced/clip_and_accumulate",
                                      "transformers/encoder_block")])


@pytest.mark.slow
def test_no_tell_in_any_mutant_of_the_kill_matrix():
    _check(PROGRAMS)


def test_neutral_words_are_true_of_the_line_as_it_stands():
    from libcst import parse_statement

    from bughunt.mutator.comments import neutral

    assert neutral(parse_statement("model.eval()\n")) == "# set the mode"
    assert neutral(parse_statement("model.backbone.eval\n")) == "# as it stands"  # the call dropped: nothing runs
    assert neutral(parse_statement("x = torch.cat([a, b], dim=0)\n")) == "# join the parts"
    assert neutral(parse_statement("x = a.view(-1)\n")) == "# reshape"
    assert neutral(parse_statement("bad == 0\n")) == "# compare"
