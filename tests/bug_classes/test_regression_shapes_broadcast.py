"""regression-shapes-broadcast: an elementwise loss given (N, 1) and (N,), which broadcast to (N, N)."""

from __future__ import annotations

from .helpers import forms, mutate, sites_in

# Targets lifted to a column to meet a one-output head, with the functional loss.
TARGET_SIDE = """
import torch.nn.functional as F

def step(net, x, y, opt):
    opt.zero_grad()
    loss = F.mse_loss(net(x), y.unsqueeze(1))
    loss.backward()
    opt.step()
"""

# A value head whose forward flattens its column, trained with SmoothL1Loss bound to a name.
FORWARD = """
import torch
import torch.nn as nn

class ValueHead(nn.Module):
    def forward(self, h):
        return self.out(h).view(-1)

def fit(h, returns):
    head = ValueHead()
    loss_fn = nn.SmoothL1Loss()
    values = head(h)
    return loss_fn(values, returns)
"""


def test_the_alignment_removed_on_either_side():
    assert forms("regression-shapes-broadcast", TARGET_SIDE) == [
        (".unsqueeze(1) removed before the loss", ["loss = F.mse_loss(net(x), y)"])]
    assert forms("regression-shapes-broadcast", FORWARD) == [
        (".view(-1) removed before the loss", ["return self.out(h)"])]


def test_near_misses_are_no_sites():
    # a reshape that does not move between (N,) and (N, 1)
    other_dims = TARGET_SIDE.replace("y.unsqueeze(1)", "y.view(-1, 4)")
    # CrossEntropyLoss takes (N, C) against (N,) on purpose
    classification = TARGET_SIDE.replace("F.mse_loss(net(x), y.unsqueeze(1))", "F.cross_entropy(net(x).view(-1, 3), y)")
    for source in (other_dims, classification):
        assert mutate("regression-shapes-broadcast", source) == [], source


def test_sites_in_the_clean_programs():
    assert sites_in("training/regression_loop", "regression-shapes-broadcast") == 1
    assert sites_in("transformers/gru_forecaster", "regression-shapes-broadcast") == 1
