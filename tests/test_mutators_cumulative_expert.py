"""The mutators of the cumulative and expert topics: finetuning stages, train/eval modes,
custom autograd Functions and distributed sampling. Each finds its sites by idiom, in
every surface form, and only where the bug would change what the program does."""

from __future__ import annotations

import textwrap

from bughunt.bug_catalog import get_class
from bughunt.detector.checks import Obs
from bughunt.mutator import mutants_of


def mutate(bug_id: str, source: str):
    return mutants_of(textwrap.dedent(source), bug_id, get_class(bug_id).mutate)


def changed_lines(source: str, mutant) -> list[str]:
    before = set(textwrap.dedent(source).splitlines())
    return [line.strip() for line in mutant.source.splitlines() if line not in before]


def removed_lines(source: str, mutant) -> list[str]:
    after = set(mutant.source.splitlines())
    return [line.strip() for line in textwrap.dedent(source).splitlines() if line not in after]


# --- two-stage finetuning ------------------------------------------------------------------

TWO_STAGE = """
import torch
import torch.nn as nn

class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.head = nn.Linear(16, 2)

def main():
    model = Classifier()

    # Stage 1: freeze the backbone.
    for param in model.backbone.parameters():
        param.requires_grad = False
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    fit(model, optimizer)

    # Stage 2: finetune everything.
    for param in model.backbone.parameters():
        param.requires_grad = True
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    fit(model, optimizer)
"""


def test_frozen_backbone_forms_keep_the_stage_comment():
    removed, attribute = mutate("frozen-backbone-still-trains", TWO_STAGE)
    assert (removed.form, attribute.form) == ("freeze removed", "requires_grad = False set on the module")
    assert removed_lines(TWO_STAGE, removed) == ["param.requires_grad = False"]  # and its loop, twice in the file
    assert "# Stage 1: freeze the backbone." in removed.source  # the comment stays, the code goes
    assert changed_lines(TWO_STAGE, attribute) == ["model.backbone.requires_grad = False"]
    assert removed.scope == "main" and removed.site == attribute.site == 0


def test_freeze_with_requires_grad_underscore():
    source = TWO_STAGE.replace("    for param in model.backbone.parameters():\n        param.requires_grad = False\n",
                               "    model.backbone.requires_grad_(False)\n")
    forms = [(m.form, changed_lines(source, m)) for m in mutate("frozen-backbone-still-trains", source)]
    assert forms == [("freeze removed", []),
                     ("requires_grad = False set on the module", ["model.backbone.requires_grad = False"])]


def test_no_freeze_site_when_the_stage_one_optimizer_only_holds_the_head():
    source = TWO_STAGE.replace("[p for p in model.parameters() if p.requires_grad], lr=1e-2",
                               "model.head.parameters(), lr=1e-2")
    assert mutate("frozen-backbone-still-trains", source) == []  # the backbone could not move anyway


def test_never_unfrozen_only_undoes_an_earlier_freeze():
    forms = [(m.form, changed_lines(TWO_STAGE, m)) for m in mutate("never-unfrozen", TWO_STAGE)]
    assert forms == [("unfreeze removed", []),
                     ("requires_grad = True set on the module", ["model.backbone.requires_grad = True"])]
    never_frozen = TWO_STAGE.replace("        param.requires_grad = False\n", "        param.requires_grad = True\n")
    assert mutate("never-unfrozen", never_frozen) == []  # setting True twice changes nothing
    head_only = TWO_STAGE.replace("Adam(model.parameters(), lr=1e-3)", "Adam(model.head.parameters(), lr=1e-3)")
    assert mutate("never-unfrozen", head_only) == []


def test_optimizer_misses_params_forms():
    head, early = mutate("optimizer-misses-params", TWO_STAGE)
    assert head.form == "the head's parameters only"
    assert changed_lines(TWO_STAGE, head) == ["optimizer = torch.optim.Adam(model.head.parameters(), lr=1e-3)"]
    assert early.form == "built from the trainable parameters before the unfreeze"
    lines = [line.strip() for line in early.source.splitlines()]
    at = lines.index("# Stage 2: finetune everything.")
    assert lines[at + 1: at + 4] == [
        "optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)",
        "for param in model.backbone.parameters():",
        "param.requires_grad = True",
    ]
    assert lines[at + 4] == "fit(model, optimizer)"


