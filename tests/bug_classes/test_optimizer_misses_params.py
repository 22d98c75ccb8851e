"""optimizer-misses-params: the stage-two optimizer holds the head only, or is built before the unfreeze."""

from __future__ import annotations

from bughunt.bug_catalog import get_class

from .helpers import TWO_STAGE, changed_lines, mutate


def test_forms():
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


def test_no_site_without_an_unfreeze():
    one_stage = "import torch\nmodel = Net()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    assert mutate("optimizer-misses-params", one_stage) == []


def test_detector_names_the_parameters_no_optimizer_updates():
    check = get_class("optimizer-misses-params").detect
    ref = {"params": {"0:backbone.fc.weight": 0, "0:backbone.fc.bias": 0, "1:head.weight": 0, "#3": 0}}
    assert check(ref, ref) is None
    # the message names the candidate's own parameters that the forward pass used and no optimizer holds
    idle = {"backbone.fc.weight": {"role": "Linear.weight", "shape": [2, 3]},
            "backbone.fc.bias": {"role": "Linear.bias", "shape": [2]}}
    assert check(ref, {"params": {"0:head.weight": 0}, "unoptimized": idle}) == \
        "no optimizer updates backbone.fc.weight and 1 more"
    assert check(ref, {"params": {"0:head.weight": 0}}) == \
        "the optimizers update 1 parameter tensors; the reference's update 3"
    assert check(ref, {"params": {"1:backbone.fc.weight": 0, "0:backbone.fc.bias": 0, "head.weight": 0}}) is None
