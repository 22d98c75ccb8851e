"""amp-update-missing: scaler.update() removed, so the next iteration's unscale_ or step fails."""

from __future__ import annotations

from .helpers import AMP, NOT_A_SCALER, changed_lines, mutate, removed_lines


def test_update_removed():
    [found] = mutate("amp-update-missing", AMP)
    assert (found.form, found.scope) == ("scaler.update() removed", "train")
    assert removed_lines(AMP, found) == ["scaler.update()"] and changed_lines(AMP, found) == []


def test_no_site_on_an_object_that_is_no_scaler():
    assert mutate("amp-update-missing", NOT_A_SCALER) == []
