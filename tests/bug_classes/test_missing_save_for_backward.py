"""missing-save-for-backward: backward reads a tensor forward no longer saves, or the wrong one."""

from __future__ import annotations

from .helpers import LEAKY, changed_lines, mutate, removed_lines


def test_forms():
    found = {m.form: m for m in mutate("missing-save-for-backward", LEAKY)}
    assert list(found) == ["save_for_backward() removed", "the output saved instead of the input",
                           "side chosen from grad_output"]
    assert removed_lines(LEAKY, found["save_for_backward() removed"]) == ["ctx.save_for_backward(x)"]
    forward = found["the output saved instead of the input"].source.split("def forward(ctx, x, slope):")[1]
    assert [line.strip() for line in forward.splitlines()[1:5]] == [
        "ctx.slope = slope", "out = torch.where(x >= 0, x, x * slope)", "ctx.save_for_backward(out)", "return out"]
    assert changed_lines(LEAKY, found["side chosen from grad_output"]) == [
        "return torch.where(grad_output >= 0, grad_output, grad_output * ctx.slope), None"]


def test_saving_the_output_is_only_a_bug_when_something_changes_it_in_place():
    out_of_place = LEAKY.replace("        out += h\n", "        out = out + h\n")
    forms = [m.form for m in mutate("missing-save-for-backward", out_of_place)]
    assert "the output saved instead of the input" not in forms


def test_no_site_in_a_function_that_saves_nothing():
    source = """
    import torch
    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2
    """
    assert mutate("missing-save-for-backward", source) == []
