"""bce-sigmoid-mismatch: a sigmoid missing before BCELoss, or one too many before BCEWithLogitsLoss."""

from __future__ import annotations

from .helpers import forms, mutate, sites_in

# A multi-label head: probabilities by torch.sigmoid, the functional BCE on them.
PROBABILITIES = """
import torch
import torch.nn.functional as F

def loss_fn(model, images, tags):
    probs = torch.sigmoid(model(images))
    return F.binary_cross_entropy(probs, tags.float())
"""

# A detector whose forward ends with .sigmoid(), trained with nn.BCELoss.
FORWARD = """
import torch.nn as nn

class Scorer(nn.Module):
    def forward(self, x):
        return self.fc(x).sigmoid().squeeze(1)

def fit(x, y):
    scorer = Scorer()
    loss = nn.BCELoss()(scorer(x), y)
"""

# Logits into BCEWithLogitsLoss, from a Sequential model written one layer per line.
LOGITS = """
import torch
from torch import nn

def main(x, y):
    model = nn.Sequential(
        nn.Linear(3, 8),
        nn.ReLU(),
        nn.Linear(8, 1),
    )
    criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0]))
    return criterion(model(x), y)
"""


def test_the_sigmoid_removed_before_bce():
    assert forms("bce-sigmoid-mismatch", PROBABILITIES) == [
        ("sigmoid removed before BCELoss", ["probs = model(images)"])]
    assert forms("bce-sigmoid-mismatch", FORWARD) == [
        ("sigmoid removed before BCELoss", ["return self.fc(x).squeeze(1)"])]


def test_a_sigmoid_added_before_bce_with_logits():
    found = forms("bce-sigmoid-mismatch", LOGITS)
    assert found[0] == ("torch.sigmoid before BCEWithLogitsLoss", ["return criterion(torch.sigmoid(model(x)), y)"])
    assert found[1][0] == "nn.Sigmoid() as the last layer"
    assert "        nn.Linear(8, 1),\n        nn.Sigmoid(),\n    )" in mutate("bce-sigmoid-mismatch", LOGITS)[1].source


def test_near_misses_are_no_sites():
    # a sigmoid already before BCEWithLogitsLoss: that is the bug, not a site for another
    doubled = LOGITS.replace("criterion(model(x), y)", "criterion(torch.sigmoid(model(x)), y)")
    # a sigmoid that feeds a regression loss
    regression = PROBABILITIES.replace("F.binary_cross_entropy", "F.mse_loss")
    assert [f for f, _ in forms("bce-sigmoid-mismatch", doubled)] == []
    assert mutate("bce-sigmoid-mismatch", regression) == []


def test_sites_in_the_clean_programs():
    assert sites_in("advanced/gan", "bce-sigmoid-mismatch") == 4  # three loss calls, the Sequential
    assert sites_in("models/conditional_gan", "bce-sigmoid-mismatch") == 1
    assert sites_in("data/sequence_batches", "bce-sigmoid-mismatch") == 1
