"""amp-unscale-twice: scaler.unscale_ called a second time in the same iteration."""

from __future__ import annotations

from .helpers import AMP, NOT_A_SCALER, mutate


def test_unscale_repeated_in_place():
    [found] = mutate("amp-unscale-twice", AMP)
    assert (found.form, found.scope) == ("scaler.unscale_ twice", "train")
    lines = [line.strip() for line in found.source.splitlines()]
    at = lines.index("scaler.unscale_(optimizer)  # before clipping")
    assert lines[at:at + 3] == ["scaler.unscale_(optimizer)  # before clipping"] * 2 + [
        "nn.utils.clip_grad_norm_(model.parameters(), 1.0)"]
    assert len(lines) == len(AMP.splitlines()) + 1


def test_no_site_on_an_object_that_is_no_scaler():
    assert mutate("amp-unscale-twice", NOT_A_SCALER) == []
