"""Witness configurations (bughunt/witnesses.py): verification reaches every branch of the reference.

The branchy programs' tests measure it: the smallest configuration plus the stored witnesses
take both sides of every ``if`` in the reference's functions. The decrement-instead-of-reset
fake fix of early stopping, which differs from the reference on about one configuration in
five and which the drawn configurations all miss, is refused.
"""

from __future__ import annotations

import ast

import pytest

from bughunt.clean_programs import PROGRAMS, get_program
from bughunt.detector.runner import planned
from bughunt.witnesses import choose, features, measure, smallest, stale

BRANCHY = ("industry/early_stopping", "industry/full_pipeline", "intermediate/checkpoint_best",
           "advanced/clip_and_accumulate")
EXTRA = 4  # configurations a verification may run beyond the smallest and the drawn ones


def test_the_stored_witnesses_are_current():
    """`python -m bughunt.witnesses --write` recomputes them after a program or its space changes."""
    assert stale(PROGRAMS) == []


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.id)
def test_witnesses_are_few_and_inside_the_declared_space(program):
    assert len(program.witnesses) <= EXTRA
    for witness in program.witnesses:
        assert set(witness) == set(program.params)
        assert all(value in program.params[name] for name, value in witness.items()), witness


def test_a_search_runs_the_witnesses_last():
    program = get_program("industry/early_stopping")
    drawn = planned(program)
    assert program.witnesses and list(drawn[-len(program.witnesses):]) == list(program.witnesses)
    assert drawn[0] == smallest(program)


def _if_lines(source: str) -> dict[int, int]:
    """{line of an `if` test inside a function: the `if`'s own line}, every line of its test."""
    lines = {}
    for function in ast.walk(ast.parse(source)):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.If):
                    for line in range(node.test.lineno, node.test.end_lineno + 1):
                        lines[line] = node.lineno
    return lines


@pytest.mark.parametrize("program_id", BRANCHY)
def test_the_witnesses_take_both_sides_of_every_if(program_id):
    import dis

    program = get_program(program_id)
    source = program.source()
    runs = measure(source, [smallest(program), *program.witnesses])
    sides: dict[tuple, set[bool]] = {}
    for outcomes in runs:
        for point, seen in outcomes.items():
            sides.setdefault(point, set()).update(seen)
    # the line of each branch point, from the compiled program
    lines = {}
    todo = [compile(source, "<program>", "exec")]
    while todo:
        code = todo.pop()
        todo += [c for c in code.co_consts if hasattr(c, "co_code")]
        starts = sorted((offset, line) for offset, line in dis.findlinestarts(code) if line is not None)
        for instruction in dis.get_instructions(code):
            line = max((start for start in starts if start[0] <= instruction.offset), default=(0, 0))[1]
            lines[(getattr(code, "co_qualname", code.co_name), instruction.offset)] = line
    ifs = _if_lines(source)
    one_sided = sorted({ifs[lines[point]] for point, seen in sides.items() if lines[point] in ifs and len(seen) < 2})
    never = sorted(set(ifs.values()) - {ifs[lines[point]] for point in sides if lines[point] in ifs})
    assert one_sided == [] and never == [], f"ifs at lines {one_sided + never} of {program_id}"


def test_features_are_outcomes_and_short_histories():
    found = features({("fit", 10): [False, False, True]})
    assert {(("fit", 10), (True,)), (("fit", 10), (False, False)), (("fit", 10), (False, False, True))} <= found
    assert (("fit", 10), (True, False)) not in found


def test_the_choice_covers_the_pool_greedily_and_cheaply():
    configs = [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]
    measured = [{("f", 0): [False]}, {("f", 0): [False, True]}, {("f", 0): [True] * 9 + [False]},
                {("f", 0): [False, True, True]}]
    choice = choose(configs, measured)
    # n=3 reaches every history the others do, but (True, True, True) needs n=2
    assert [w["n"] for w in choice.witnesses] == [3, 2]
    assert choose(configs[:1], measured[:1]).witnesses == ()


