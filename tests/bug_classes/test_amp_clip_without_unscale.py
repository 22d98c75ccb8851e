"""amp-clip-without-unscale: gradients clipped while they still carry the loss scale."""

from __future__ import annotations

from .helpers import AMP, NOT_A_SCALER, changed_lines, mutate, removed_lines

NO_CLIP = AMP.replace("        nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n", "")


def test_unscale_removed_before_clipping():
    [found] = mutate("amp-clip-without-unscale", AMP)
    assert (found.form, found.scope) == ("scaler.unscale_ removed before clipping", "train")
    assert removed_lines(AMP, found) == ["scaler.unscale_(optimizer)  # before clipping"]
    assert changed_lines(AMP, found) == []


def test_no_site_without_a_clip_after_the_unscale():
    assert mutate("amp-clip-without-unscale", NO_CLIP) == []  # scaler.step unscales by itself
    clip_first = AMP.replace("        scaler.unscale_(optimizer)  # before clipping\n", "").replace(
        "        scaler.step(optimizer)\n", "        scaler.unscale_(optimizer)\n        scaler.step(optimizer)\n")
    assert mutate("amp-clip-without-unscale", clip_first) == []


def test_no_site_on_an_object_that_is_no_scaler():
    assert mutate("amp-clip-without-unscale", NOT_A_SCALER) == []
