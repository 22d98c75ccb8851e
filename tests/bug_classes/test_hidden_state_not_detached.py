"""hidden-state-not-detached: truncated BPTT whose state keeps the graph of every earlier chunk."""

from __future__ import annotations

from .helpers import changed_lines, forms, mutate, removed_lines, sites_in

# A word-level LM in the style of the classic examples: a helper that detaches a tensor or a tuple.
REPACKAGE = """
import torch

def repackage(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage(v) for v in h)

def train_epoch(rnn, batches, loss_fn, opt):
    hidden = rnn.init_hidden(20)
    for i, (x, y) in enumerate(batches):
        hidden = repackage(hidden)
        rnn.zero_grad()
        output, hidden = rnn(x, hidden)
        loss = loss_fn(output.view(-1, 100), y)
        loss.backward()
        opt.step()
"""

# An LSTM cell state unpacked into h and c and detached in place, in a while loop.
IN_PLACE = """
def fit(cell, stream, optimizer):
    h, c = cell.zeros()
    t = 0
    while t < len(stream):
        h.detach_()
        c.detach_()
        out, (h, c) = cell(stream[t], (h, c))
        out.pow(2).mean().backward()
        optimizer.step()
        t += 1
"""

# Both detached in one statement, guarded for the first chunk.
GUARDED = """
def run(model, chunks, optimizer):
    state = None
    for x in chunks:
        if state is not None:
            state = (state[0].detach(), state[1].detach())
        y, state = model(x, state)
        y.sum().backward()
        optimizer.step()
"""


def test_the_detach_removed_in_three_styles():
    assert forms("hidden-state-not-detached", REPACKAGE) == [("state detach removed", [])]
    assert removed_lines(REPACKAGE, mutate("hidden-state-not-detached", REPACKAGE)[0]) == ["hidden = repackage(hidden)"]
    assert [m.form for m in mutate("hidden-state-not-detached", IN_PLACE)] == ["state detach removed"] * 2
    guarded, partial = mutate("hidden-state-not-detached", GUARDED)
    assert removed_lines(GUARDED, guarded) == ["if state is not None:", "state = (state[0].detach(), state[1].detach())"]
    assert (partial.form, changed_lines(GUARDED, partial)) == (
        "only part of the state detached", ["state = (state[0].detach(), state[1])"])


def test_near_misses_are_no_sites():
    # evaluation: no backward in the loop, the detach changes nothing
    evaluation = REPACKAGE.replace("        loss.backward()\n", "")
    # a fresh state every batch: nothing is carried, so nothing to cut
    fresh = REPACKAGE.replace("        hidden = repackage(hidden)\n",
                              "        hidden = rnn.init_hidden(20)\n        hidden = repackage(hidden)\n")
    fresh = fresh.replace("output, hidden = rnn(x, hidden)", "output, _ = rnn(x, hidden)")
    # a detached copy of another tensor
    other = GUARDED.replace("state = (state[0].detach(), state[1].detach())", "x = x.detach()")
    for source in (evaluation, fresh, other):
        assert mutate("hidden-state-not-detached", source) == [], source


def test_sites_in_the_clean_programs():
    assert sites_in("transformers/rnn_language_model", "hidden-state-not-detached") == 1
    assert sites_in("data/sequence_tagger", "hidden-state-not-detached") == 1
