"""A program that reads verify's instrumentation and behaves well only while watched is refused:
verify also runs the candidate unobserved (no hooks, no wrappers) and requires the same results."""

from __future__ import annotations

import json

import pytest

from conftest import edit, make_exercise

BEFORE_FORWARD = "            logits = model(batch_x)\n"

# Each one zeroes the gradients only when it sees a trace of the instrumentation.
CHEATS = {
    "reads the module hooks": "torch.nn.modules.module._global_forward_pre_hooks",
    "reads the optimizer hooks": "__import__('torch.optim.optimizer', fromlist=['_'])._global_optimizer_pre_hooks",
    "sees its functions wrapped": "hasattr(train, '__wrapped__')",
}


def verdict(bughunt, path):
    result = bughunt("verify", path, "--json")
    [entry] = json.loads(result.output)
    return result.exit_code, entry["message"]


@pytest.mark.parametrize("trace", CHEATS.values(), ids=CHEATS.keys())
def test_a_fix_that_works_only_while_observed_is_refused(bughunt, tmp_path, trace):
    path = make_exercise(tmp_path, "training/classification_loop", "missing-zero-grad", "zero_grad() removed")
    edit(path, BEFORE_FORWARD, f"            if {trace}:\n                optimizer.zero_grad()\n{BEFORE_FORWARD}")
    code, message = verdict(bughunt, path)
    assert code == 1
    assert "behaves differently when verify does not observe it: unobserved, history[0] is" in message


def test_a_program_that_fails_only_when_unobserved_is_refused(bughunt, tmp_path):
    path = make_exercise(tmp_path, "training/classification_loop", "missing-zero-grad", "zero_grad() removed")
    edit(path, BEFORE_FORWARD, "            optimizer.zero_grad()\n"
                               "            assert torch.nn.modules.module._global_forward_pre_hooks\n" + BEFORE_FORWARD)
    code, message = verdict(bughunt, path)
    assert code == 1 and "when not observed by verify, AssertionError at line" in message


def test_the_honest_fix_passes_observed_and_unobserved(bughunt, tmp_path):
    path = make_exercise(tmp_path, "training/classification_loop", "missing-zero-grad", "zero_grad() removed")
    edit(path, BEFORE_FORWARD, "            optimizer.zero_grad()\n" + BEFORE_FORWARD)
    assert verdict(bughunt, path) == (0, "")
