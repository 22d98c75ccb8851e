"""The bug classes of the advanced and industry topics: sites by idiom, every surface form, and
no site where the bug would change nothing observable."""

from __future__ import annotations

import textwrap

from bughunt.bug_catalog import get_class
from bughunt.bug_catalog.validation_without_no_grad import graph_during_evaluation
from bughunt.mutator import mutants_of


def mutate(bug_id: str, source: str):
    return mutants_of(textwrap.dedent(source), bug_id, get_class(bug_id).mutate)


def body(mutant, function: str = "") -> list[str]:
    """The mutant's lines from ``def <function>`` on, stripped, without blank lines."""
    lines = mutant.source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {function}")) if function else 0
    return [line.strip() for line in lines[start:] if line.strip()]


def changed_lines(source: str, mutant) -> list[str]:
    before = set(textwrap.dedent(source).splitlines())
    return [line.strip() for line in mutant.source.splitlines() if line not in before]


LOOP = """
import torch
import torch.nn as nn

def train(model, loader, criterion, optimizer, scheduler, epochs):
    history = []
    for epoch in range(epochs):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        scheduler.step()
        history.append(total)
    return history

def main(seed=0):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return {"history": train(model, loader, nn.CrossEntropyLoss(), optimizer, scheduler, 2)}
"""

ACCUMULATION = """
import torch.nn as nn

def train(model, loader, criterion, optimizer, accum_steps):
    norms = []
    for i, (x, y) in enumerate(loader):
        if i % accum_steps == 0:
            optimizer.zero_grad()  # a new group
        loss = criterion(model(x), y)
        loss = loss / accum_steps  # mean over the group
        loss.backward()
        if (i + 1) % accum_steps == 0:
            norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
            optimizer.step()
            norms.append(norm.item())
    return norms
"""


# --- step-before-backward --------------------------------------------------------------


def test_step_moves_before_backward_or_before_zero_grad():
    before_backward, before_zero_grad = mutate("step-before-backward", LOOP)
    assert before_backward.form == "step() before backward()" and before_backward.scope == "train"
    assert body(before_backward, "train")[5:9] == [
        "optimizer.zero_grad()", "loss = criterion(model(x), y)", "optimizer.step()", "loss.backward()"]
    assert body(before_zero_grad, "train")[5:7] == ["optimizer.step()", "optimizer.zero_grad()"]
    assert all(m.source.count("optimizer.step()") == 1 for m in (before_backward, before_zero_grad))


def test_step_guarded_by_an_accumulation_if_moves_with_its_if():
    [found] = mutate("step-before-backward", ACCUMULATION)
    lines = body(found, "train")
    assert lines.index("if (i + 1) % accum_steps == 0:") < lines.index("loss.backward()")
    assert lines[lines.index("if (i + 1) % accum_steps == 0:") + 2] == "optimizer.step()"


def test_a_top_level_script_is_reordered_too():
    source = """
    import torch
    optimizer = torch.optim.SGD(params, lr=0.1)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 0.1)
    optimizer.step()
    """
    steps = mutate("step-before-backward", source)
    assert body(steps[0])[-3:] == ["optimizer.step()", "loss.backward()", "torch.nn.utils.clip_grad_norm_(params, 0.1)"]
    assert body(steps[1])[2:4] == ["optimizer.step()", "optimizer.zero_grad()"] and steps[0].scope == "<module>"
    assert [body(m)[-3:] for m in mutate("clip-before-backward", source)] == [
        ["torch.nn.utils.clip_grad_norm_(params, 0.1)", "loss.backward()", "optimizer.step()"],
        ["loss.backward()", "optimizer.step()", "torch.nn.utils.clip_grad_norm_(params, 0.1)"]]


def test_scheduler_steps_and_steps_without_backward_are_not_sites():
    source = """
    import torch
    def train(optimizer, scheduler, loader):
        for x in loader:
            optimizer.step()
        scheduler.step()
    """
    assert mutate("step-before-backward", source) == []


# --- clip-before-backward --------------------------------------------------------------


def test_clip_moves_before_backward_or_after_step():
    before, after = mutate("clip-before-backward", ACCUMULATION)
    assert (before.form, after.form) == ("clip before backward()", "clip after step()")
    clip = "norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)"
    lines = body(before, "train")
    assert lines.index(clip) == lines.index("loss.backward()") - 1
    lines = body(after, "train")
    assert lines.index(clip) == lines.index("optimizer.step()") + 1


def test_clip_stays_before_a_step_that_reads_its_norm():
    source = ACCUMULATION.replace("            optimizer.step()\n            norms.append(norm.item())",
                                  "            norms.append(norm.item())\n            optimizer.step()")
    assert [m.form for m in mutate("clip-before-backward", source)] == ["clip before backward()"]


