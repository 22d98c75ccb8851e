"""missing-zero-grad: zero_grad removed from the batch loop, or hoisted out of it."""

from __future__ import annotations

from .helpers import LOOP, mutate, removed_lines


def test_removed_or_hoisted():
    removed, hoisted = mutate("missing-zero-grad", LOOP)
    assert "zero_grad" not in removed.source
    assert removed_lines(LOOP, removed) == ["optimizer.zero_grad()"]
    lines = [line.rstrip() for line in hoisted.source.splitlines()]
    assert lines.count("        optimizer.zero_grad()") == 1  # now before the batch loop
    assert lines.index("        optimizer.zero_grad()") < lines.index("        for x, y in loader:")


def test_no_site_outside_a_loop():
    outside = "import torch\noptimizer.zero_grad()\n"
    assert mutate("missing-zero-grad", outside) == []  # not in a loop: nothing accumulates
