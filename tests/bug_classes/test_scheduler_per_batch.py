"""scheduler-per-batch: the epoch's scheduler.step() moved into the batch loop."""

from __future__ import annotations

from bughunt.detector import checks

from .helpers import LOOP, mutate, obs


def step(lr: float) -> dict:
    return {"phase": "train", "lr": [lr], "grad": 1.0, "missing": []}


def test_moves_into_the_batch_loop_without_its_comment():
    source = LOOP.replace("scheduler.step()", "scheduler.step()  # per epoch")
    assert [m.form for m in mutate("scheduler-per-batch", source)] == [
        "scheduler.step() at the end of the batch loop"]  # right after optimizer.step() is the same place here
    source = source.replace("optimizer.step()", "optimizer.step()\n            seen += 1")
    at_end, after_step = mutate("scheduler-per-batch", source)
    for mutant in (at_end, after_step):
        assert "# per epoch" not in mutant.source
        assert "            scheduler.step()  # take a step" in mutant.source.splitlines()
    assert at_end.form.endswith("end of the batch loop") and after_step.form.endswith("after optimizer.step()")


def test_exact_mutant_of_the_plain_loop():
    [found] = mutate("scheduler-per-batch", LOOP)
    loop = [line.strip() for line in found.source.split("for x, y in loader:")[1].splitlines() if line.strip()]
    assert loop == ["optimizer.zero_grad()", "loss = criterion(model(x), y)", "loss.backward()",
                    "optimizer.step()", "scheduler.step()"]


def test_no_site_when_it_already_steps_per_batch():
    per_batch_already = LOOP.replace("        scheduler.step()", "            scheduler.step()")
    assert mutate("scheduler-per-batch", per_batch_already) == []


def test_lr_schedule_check():
    ref = obs(steps=[step(0.1), step(0.1)])
    assert checks.lr_schedule(ref, obs(steps=[step(0.1), step(0.05)])) == \
        "optimizer step 2 uses learning rate 0.05 instead of 0.1"
    assert checks.lr_schedule(ref, ref) is None