def test_clip_outside_a_training_step_is_not_a_site():
    source = "import torch.nn as nn\ndef f(model):\n    nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"
    assert mutate("clip-before-backward", source) == []


# --- gradient accumulation ---------------------------------------------------------------


def test_loss_division_removed_or_moved_after_backward():
    removed, late = mutate("accumulation-loss-not-divided", ACCUMULATION)
    assert "accum_steps  # mean" not in removed.source and removed.form == "division removed"
    lines = body(late, "train")
    assert lines.index("loss = loss / accum_steps") == lines.index("loss.backward()") + 1  # its comment dropped


def test_inline_loss_division_dropped():
    source = ACCUMULATION.replace("        loss = loss / accum_steps  # mean over the group\n        loss.backward()",
                                  "        (loss / accum_steps).backward()")
    [found] = mutate("accumulation-loss-not-divided", source)
    assert (found.form, changed_lines(source, found)) == ("division dropped", ["loss.backward()"])


def test_division_without_accumulation_is_not_a_site():
    source = ACCUMULATION.replace("if i % accum_steps == 0:", "if i == 0:").replace(
        "if (i + 1) % accum_steps == 0:", "if True:")
    assert mutate("accumulation-loss-not-divided", source) == []


def test_zero_grad_on_every_micro_batch_two_forms():
    every, before_backward = mutate("accumulation-zero-grad-every-batch", ACCUMULATION)
    assert changed_lines(ACCUMULATION, every) == ["optimizer.zero_grad()"]
    assert "i % accum_steps == 0" not in every.source and "# a new group" not in every.source
    lines = body(before_backward, "train")
    assert lines.index("optimizer.zero_grad()") == lines.index("loss.backward()") - 1
    assert "i % accum_steps == 0" not in before_backward.source


def test_zero_grad_after_the_step_in_the_same_if_leaves_the_if():
    source = ACCUMULATION.replace("        if i % accum_steps == 0:\n            optimizer.zero_grad()  # a new group\n", "")
    source = source.replace("            norms.append(norm.item())",
                            "            norms.append(norm.item())\n            optimizer.zero_grad()")
    every, _ = mutate("accumulation-zero-grad-every-batch", source)
    lines = body(every, "train")
    assert lines[-2:] == ["optimizer.zero_grad()", "return norms"]  # after the if, on every micro-batch
    assert mutate("accumulation-zero-grad-every-batch", LOOP) == []  # a plain loop: not accumulation


# --- checkpoint-input-no-grad -----------------------------------------------------------


CHECKPOINTED = """
import torch.nn as nn
from torch.utils.checkpoint import checkpoint

class Net(nn.Module):
    def forward(self, x):
        h = checkpoint(self.stage1, x, use_reentrant=False)
        h = checkpoint(self.stage2, h, use_reentrant=False)
        return self.head(h)

def main():
    model = Net().to("cpu")
"""


def test_checkpoint_reentrant_on_raw_input_and_detached_computed_input():
    found = [(m.form, changed_lines(CHECKPOINTED, m)) for m in mutate("checkpoint-input-no-grad", CHECKPOINTED)]
    assert found == [
        ("use_reentrant=True", ["h = checkpoint(self.stage1, x, use_reentrant=True)"]),
        ("use_reentrant omitted", ["h = checkpoint(self.stage1, x)"]),
        ("h.detach() as input", ["h = checkpoint(self.stage2, h.detach(), use_reentrant=False)"]),
    ]


def test_checkpoint_in_a_submodule_keeps_its_reentrant_flag():
    source = CHECKPOINTED.replace('model = Net().to("cpu")', "model = nn.Sequential(nn.Linear(2, 2), Net())")
    assert [m.form for m in mutate("checkpoint-input-no-grad", source)] == ["h.detach() as input"]


# --- linear-in-features-mismatch ---------------------------------------------------------


def test_linear_after_cat_loses_one_width():
    source = """
    import torch
    import torch.nn as nn
    class Net(nn.Module):
        def __init__(self, a, b):
            self.head = nn.Linear(in_features=a + b, out_features=3)
            self.other = nn.Linear(a * 2, 3)
        def forward(self, x, y):
            return self.head(torch.cat([x, y], dim=1))
    """
    found = [(m.form, changed_lines(source, m)) for m in mutate("linear-in-features-mismatch", source)]
    assert found == [
        ("in_features without the last width", ["self.head = nn.Linear(in_features=a, out_features=3)"]),
        ("in_features without the first width", ["self.head = nn.Linear(in_features=b, out_features=3)"]),
    ]
    assert mutate("linear-in-features-mismatch", source.replace("torch.cat", "torch.add")) == []


# --- validation-without-no-grad ----------------------------------------------------------


