"""early-stopping-patience-never-reset: the bad-epoch counter not reset on an improvement."""

from __future__ import annotations

from .helpers import EARLY_STOPPING, changed_lines, mutate


def test_reset_removed_or_written_as_a_comparison():
    removed, typo = mutate("early-stopping-patience-never-reset", EARLY_STOPPING)
    assert "bad_epochs = 0" not in removed.source and "start over" not in removed.source
    assert changed_lines(EARLY_STOPPING, removed) == []
    # the comment on a bug's line is replaced by a neutral one
    assert changed_lines(EARLY_STOPPING, typo) == ["bad_epochs == 0  # compare"]


def test_no_site_when_the_counter_is_never_compared():
    uncompared = EARLY_STOPPING.replace("if bad_epochs >= patience:", "if epoch >= patience:")
    assert mutate("early-stopping-patience-never-reset", uncompared) == []
