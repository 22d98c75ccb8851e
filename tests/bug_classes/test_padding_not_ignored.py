"""padding-not-ignored: the padded targets counted by the sequence loss."""

from __future__ import annotations

from .helpers import forms, mutate, sites_in

# A translation-style decoder loss: CrossEntropyLoss built with the pad id from a vocabulary.
MODULE = """
import torch.nn as nn

def make_criterion(vocab):
    return nn.CrossEntropyLoss(ignore_index=vocab.pad_id, label_smoothing=0.1)
"""

# The functional loss with the pad id as the last keyword, over several lines.
FUNCTIONAL = """
from torch.nn import functional as F

def token_loss(logits, targets, pad):
    return F.cross_entropy(
        logits.transpose(1, 2),
        targets,
        ignore_index=pad,
    )
"""


def test_ignore_index_dropped_in_two_styles():
    assert forms("padding-not-ignored", MODULE) == [
        ("ignore_index dropped", ["return nn.CrossEntropyLoss(label_smoothing=0.1)"])]
    [mutant] = mutate("padding-not-ignored", FUNCTIONAL)
    assert "        targets,\n    )" in mutant.source and "ignore_index" not in mutant.source


def test_near_misses_are_no_sites():
    # -100 is what the loss ignores anyway: dropping it changes nothing
    default = MODULE.replace("vocab.pad_id", "-100")
    # a loss of the user's own with the same keyword
    own = "def make(vocab):\n    return MyLoss(ignore_index=vocab.pad_id)\n"
    for source in (default, own):
        assert mutate("padding-not-ignored", source) == [], source


def test_sites_in_the_clean_programs():
    assert sites_in("transformers/rnn_language_model", "padding-not-ignored") == 1
    assert sites_in("data/sequence_tagger", "padding-not-ignored") == 1