VALIDATE = """
import torch

def validate(model, loader):
    model.eval()
    correct = 0
    # measure only
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
    return correct

def main():
    return {"acc": validate(model, loader)}
"""


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


# --- loss-accumulated-as-tensor -----------------------------------------------------------


def test_loss_item_dropped_or_detached_where_the_total_is_returned():
    found = [(m.form, changed_lines(LOOP, m)) for m in mutate("loss-accumulated-as-tensor", LOOP)]
    assert found == [(".item() dropped", ["total += loss"]),
                     (".detach() instead of .item()", ["total += loss.detach()"])]
    source = """
    def f(model, loader, criterion):
        losses = []
        for x, y in loader:
            losses.append(criterion(model(x), y).item())
        return losses
    def main():
        return f(a, b, c)
    """
    dropped = mutate("loss-accumulated-as-tensor", source)[0]
    assert changed_lines(source, dropped) == ["losses.append(criterion(model(x), y))"]


def test_loss_totals_nobody_observes_as_a_tensor_are_not_sites():
    printed = LOOP.replace("        history.append(total)", "        print(total)")
    converted = LOOP.replace("        history.append(total)", "        history.append(float(total))")
    accuracy = LOOP.replace("total += loss.item()", "total += (model(x).argmax(1) == y).sum().item()")
    for source in (printed, converted, accuracy):
        assert mutate("loss-accumulated-as-tensor", source) == [], source


# --- save-best-inverted and early stopping -------------------------------------------------


EARLY_STOPPING = """
def fit(losses, patience):
    best_loss, bad_epochs = float("inf"), 0
    for epoch, val_loss in enumerate(losses):
        if val_loss < best_loss - 0.01:
            best_loss = val_loss
            bad_epochs = 0  # start over
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    return epoch
"""


def test_save_best_comparison_flipped_or_swapped():
    found = [(m.form, changed_lines(EARLY_STOPPING, m)) for m in mutate("save-best-inverted", EARLY_STOPPING)]
    assert found == [("comparison flipped", ["if val_loss > best_loss - 0.01:"]),
                     ("operands swapped", ["if best_loss - 0.01 < val_loss:"])]
    source = """
    def f(acc, best_acc):
        if acc > best_acc:
            print(acc)
        if self.best >= score:
            self.best = score
    """
    assert [changed_lines(source, m) for m in mutate("save-best-inverted", source)] == [
        ["if self.best <= score:"], ["if score >= self.best:"]]  # the first if records nothing


def test_patience_reset_removed_or_written_as_a_comparison():
    removed, typo = mutate("early-stopping-patience-never-reset", EARLY_STOPPING)
    assert "bad_epochs = 0" not in removed.source and "start over" not in removed.source
    assert changed_lines(EARLY_STOPPING, typo) == ["bad_epochs == 0"]  # the comment on a bug's line goes
    uncompared = EARLY_STOPPING.replace("if bad_epochs >= patience:", "if epoch >= patience:")
    assert mutate("early-stopping-patience-never-reset", uncompared) == []


# --- argmax-wrong-dim ----------------------------------------------------------------------


def test_argmax_over_the_batch_or_flattened():
    found = [(m.form, changed_lines(VALIDATE, m)) for m in mutate("argmax-wrong-dim", VALIDATE)]
    assert found == [("argmax(dim=0)", ["correct += (model(x).argmax(dim=0) == y).sum().item()"]),
                     ("argmax() without dim", ["correct += (model(x).argmax() == y).sum().item()"])]
    functional = VALIDATE.replace("model(x).argmax(dim=1)", "torch.argmax(model(x), 1)")
    assert [changed_lines(functional, m) for m in mutate("argmax-wrong-dim", functional)] == [
        ["correct += (torch.argmax(model(x), 0) == y).sum().item()"],
        ["correct += (torch.argmax(model(x)) == y).sum().item()"]]


def test_argmax_in_a_returned_expression():
    source = """
    def accuracy(logits, y):
        return (logits.argmax(-1) == y).float().mean().item()
    def main():
        return {"acc": accuracy(a, b)}
    """
    assert [changed_lines(source, m) for m in mutate("argmax-wrong-dim", source)] == [
        ["return (logits.argmax(0) == y).float().mean().item()"], ["return (logits.argmax() == y).float().mean().item()"]]


def test_argmax_nobody_observes_or_over_dim_0_is_not_a_site():
    unobserved = VALIDATE.replace('return {"acc": validate(model, loader)}', "validate(model, loader)\n    return {}")
    batch_dim = VALIDATE.replace("argmax(dim=1)", "argmax(dim=0)")
    assert mutate("argmax-wrong-dim", unobserved) == [] and mutate("argmax-wrong-dim", batch_dim) == []
