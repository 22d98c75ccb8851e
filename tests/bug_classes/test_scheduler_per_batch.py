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


EPOCHS_CALL_ELSEWHERE = """
import torch
from mypkg.engine import train_one_epoch

def fit(model, train_loader, epochs):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for epoch in range(epochs):
        loss = train_one_epoch(model, train_loader, opt)
        sched.step()
"""


def test_an_epoch_loop_that_calls_a_train_function_from_another_module():
    [found] = mutate("scheduler-per-batch", EPOCHS_CALL_ELSEWHERE)
    assert found.form == "scheduler.step() once per batch of the called epoch"
    loop = [line.strip() for line in found.source.split("for epoch in range(epochs):")[1].splitlines() if line.strip()]
    assert loop == ["loss = train_one_epoch(model, train_loader, opt)", "for _ in range(len(train_loader)):",
                    "sched.step()"]


def test_no_site_when_the_called_function_is_defined_here_or_gets_no_loader():
    defined_here = EPOCHS_CALL_ELSEWHERE.replace("from mypkg.engine import train_one_epoch\n",
                                                 "def train_one_epoch(model, loader, opt):\n    return 0.0\n")
    assert mutate("scheduler-per-batch", defined_here) == []  # its batch loop would be in sight
    assert mutate("scheduler-per-batch", EPOCHS_CALL_ELSEWHERE.replace("model, train_loader, opt", "model, opt")) == []
    assert mutate("scheduler-per-batch", EPOCHS_CALL_ELSEWHERE.replace("sched.step()", "sched.step(loss)")) == []
