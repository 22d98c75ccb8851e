"""clip-before-backward: gradient clipping moved before backward() or after step()."""

from __future__ import annotations

from .helpers import ACCUMULATION, SCRIPT, body, mutate


def test_clip_moves_before_backward_or_after_step():
    before, after = mutate("clip-before-backward", ACCUMULATION)
    assert (before.form, after.form) == ("clip before backward()", "clip after step()")
    clip = "norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)"
    lines = body(before, "train")
    assert lines.index(clip) == lines.index("loss.backward()") - 1
    lines = body(after, "train")
    assert lines.index(clip) == lines.index("optimizer.step()") + 1


def test_a_top_level_script_is_reordered_too():
    assert [body(m)[-3:] for m in mutate("clip-before-backward", SCRIPT)] == [
        ["torch.nn.utils.clip_grad_norm_(params, 0.1)", "loss.backward()", "optimizer.step()"],
        ["loss.backward()", "optimizer.step()", "torch.nn.utils.clip_grad_norm_(params, 0.1)"]]


def test_clip_stays_before_a_step_that_reads_its_norm():
    source = ACCUMULATION.replace("            optimizer.step()\n            norms.append(norm.item())",
                                  "            norms.append(norm.item())\n            optimizer.step()")
    assert [m.form for m in mutate("clip-before-backward", source)] == ["clip before backward()"]


def test_clip_outside_a_training_step_is_not_a_site():
    source = "import torch.nn as nn\ndef f(model):\n    nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"
    assert mutate("clip-before-backward", source) == []
