"""accumulation-loss-not-divided: the accumulated loss not divided by the number of micro-batches."""

from __future__ import annotations

from .helpers import ACCUMULATION, body, changed_lines, mutate, removed_lines


def test_division_removed_or_moved_after_backward():
    removed, late = mutate("accumulation-loss-not-divided", ACCUMULATION)
    assert "accum_steps  # mean" not in removed.source and removed.form == "division removed"
    assert removed_lines(ACCUMULATION, removed) == ["loss = loss / accum_steps  # mean over the group"]
    assert late.form == "division after backward()"
    lines = body(late, "train")
    # its comment ("mean over the group") replaced by a neutral one of the same shape
    assert lines.index("loss = loss / accum_steps  # combine the terms") == lines.index("loss.backward()") + 1


def test_inline_division_dropped():
    source = ACCUMULATION.replace("        loss = loss / accum_steps  # mean over the group\n        loss.backward()",
                                  "        (loss / accum_steps).backward()")
    [found] = mutate("accumulation-loss-not-divided", source)
    assert (found.form, changed_lines(source, found)) == ("division dropped", ["loss.backward()"])


def test_division_without_accumulation_is_not_a_site():
    source = ACCUMULATION.replace("if i % accum_steps == 0:", "if i == 0:").replace(
        "if (i + 1) % accum_steps == 0:", "if True:")
    assert mutate("accumulation-loss-not-divided", source) == []
