"""flow-target-reversed: flow matching interpolates or regresses in the wrong direction."""

from __future__ import annotations

from .helpers import forms, mutate

FLOW = """
def loss(model, x1, criterion):
    x0 = torch.randn_like(x1)
    t = torch.rand(x1.size(0), 1)
    x_t = (1 - t) * x0 + t * x1
    target = x1 - x0
    return criterion(model(x_t, t), target)
"""


def test_forms():
    assert forms("flow-target-reversed", FLOW) == [
        ("interpolation weights swapped", ["x_t = (1 - t) * x1 + t * x0"]),
        ("target x0 - x1", ["target = x0 - x1"]),
    ]


def test_interpolation_in_other_orders():
    source = FLOW.replace("(1 - t) * x0 + t * x1", "x1 * t + x0 * (1.0 - t)").replace(
        "target = x1 - x0", "pass").replace("model(x_t, t), target", "model(x_t, t), x1 - x0")
    assert forms("flow-target-reversed", source) == [
        ("interpolation weights swapped", ["x_t = x0 * t + x1 * (1.0 - t)"]),
        ("target x0 - x1", ["return criterion(model(x_t, t), x0 - x1)"]),
    ]
    ema = "def update(avg, new, decay):\n    return decay * avg + (1 - decay) * new\n"
    assert [m.form for m in mutate("flow-target-reversed", ema)] == ["interpolation weights swapped"]


def test_no_site_for_weights_that_do_not_sum_to_one():
    unrelated = "def f(a, b, t):\n    return (1 - t) * a + s * b\n"
    assert mutate("flow-target-reversed", unrelated) == []


def test_no_site_in_a_moving_average():
    # seen in a reinforcement-learning script: the same weights, but one endpoint is the result
    source = "def update(avg, reward, alpha):\n    avg = (1 - alpha) * avg + alpha * reward\n    return avg\n"
    assert mutate("flow-target-reversed", source) == []
    path = source.replace("avg = (1 - alpha)", "x_t = (1 - alpha)").replace("return avg", "return x_t")
    assert [m.form for m in mutate("flow-target-reversed", path)] == ["interpolation weights swapped"]
