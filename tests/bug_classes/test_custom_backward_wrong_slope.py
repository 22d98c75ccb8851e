"""custom-backward-wrong-slope: a custom Function's backward applies its slope on the wrong side."""

from __future__ import annotations

from .helpers import LEAKY, changed_lines, mutate, removed_lines


def test_forms_in_backward_only():
    found = [(m.form, m.scope, changed_lines(LEAKY, m)) for m in mutate("custom-backward-wrong-slope", LEAKY)]
    assert found == [
        ("slope dropped: gradient 1 on both sides", "LeakyReLU.backward",
         ["return torch.where(x >= 0, grad_output, grad_output), None"]),
        ("slope on the positive side", "LeakyReLU.backward",
         ["return torch.where(x >= 0, grad_output * ctx.slope, grad_output), None"]),
        ("test of the side turned around", "LeakyReLU.backward",
         ["return torch.where(x < 0, grad_output, grad_output * ctx.slope), None"]),
    ]  # not_a_function() is no backward: no site


def test_with_a_masked_in_place_product():
    source = """
    import torch
    from torch.autograd import Function
    class Leaky(Function):
        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            grad = grad_output.clone()
            grad[x < 0] *= ctx.slope
            return grad, None
    """
    removed, flipped = mutate("custom-backward-wrong-slope", source)
    assert removed_lines(source, removed) == ["grad[x < 0] *= ctx.slope"]
    assert changed_lines(source, flipped) == ["grad[x >= 0] *= ctx.slope"]


def test_no_site_outside_a_backward_or_without_a_side():
    source = """
    import torch
    def not_a_function(x, g):
        return torch.where(x >= 0, g, g * 0.1)
    class Double(torch.autograd.Function):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2
    """
    assert mutate("custom-backward-wrong-slope", source) == []
