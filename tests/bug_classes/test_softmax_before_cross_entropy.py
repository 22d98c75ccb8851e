"""softmax-before-cross-entropy: probabilities, not logits, fed to a loss that applies log-softmax."""

from __future__ import annotations

from .helpers import forms, mutate, sites_in

CLASSIFIER = """
import torch
import torch.nn as nn

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(
            nn.LayerNorm(8),
            nn.Linear(8, 3),
        )

    def forward(self, x):
        return self.head(x)

def train(model, x, y):
    criterion = nn.CrossEntropyLoss()
    logits = model(x)
    return criterion(logits, y)

model = MLP().to(device)
"""


def test_softmax_before_the_loss_and_inside_the_model():
    assert forms("softmax-before-cross-entropy", CLASSIFIER) == [
        ("torch.softmax before the loss", ["return criterion(torch.softmax(logits, dim=1), y)"]),
        (".softmax(dim=1) before the loss", ["return criterion(logits.softmax(dim=1), y)"]),
        ("softmax at the end of forward()", ["return torch.softmax(self.head(x), dim=1)"]),
        ("nn.Softmax(dim=1) as the last layer", ["nn.Softmax(dim=1),"]),
    ]
    appended = mutate("softmax-before-cross-entropy", CLASSIFIER)[-1].source
    assert "            nn.Linear(8, 3),\n            nn.Softmax(dim=1),\n        )" in appended


def test_with_functional_import_and_reshaped_logits():
    source = """
    import torch
    import torch.nn.functional as F
    def step(model, x, y):
        logits = model(x).view(-1, 5)
        return F.cross_entropy(logits, y)
    model = nn.Sequential(nn.Linear(4, 5))
    """
    assert [form for form, _ in forms("softmax-before-cross-entropy", source)] == [
        "torch.softmax before the loss", "F.softmax before the loss"]  # reshaped: no site in the model


def test_no_site_for_losses_that_take_probabilities_or_values():
    for criterion in ("nn.MSELoss()", "nn.NLLLoss()"):
        source = CLASSIFIER.replace("nn.CrossEntropyLoss()", criterion)
        assert mutate("softmax-before-cross-entropy", source) == [], criterion


def test_sites_in_the_clean_programs():
    assert sites_in("models/residual_mlp", "softmax-before-cross-entropy") == 4
