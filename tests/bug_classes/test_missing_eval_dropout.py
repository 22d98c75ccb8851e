"""missing-eval-dropout: model.eval() removed, or train() instead, where the model has dropout."""

from __future__ import annotations

from bughunt.detector import checks

from .helpers import forms, mutate, obs

WITH_DROPOUT = "import torch.nn as nn\nmodel = nn.Sequential(nn.Dropout(0.5))\ndef validate():\n    model.eval()\n"


def test_eval_removed_or_train_instead():
    assert forms("missing-eval-dropout", WITH_DROPOUT) == [
        ("eval() removed", ["pass"]), ("train() instead of eval()", ["model.train()"])]


def test_split_from_batchnorm_by_layer_kind():
    with_bn = WITH_DROPOUT.replace("nn.Dropout(0.5)", "nn.Dropout(0.5), nn.BatchNorm1d(4)")
    plain = WITH_DROPOUT.replace("nn.Dropout(0.5)", "nn.Linear(4, 4)")
    assert [m.form for m in mutate("missing-eval-dropout", WITH_DROPOUT)] == ["eval() removed", "train() instead of eval()"]
    assert mutate("missing-eval-dropout", with_bn) == []  # missing-eval-batchnorm's site
    assert mutate("missing-eval-dropout", plain) == []  # eval() changes nothing without such layers


def test_layer_mode_only_complains_about_phases_the_reference_fixed():
    ref = obs(modes=[["train_one_epoch", "Dropout", True, True], ["validate", "Dropout", False, False]])
    buggy = obs(modes=[["train_one_epoch", "Dropout", True, True], ["validate", "Dropout", True, False]])
    extra_phase = obs(modes=[["helper", "Dropout", True, False]])
    check = checks.layer_mode("Dropout")
    assert check(ref, buggy) == "during validate() the Dropout layers run in training mode"
    assert check(ref, ref) is None
    assert check(ref, extra_phase) is None
    assert checks.layer_mode("BatchNorm")(ref, buggy) is None


FROM_ELSEWHERE = """
import torch
from mypkg.model import build_model

@torch.no_grad()
def evaluate(net, batches):
    net.eval()
    return [net(x).argmax(dim=1) for x, _ in batches]
"""


def test_a_model_built_in_another_module_shares_the_forms_with_batchnorm():
    # what it holds cannot be seen here: this class takes eval() removed, the other train()
    assert forms("missing-eval-dropout", FROM_ELSEWHERE) == [("eval() removed", [])]
    assert forms("missing-eval-batchnorm", FROM_ELSEWHERE) == [("train() instead of eval()", ["net.train()"])]


def test_a_program_that_builds_its_model_without_such_layers_has_no_site():
    builds_here = FROM_ELSEWHERE.replace("from mypkg.model import build_model", "from torch import nn\nnet = nn.Linear(4, 2)")
    assert mutate("missing-eval-dropout", builds_here) == [] and mutate("missing-eval-batchnorm", builds_here) == []
    with_a_module = FROM_ELSEWHERE + "class Net(torch.nn.Module):\n    pass\n"
    assert mutate("missing-eval-dropout", with_a_module) == []
