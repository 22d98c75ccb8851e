"""step-before-backward: optimizer.step() moved before backward() or before zero_grad()."""

from __future__ import annotations

from .helpers import ACCUMULATION, HISTORY_LOOP, SCRIPT, body, mutate


def test_step_moves_before_backward_or_before_zero_grad():
    before_backward, before_zero_grad = mutate("step-before-backward", HISTORY_LOOP)
    assert before_backward.form == "step() before backward()" and before_backward.scope == "train"
    assert body(before_backward, "train")[5:9] == [
        "optimizer.zero_grad()", "loss = criterion(model(x), y)", "optimizer.step()", "loss.backward()"]
    assert body(before_zero_grad, "train")[5:7] == ["optimizer.step()", "optimizer.zero_grad()"]
    assert all(m.source.count("optimizer.step()") == 1 for m in (before_backward, before_zero_grad))


def test_step_guarded_by_an_accumulation_if_moves_with_its_if():
    [found] = mutate("step-before-backward", ACCUMULATION)
    lines = body(found, "train")
    assert lines.index("if (i + 1) % accum_steps == 0:") < lines.index("loss.backward()")
    assert lines[lines.index("if (i + 1) % accum_steps == 0:") + 2] == "optimizer.step()"


def test_a_top_level_script_is_reordered_too():
    steps = mutate("step-before-backward", SCRIPT)
    assert body(steps[0])[-3:] == ["optimizer.step()", "loss.backward()", "torch.nn.utils.clip_grad_norm_(params, 0.1)"]
    assert body(steps[1])[2:4] == ["optimizer.step()", "optimizer.zero_grad()"] and steps[0].scope == "<module>"


def test_scheduler_steps_and_steps_without_backward_are_not_sites():
    source = """
    import torch
    def train(optimizer, scheduler, loader):
        for x in loader:
            optimizer.step()
        scheduler.step()
    """
    assert mutate("step-before-backward", source) == []
