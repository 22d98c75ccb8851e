"""amp-step-bypasses-scaler: optimizer.step() called directly, skipping the scaler's inf checks."""

from __future__ import annotations

from .helpers import AMP, NOT_A_SCALER, forms, mutate, removed_lines


def test_step_called_on_the_optimizer():
    assert forms("amp-step-bypasses-scaler", AMP) == [("optimizer.step() instead of scaler.step", ["optimizer.step()"])]
    [found] = mutate("amp-step-bypasses-scaler", AMP)
    assert removed_lines(AMP, found) == ["scaler.step(optimizer)"] and found.scope == "train"


def test_the_form_names_the_optimizer():
    source = AMP.replace("optimizer", "opt")
    assert forms("amp-step-bypasses-scaler", source) == [("opt.step() instead of scaler.step", ["opt.step()"])]


def test_no_site_on_an_object_that_is_no_scaler():
    assert mutate("amp-step-bypasses-scaler", NOT_A_SCALER) == []