def test_no_optimizer_site_without_an_unfreeze():
    one_stage = "import torch\nmodel = Net()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    assert mutate("optimizer-misses-params", one_stage) == []


# --- train and eval modes ----------------------------------------------------------------------

FROZEN_BN = """
import torch.nn as nn

class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(8)

def train_one_epoch(model, loader, frozen):
    model.train()
    if frozen:
        model.backbone.eval()  # keep the statistics
    for x, y in loader:
        step(model, x, y)

def evaluate(model, loader):
    model.backbone.eval()
"""


def test_frozen_batchnorm_forms():
    before, bare = mutate("frozen-batchnorm-in-train-mode", FROZEN_BN)
    assert before.form == "model.backbone.eval() before model.train()"
    body = [line.strip() for line in before.source.split("def train_one_epoch")[1].splitlines()[1:4]]
    assert body == ["if frozen:", "model.backbone.eval()  # keep the statistics", "model.train()"]
    assert bare.form == "model.backbone.eval without the call"
    assert [line.split("#")[0].strip() for line in changed_lines(FROZEN_BN, bare)] == ["model.backbone.eval"]
    assert {before.scope, bare.scope} == {"train_one_epoch"}  # evaluate() has no model.train() before it


def test_frozen_batchnorm_needs_batchnorm():
    assert mutate("frozen-batchnorm-in-train-mode", FROZEN_BN.replace("nn.BatchNorm1d(8)", "nn.Linear(8, 8)")) == []


TRAIN_VAL = """
import torch.nn as nn

def train_one_epoch(model, loader):
    model.train()
    for x, y in loader:
        step(model, x, y)

def validate(model, loader):
    model.eval()
    return score(model, loader)

def main(epochs):
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    for epoch in range(epochs):
        train_one_epoch(model, loader)
        validate(model, loader)
"""


def test_train_mode_not_restored_in_a_train_function():
    found = [(m.form, m.scope, changed_lines(TRAIN_VAL, m)) for m in mutate("train-mode-not-restored", TRAIN_VAL)]
    assert found == [("model.train() removed", "train_one_epoch", []),
                     ("model.train without the call", "train_one_epoch", ["model.train"])]


def test_train_mode_not_restored_in_the_epoch_loop_can_be_hoisted():
    source = """
    import torch.nn as nn
    def evaluate(model):
        model.eval()
    def main(epochs):
        model = nn.Sequential(nn.BatchNorm1d(4))
        history = []
        for epoch in range(epochs):
            model.train()  # per epoch
            fit(model)
            history.append(evaluate(model))
    """
    removed, bare, hoisted = mutate("train-mode-not-restored", source)
    assert hoisted.form == "model.train() once, before the epoch loop"
    lines = [line.rstrip() for line in hoisted.source.splitlines()]
    assert lines.index("    model.train()") + 1 == lines.index("    for epoch in range(epochs):")
    assert "# per epoch" not in hoisted.source


def test_train_mode_sites_need_an_evaluation_before_the_next_epoch():
    evaluated_after = TRAIN_VAL.replace("        validate(model, loader)\n", "    validate(model, loader)\n")
    assert mutate("train-mode-not-restored", evaluated_after) == []  # the model is in training mode anyway
    plain = TRAIN_VAL.replace("nn.Dropout(0.5)", "nn.ReLU()")
    assert mutate("train-mode-not-restored", plain) == []  # no layer behaves differently
    evaluated_before = TRAIN_VAL.replace("    for epoch in range(epochs):\n        train_one_epoch(model, loader)\n"
                                         "        validate(model, loader)\n",
                                         "    validate(model, loader)\n    for epoch in range(epochs):\n"
                                         "        train_one_epoch(model, loader)\n")
    assert [m.form for m in mutate("train-mode-not-restored", evaluated_before)] == [
        "model.train() removed", "model.train without the call"]


