"""The generic detectors' comparisons on hand-made observations (no torch, no processes). A check
that only one bug class uses is tested in that class's file, tests/bug_classes/test_<class id>.py."""

from bughunt.bug_catalog import all_checks
from bughunt.detector import checks


def tensor(shape, values, dtype="torch.float32"):
    return {"__tensor__": True, "shape": shape, "dtype": dtype, "values": values}


def obs(**fields):
    base = {"error": None, "result": None, "steps": [], "modes": [], "targets": [], "params": {}}
    return {**base, **fields}


def step(lr=0.1, grad=1.0, missing=(), phase="train"):
    return {"phase": phase, "lr": [lr], "grad": grad, "missing": list(missing)}


def test_shape_difference_is_described_with_both_shapes():
    ref = obs(result={"out": tensor([1, 3], [0.0, 1.0, 2.0])})
    cand = obs(result={"out": tensor([3], [0.0, 1.0, 2.0])})
    assert checks.same_results(ref, cand) == "out has shape (3,) instead of (1, 3)"


def test_values_within_tolerance_pass_and_beyond_fail():
    ref = obs(result={"loss": [0.5, 0.25]})
    assert checks.same_results(ref, obs(result={"loss": [0.5 + 1e-7, 0.25]})) is None
    assert checks.same_results(ref, obs(result={"loss": [0.5, 0.3]})) == "loss[1] is 0.3 instead of 0.25"


def test_missing_key_and_length_are_reported():
    ref = obs(result={"history": [1.0, 2.0], "acc": 0.5})
    assert "lacks 'acc'" in checks.same_results(ref, obs(result={"history": [1.0, 2.0]}))
    assert checks.same_results(ref, obs(result={"history": [1.0], "acc": 0.5})) == "history has 1 entries instead of 2"


def test_nan_equals_nan_only():
    nan = float("nan")
    assert checks.close(nan, nan)
    assert not checks.close(nan, 1.0)
    assert not checks.close(1.0, nan)


def test_an_infinity_equals_itself_only():
    inf = float("inf")
    assert checks.close(inf, inf) and checks.close(-inf, -inf)
    assert not checks.close(inf, -inf) and not checks.close(inf, 1e300) and not checks.close(1e300, inf)


def test_crash_names_type_line_and_function():
    cand = obs(error={"type": "RuntimeError", "message": "boom", "line": 12, "function": "train"})
    assert checks.crash(obs(), cand) == "RuntimeError at line 12, in train(): boom"
    assert checks.crash(obs(), obs()) is None


def test_gradients_report_the_first_differing_step():
    ref = obs(steps=[step(grad=1.0), step(grad=1.0)])
    cand = obs(steps=[step(grad=1.0), step(grad=2.0)])
    assert checks.gradients(ref, cand).startswith("at optimizer step 2 (in train) the gradient norm is 2")
    assert checks.gradients(ref, ref) is None
    assert checks.gradients(ref, obs(steps=[step()])) == "the optimizer steps 1 times instead of 2"


def test_grad_flow_names_the_first_parameter_without_gradient():
    ref = obs(steps=[step(lr=0.1), step(lr=0.1)])
    lost = obs(steps=[step(missing=["backbone.weight", "backbone.bias"]), step()])
    assert checks.grad_flow(ref, lost) == "backbone.weight and 1 more get no gradient at optimizer step 1"


def test_verify_runs_crash_first_and_generic_comparisons_last():
    names = [c.__name__ for c in all_checks()]
    assert names[0] == "crash"
    assert names[-3:] == ["same_results", "same_final_params", "graphs_freed"]
    assert names.index("lr_schedule") < names.index("gradients")


def test_graphs_kept_alive_count_only_beyond_the_references_and_one_more():
    """A candidate may hold one more step's graph than the reference (a last output kept for a
    log line); more is a running tensor that holds every batch's graph."""
    assert checks.graphs_freed(obs(kept_graphs=0), obs(kept_graphs=1)) is None
    assert checks.graphs_freed(obs(kept_graphs=3), obs(kept_graphs=4)) is None
    assert checks.graphs_freed(obs(kept_graphs=0), obs(kept_graphs=7)) == (
        "keeps the autograd graphs of 7 earlier steps alive at once (the reference none): a tensor made in "
        "training is held, graph and all, from one batch to the next")
    assert "(the reference at most 2)" in checks.graphs_freed(obs(kept_graphs=2), obs(kept_graphs=6))
    assert checks.graphs_freed(obs(), obs()) is None  # an observation from before the field existed


def test_a_tensor_where_a_number_belongs_is_named_as_such():
    ref = obs(result={"loss": 0.5})
    cand = obs(result={"loss": tensor([], [0.5])})
    cand["result"]["loss"]["requires_grad"] = True
    assert checks.same_results(ref, cand) == "loss is a tensor, still attached to the autograd graph instead of a Python number"


def test_a_check_declares_its_place_and_renaming_it_changes_nothing():
    order = list(all_checks())
    assert order[0] is checks.crash
    assert order[-3:] == [checks.same_results, checks.same_final_params, checks.graphs_freed]
    places = [checks.precedence(c) for c in order]
    assert places == sorted(places)  # the verdict order is the declared places, not a list of names
    renamed = checks.gradients
    before = checks.precedence(renamed)
    name = renamed.__name__
    try:
        renamed.__name__ = "zzz_renamed"
        assert checks.precedence(renamed) == before == checks.Place.GRADIENTS
    finally:
        renamed.__name__ = name


def test_an_undeclared_check_goes_with_the_bug_classes_own():
    def my_property(ref, cand):
        return None

    assert checks.precedence(my_property) == checks.Place.OWN
    assert checks.Place.GRADIENTS < checks.Place.OWN < checks.Place.RESULTS
    assert checks.precedence(checks.placed(checks.Place.TARGETS)(my_property)) == checks.Place.TARGETS