EARLY_STOP_FAKE_FIX = """\
        if val_loss < best_loss - min_delta:
            best_loss, best_epoch = val_loss, epoch
            best_state = copy.deepcopy(model.state_dict())
            bad_epochs = max(0, bad_epochs - 1)  # an improvement makes up for one bad epoch
"""


def test_a_counter_decremented_instead_of_reset_is_refused():
    """It differs only after two bad epochs in a row that an improvement ends (about one
    configuration in five); none of the drawn configurations has one, a witness does."""
    from bughunt.grading import verifier

    program = get_program("industry/early_stopping")
    source = program.source()
    start = source.index("        if val_loss < best_loss - min_delta:")
    end = source.index("        else:\n            bad_epochs += 1")
    fake = source[:start] + EARLY_STOP_FAKE_FIX + source[end:]
    with verifier() as session:
        verdict = session.verify(program, source, fake, "early_stopping_01.py")
        assert not verdict.fixed
        # the smallest and the drawn configurations all ran first, and all behaved alike
        assert verdict.config in [dict(w) for w in program.witnesses], verdict


USER_PROGRAM = '''"""A loop whose last batch size takes a branch of its own."""
import torch

PARAMS = {"batch_size": range(1, 17), "epochs": range(1, 3), "seed": range(0, 1000)}


def main(batch_size=4, epochs=1, seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(epochs):
        x = torch.randn(batch_size, 3)
        loss = model(x).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    scale = 2.0 if batch_size == RARE else 1.0
    return {"loss": loss.item() * scale}
'''


def test_a_users_program_is_measured_once_and_its_witnesses_reach_a_rare_branch(tmp_path, monkeypatch):
    """A program of yours (``--programs``) gets witnesses as the built-in ones do, measured on its
    first use and read from the cache after: a variant wrong only on a batch size that none of the
    drawn configurations has is refused, where the drawn configurations alone miss it."""
    from bughunt import witnesses
    from bughunt.grading import verifier
    from bughunt.programs import load

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(witnesses, "_READ", {})
    path = tmp_path / "course" / "rare.py"
    path.parent.mkdir()
    path.write_text(USER_PROGRAM.replace("RARE", "0"))
    drawn = {c["batch_size"] for c in planned(load(path))}  # the draws: the same for any text of this space
    pooled = {c["batch_size"] for c in witnesses.pool(load(path))}  # the pool: by the program's id
    rare = min(pooled - drawn)
    path.write_text(USER_PROGRAM.replace("RARE", str(rare)))
    program = load(path)
    assert program.witnesses == ()  # not measured yet
    found = witnesses.measured(program)
    assert rare in {c["batch_size"] for c in found.witnesses}
    assert found != program and planned(found)[-len(found.witnesses):] == found.witnesses  # not the plan without
    assert len(list((tmp_path / "cache" / "bughunt" / "witnesses").glob("*.json"))) == 1
    monkeypatch.setattr(witnesses, "_READ", {})
    monkeypatch.setattr(witnesses, "witnesses_of", lambda *a, **k: pytest.fail("measured again"))
    assert witnesses.measured(load(path)).witnesses == found.witnesses  # from the cache
    wrong = program.source().replace("2.0 if", "3.0 if")
    with verifier() as session:
        assert session.verify(program, program.source(), wrong, "rare_01.py").fixed  # the draws miss it
        verdict = session.verify(found, found.source(), wrong, "rare_01.py")
        assert not verdict.fixed and verdict.config["batch_size"] == rare, verdict


def test_a_users_program_that_fails_in_its_space_gets_no_witnesses_and_says_why(tmp_path, monkeypatch):
    from bughunt import witnesses
    from bughunt.programs import load

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(witnesses, "_READ", {})
    path = tmp_path / "course" / "fails.py"
    path.parent.mkdir()
    path.write_text(USER_PROGRAM.replace("RARE", "0").replace("    scale =", "    assert batch_size < 9\n    scale ="))
    program = witnesses.measured(load(path))
    assert program.witnesses == () and "AssertionError" in witnesses.measurement_error(program)
