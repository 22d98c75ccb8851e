"""train-mode-not-restored: model.train() removed or hoisted, so training continues in eval mode."""

from __future__ import annotations

from bughunt.bug_catalog import get_class
from bughunt.detector.checks import Obs

from .helpers import changed_lines, mutate

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


def test_in_a_train_function():
    found = [(m.form, m.scope, changed_lines(TRAIN_VAL, m)) for m in mutate("train-mode-not-restored", TRAIN_VAL)]
    assert found == [("model.train() removed", "train_one_epoch", []),
                     ("model.train without the call", "train_one_epoch", ["model.train"])]


def test_in_the_epoch_loop_can_be_hoisted():
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
    assert lines.index("    model.train()  # set the mode") + 1 == lines.index("    for epoch in range(epochs):")
    assert "# per epoch" not in hoisted.source


def test_sites_need_an_evaluation_before_the_next_epoch():
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


def test_check_reads_both_layer_kinds():
    check = get_class("train-mode-not-restored").detect

    def obs(training: bool) -> Obs:
        return {"modes": [["train_one_epoch", "BatchNorm", training, True], ["validate", "BatchNorm", False, False]]}

    assert check(obs(True), obs(True)) is None
    assert check(obs(True), obs(False)) == "during train_one_epoch() the BatchNorm layers run in eval mode"
