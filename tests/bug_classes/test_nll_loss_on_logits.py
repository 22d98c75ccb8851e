"""nll-loss-on-logits: NLLLoss given what is not log-probabilities."""

from __future__ import annotations

from .helpers import forms, mutate, sites_in

# log_softmax applied inline, in the functional style with its own import name.
INLINE = """
import torch.nn.functional as fn

def loss_of(net, x, y):
    return fn.nll_loss(fn.log_softmax(net(x), dim=1), y)
"""

# A Sequential classifier ending in nn.LogSoftmax, the loss built inline from an aliased import.
SEQUENTIAL = """
import torch
from torch import nn
from torch.nn import NLLLoss as Loss

def train(x, y):
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.LogSoftmax(dim=1))
    loss = Loss()(net(x), y)
    loss.backward()
"""

# A method call on the logits, the result kept under its own name.
METHOD = """
import torch.nn as nn

def step(model, batch, targets):
    criterion = nn.NLLLoss()
    scores = model(batch)
    log_p = scores.log_softmax(-1)
    return criterion(log_p.view(-1, 5), targets.view(-1))
"""


def test_log_softmax_removed_or_made_a_softmax():
    assert forms("nll-loss-on-logits", INLINE) == [
        ("log_softmax removed before NLLLoss", ["return fn.nll_loss(net(x), y)"]),
        ("softmax instead of log_softmax", ["return fn.nll_loss(fn.softmax(net(x), dim=1), y)"]),
    ]
    assert forms("nll-loss-on-logits", METHOD) == [
        ("log_softmax removed before NLLLoss", ["log_p = scores"]),
        ("softmax instead of log_softmax", ["log_p = scores.softmax(-1)"]),
    ]


def test_the_last_layer_of_a_sequential():
    assert forms("nll-loss-on-logits", SEQUENTIAL) == [
        ("nn.LogSoftmax removed from the model", ["net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))"]),
        ("nn.Softmax instead of nn.LogSoftmax",
         ["net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1))"]),
    ]


def test_near_misses_are_no_sites():
    # CrossEntropyLoss takes logits: a log_softmax before it is harmless, and not this class
    cross_entropy = METHOD.replace("nn.NLLLoss()", "nn.CrossEntropyLoss()")
    # log-probabilities that come from somewhere the program does not show
    given = "import torch.nn.functional as F\ndef f(log_p, y):\n    return F.nll_loss(log_p, y)\n"
    for source in (cross_entropy, given):
        assert mutate("nll-loss-on-logits", source) == [], source


def test_sites_in_the_clean_programs():
    assert sites_in("transformers/rnn_language_model", "nll-loss-on-logits") == 2
    assert sites_in("data/sequence_tagger", "nll-loss-on-logits") == 2
