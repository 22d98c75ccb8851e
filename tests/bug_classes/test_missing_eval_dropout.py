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
