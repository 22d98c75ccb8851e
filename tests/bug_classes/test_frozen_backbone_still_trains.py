"""frozen-backbone-still-trains: the stage-one freeze removed, or set on the module where it does nothing."""

from __future__ import annotations

from .helpers import TWO_STAGE, changed_lines, forms, mutate, removed_lines


def test_forms_keep_the_stage_comment():
    removed, attribute = mutate("frozen-backbone-still-trains", TWO_STAGE)
    assert (removed.form, attribute.form) == ("freeze removed", "requires_grad = False set on the module")
    assert removed_lines(TWO_STAGE, removed) == ["param.requires_grad = False"]  # and its loop, twice in the file
    assert "# Stage 1: freeze the backbone." in removed.source  # the comment stays, the code goes
    assert changed_lines(TWO_STAGE, attribute) == ["model.backbone.requires_grad = False"]
    assert removed.scope == "main" and removed.site == attribute.site == 0


def test_freeze_with_requires_grad_underscore():
    source = TWO_STAGE.replace("    for param in model.backbone.parameters():\n        param.requires_grad = False\n",
                               "    model.backbone.requires_grad_(False)\n")
    assert forms("frozen-backbone-still-trains", source) == [
        ("freeze removed", []), ("requires_grad = False set on the module", ["model.backbone.requires_grad = False"])]


def test_no_site_when_the_stage_one_optimizer_only_holds_the_head():
    source = TWO_STAGE.replace("[p for p in model.parameters() if p.requires_grad], lr=1e-2",
                               "model.head.parameters(), lr=1e-2")
    assert mutate("frozen-backbone-still-trains", source) == []  # the backbone could not move anyway
