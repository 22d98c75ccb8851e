"""lr-decayed-twice: a manual decay of param_group['lr'] added after scheduler.step()."""

from __future__ import annotations

from .helpers import LOOP, mutate

# another style: the scheduler and its optimizer built in the same function, a gamma of its own
SAME_SCOPE = """
from torch.optim import SGD
from torch.optim.lr_scheduler import ExponentialLR

def fit(net, data, epochs):
    opt = SGD(net.parameters(), lr=0.1)
    sched = ExponentialLR(opt, gamma=0.9)
    for epoch in range(epochs):
        run_epoch(net, data, opt)
        sched.step()
"""


def _added(source, mutant):
    before = source.splitlines()
    return [line.strip() for line in mutant.source.splitlines() if line not in before]


def test_forms_through_the_scheduler():
    every, first = mutate("lr-decayed-twice", LOOP)
    assert _added(LOOP, every) == ["for group in scheduler.optimizer.param_groups:", 'group["lr"] *= 0.5']
    assert _added(LOOP, first) == ['scheduler.optimizer.param_groups[0]["lr"] *= 0.5']


def test_forms_with_the_optimizer_in_scope():
    every, first = mutate("lr-decayed-twice", SAME_SCOPE)
    assert every.form == "every param group's lr also decayed by hand after scheduler.step()"
    assert _added(SAME_SCOPE, every) == ["for group in opt.param_groups:", 'group["lr"] *= 0.9']
    assert _added(SAME_SCOPE, first) == ['opt.param_groups[0]["lr"] *= 0.9']
    lines = every.source.splitlines()
    assert lines[lines.index("        sched.step()") + 1] == "        for group in opt.param_groups:"


def test_near_miss():
    # an optimizer's step() is no scheduler's
    assert mutate("lr-decayed-twice", SAME_SCOPE.replace("        sched.step()\n", "        opt.step()\n")) == []