def test_train_mode_check_reads_both_layer_kinds():
    check = get_class("train-mode-not-restored").detect

    def obs(training: bool) -> Obs:
        return {"modes": [["train_one_epoch", "BatchNorm", training, True], ["validate", "BatchNorm", False, False]]}

    assert check(obs(True), obs(True)) is None
    assert check(obs(True), obs(False)) == "during train_one_epoch() the BatchNorm layers run in eval mode"


# --- custom autograd Functions ---------------------------------------------------------------

LEAKY = """
import torch

class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return torch.where(x >= 0, x, x * slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return torch.where(x >= 0, grad_output, grad_output * ctx.slope), None

class Block(torch.nn.Module):
    def forward(self, h):
        out = LeakyReLU.apply(self.fc(h), 0.1)
        out += h
        return out

def not_a_function(x, g):
    return torch.where(x >= 0, g, g * 0.1)
"""


def test_wrong_slope_forms_in_backward_only():
    found = [(m.form, m.scope, changed_lines(LEAKY, m)) for m in mutate("custom-backward-wrong-slope", LEAKY)]
    assert found == [
        ("slope dropped: gradient 1 on both sides", "LeakyReLU.backward",
         ["return torch.where(x >= 0, grad_output, grad_output), None"]),
        ("slope on the positive side", "LeakyReLU.backward",
         ["return torch.where(x >= 0, grad_output * ctx.slope, grad_output), None"]),
        ("test of the side turned around", "LeakyReLU.backward",
         ["return torch.where(x < 0, grad_output, grad_output * ctx.slope), None"]),
    ]  # not_a_function() is no backward: no site


def test_wrong_slope_with_a_masked_in_place_product():
    source = """
    import torch
    from torch.autograd import Function
    class Leaky(Function):
        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            grad = grad_output.clone()
            grad[x < 0] *= ctx.slope
            return grad, None
    """
    removed, flipped = mutate("custom-backward-wrong-slope", source)
    assert removed_lines(source, removed) == ["grad[x < 0] *= ctx.slope"]
    assert changed_lines(source, flipped) == ["grad[x >= 0] *= ctx.slope"]


def test_missing_save_for_backward_forms():
    found = {m.form: m for m in mutate("missing-save-for-backward", LEAKY)}
    assert list(found) == ["save_for_backward() removed", "the output saved instead of the input",
                           "side chosen from grad_output"]
    assert removed_lines(LEAKY, found["save_for_backward() removed"]) == ["ctx.save_for_backward(x)"]
    forward = found["the output saved instead of the input"].source.split("def forward(ctx, x, slope):")[1]
    assert [line.strip() for line in forward.splitlines()[1:5]] == [
        "ctx.slope = slope", "out = torch.where(x >= 0, x, x * slope)", "ctx.save_for_backward(out)", "return out"]
    assert changed_lines(LEAKY, found["side chosen from grad_output"]) == [
        "return torch.where(grad_output >= 0, grad_output, grad_output * ctx.slope), None"]


def test_saving_the_output_is_only_a_bug_when_something_changes_it_in_place():
    out_of_place = LEAKY.replace("        out += h\n", "        out = out + h\n")
    forms = [m.form for m in mutate("missing-save-for-backward", out_of_place)]
    assert "the output saved instead of the input" not in forms


# --- distributed sampling ------------------------------------------------------------------------

SAMPLER = """
from torch.utils.data.distributed import DistributedSampler

def train(dataset, rank, epochs):
    sampler = DistributedSampler(dataset, num_replicas=2, rank=rank, shuffle=True)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)  # a new shuffle every epoch
        run_epoch(sampler)
"""


def test_set_epoch_removed_or_constant():
    removed, constant = mutate("sampler-set-epoch-missing", SAMPLER)
    assert (removed.form, constant.form) == ("set_epoch() removed", "set_epoch(0)")
    assert removed_lines(SAMPLER, removed) == ["sampler.set_epoch(epoch)  # a new shuffle every epoch"]
    assert changed_lines(SAMPLER, constant) == ["sampler.set_epoch(0)"]  # its comment would give it away


def test_no_set_epoch_site_without_shuffling_or_outside_the_loop():
    assert mutate("sampler-set-epoch-missing", SAMPLER.replace("shuffle=True", "shuffle=False")) == []
    once = "sampler.set_epoch(0)\n"
    assert mutate("sampler-set-epoch-missing", once) == []
