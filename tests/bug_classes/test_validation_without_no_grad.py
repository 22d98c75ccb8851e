"""validation-without-no-grad: evaluation builds an autograd graph it never uses."""

from __future__ import annotations

from bughunt.bug_catalog.validation_without_no_grad import graph_during_evaluation

from .helpers import VALIDATE, body, mutate


def test_no_grad_removed_or_called_without_with():
    removed, bare = mutate("validation-without-no-grad", VALIDATE)
    assert removed.form == "with torch.no_grad() removed" and removed.scope == "validate"
    assert body(removed, "validate")[3:5] == ["# measure only", "for x, y in loader:"]
    assert body(bare, "validate")[3:6] == ["# measure only", "torch.no_grad()", "for x, y in loader:"]
    assert "    for x, y in loader:" in removed.source.splitlines()  # dedented into the function


def test_no_grad_decorator_removed():
    source = VALIDATE.replace("def validate", "@torch.no_grad()\ndef validate").replace(
        "    with torch.no_grad():\n", "    if True:\n")
    [found] = mutate("validation-without-no-grad", source)
    assert found.form == "@torch.no_grad() removed" and "@torch" not in found.source


def test_a_methods_no_grad_is_a_form_for_mutate_only():
    """A trainer's evaluate() method (decorated, or with a with-block) runs self.model: a site for
    ``bughunt mutate``, whose judge is the project's tests; verify's recorder follows top-level
    functions only, so exercises never carry it. A method that also trains is no site."""
    decorated = """
    import torch
    class Trainer:
        def fit(self, x):
            return self.evaluate(x)

        @torch.no_grad()
        def evaluate(self, x):
            self.model.eval()
            return self.model(x).argmax(dim=1)
    """
    [found] = mutate("validation-without-no-grad", decorated)
    assert found.form == "@torch.no_grad() removed" and not found.edit.exercise and found.scope == "Trainer.evaluate"
    with_block = decorated.replace("        @torch.no_grad()\n", "").replace(
        "            return self.model(x).argmax(dim=1)", "            with torch.no_grad():\n                return self.model(x)")
    assert [(f.form, f.edit.exercise) for f in mutate("validation-without-no-grad", with_block)] == [
        ("with torch.no_grad() removed", False), ("torch.no_grad() without with", False)]
    training = decorated.replace("            self.model.eval()", "            self.model(x).sum().backward()")
    assert mutate("validation-without-no-grad", training) == []


def test_no_grad_where_the_phase_also_runs_models_with_grad_is_not_a_site():
    training = VALIDATE.replace("    return correct", "    model(x).sum().backward()\n    return correct")
    outside = VALIDATE.replace("    correct = 0", "    correct = model(x0).sum()")
    in_main = "import torch\ndef main(model, x):\n    with torch.no_grad():\n        return model(x)\n"
    for source in (training, outside, in_main):
        assert mutate("validation-without-no-grad", source) == [], source


def test_graph_check_compares_phases_with_the_reference():
    ref = {"modes": [["train", "Linear", True, True], ["validate", "Linear", False, False],
                     ["validate", "CrossEntropyLoss", False, False]]}
    assert graph_during_evaluation(ref, ref) is None
    loss_outside = {"modes": ref["modes"] + [["validate", "CrossEntropyLoss", False, True]]}
    assert graph_during_evaluation(ref, loss_outside) is None  # a loss has no parameters: no graph
    graph = {"modes": ref["modes"] + [["validate", "Linear", False, True]]}
    assert graph_during_evaluation(ref, graph).startswith("during validate() the model runs with gradient tracking on")
