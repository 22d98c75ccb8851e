"""missing-eval-batchnorm: model.eval() removed, or train() instead, where the model has batch norm."""

from __future__ import annotations

from .helpers import forms, mutate

WITH_BN = "import torch.nn as nn\nmodel = nn.Sequential(nn.Dropout(0.5), nn.BatchNorm1d(4))\ndef validate():\n    model.eval()\n"


def test_eval_removed_or_train_instead():
    assert forms("missing-eval-batchnorm", WITH_BN) == [
        ("eval() removed", ["pass"]), ("train() instead of eval()", ["model.train()"])]


def test_split_from_dropout_by_layer_kind():
    assert len(mutate("missing-eval-batchnorm", WITH_BN)) == 2
    with_dropout = WITH_BN.replace(", nn.BatchNorm1d(4)", "")
    assert mutate("missing-eval-batchnorm", with_dropout) == []  # missing-eval-dropout's site
    assert mutate("missing-eval-batchnorm", WITH_BN.replace("model.eval()", "model.train()")) == []
