"""accumulation-zero-grad-every-batch: gradients cleared on every micro-batch, so nothing accumulates."""

from __future__ import annotations

from .helpers import ACCUMULATION, HISTORY_LOOP, body, changed_lines, mutate


def test_two_forms():
    every, before_backward = mutate("accumulation-zero-grad-every-batch", ACCUMULATION)
    assert changed_lines(ACCUMULATION, every) == ["optimizer.zero_grad()  # reset the gradients"]
    assert "i % accum_steps == 0" not in every.source and "# a new group" not in every.source
    lines = body(before_backward, "train")
    assert lines.index("optimizer.zero_grad()  # reset the gradients") == lines.index("loss.backward()") - 1
    assert "i % accum_steps == 0" not in before_backward.source


def test_zero_grad_after_the_step_in_the_same_if_leaves_the_if():
    source = ACCUMULATION.replace("        if i % accum_steps == 0:\n            optimizer.zero_grad()  # a new group\n", "")
    source = source.replace("            norms.append(norm.item())",
                            "            norms.append(norm.item())\n            optimizer.zero_grad()")
    every, _ = mutate("accumulation-zero-grad-every-batch", source)
    lines = body(every, "train")
    assert lines[-2:] == ["optimizer.zero_grad()", "return norms"]  # after the if, on every micro-batch


def test_a_plain_loop_is_not_accumulation():
    assert mutate("accumulation-zero-grad-every-batch", HISTORY_LOOP) == []
