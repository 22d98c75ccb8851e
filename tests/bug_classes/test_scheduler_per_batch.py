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


def test_no_site_when_the_called_function_has_no_loop_or_gets_no_loader():
    defined_here = EPOCHS_CALL_ELSEWHERE.replace("from mypkg.engine import train_one_epoch\n",
                                                 "def train_one_epoch(model, loader, opt):\n    return 0.0\n")
    assert mutate("scheduler-per-batch", defined_here) == []  # no batch loop in it
    assert mutate("scheduler-per-batch", EPOCHS_CALL_ELSEWHERE.replace("model, train_loader, opt", "model, opt")) == []
    assert mutate("scheduler-per-batch", EPOCHS_CALL_ELSEWHERE.replace("sched.step()", "sched.step(loss)")) == []


def test_an_epoch_function_of_the_same_file_steps_the_schedule_per_batch_in_mutate_only():
    """The pytorch/examples layout: train() defined in the file, called per epoch with the loader
    and the optimizer, scheduler.step() after it. The scheduler is not train()'s to step, so the
    bug is the schedule advanced once per batch of that loader; a loop of steps would point at
    itself in an exercise, so the form is for ``bughunt mutate`` only."""
    from bughunt.clean_programs import get_program
    from bughunt.exercise import mutants

    source = """
    import torch
    def train(model, device, train_loader, optimizer, epoch):
        for data, target in train_loader:
            optimizer.zero_grad()
            torch.nn.functional.nll_loss(model(data), target).backward()
            optimizer.step()
    def main(model, train_loader, epochs):
        optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
        for epoch in range(1, epochs + 1):
            train(model, "cpu", train_loader, optimizer, epoch)
            print(epoch)
            scheduler.step()
    """
    [found] = mutate("scheduler-per-batch", source)
    assert found.form == "scheduler.step() once per batch of the called epoch" and not found.edit.exercise
    assert "        for _ in range(len(train_loader)):\n            scheduler.step()\n" in found.source
    printed = source.replace('train(model, "cpu"', 'print(model, "cpu"')  # a builtin, not a training function
    assert mutate("scheduler-per-batch", printed) == []
    for program_id in ("industry/normalised_regression", "cumulative/end_to_end"):  # the layout of these two
        assert all(m.edit.exercise for m in mutants(get_program(program_id)))
        assert "once per batch of the called epoch" not in {m.form for m in mutants(get_program(program_id))}


def test_a_function_run_per_epoch_and_a_guarded_step():
    """A trainer's train_epoch(): the batch loop and then, guarded, the scheduler's step; the
    guard moves into the batch loop with it."""
    source = """
    class Trainer:
        def train_epoch(self, loader):
            for batch in loader:
                self.optimizer.zero_grad()
                self.model(batch).sum().backward()
                self.optimizer.step()
                self.seen += 1
            if self.scheduler is not None:
                self.scheduler.step()
            return self.seen
    """
    at_end, after_step = mutate("scheduler-per-batch", source)
    assert "            self.seen += 1\n            if self.scheduler is not None:\n                self.scheduler.step()\n" \
           "        return self.seen\n" in at_end.source
    assert "            self.optimizer.step()\n            if self.scheduler is not None:\n" \
           "                self.scheduler.step()\n            self.seen += 1\n        return self.seen\n" in after_step.source
    assert at_end.edit.exercise and after_step.edit.exercise
