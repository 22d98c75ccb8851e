"""never-unfrozen: the stage-two unfreeze removed, or set on the module where it does nothing."""

from __future__ import annotations

from .helpers import TWO_STAGE, forms, mutate


def test_only_undoes_an_earlier_freeze():
    assert forms("never-unfrozen", TWO_STAGE) == [
        ("unfreeze removed", []), ("requires_grad = True set on the module", ["model.backbone.requires_grad = True"])]
    never_frozen = TWO_STAGE.replace("        param.requires_grad = False\n", "        param.requires_grad = True\n")
    assert mutate("never-unfrozen", never_frozen) == []  # setting True twice changes nothing


def test_no_site_when_stage_two_only_trains_the_head():
    head_only = TWO_STAGE.replace("Adam(model.parameters(), lr=1e-3)", "Adam(model.head.parameters(), lr=1e-3)")
    assert mutate("never-unfrozen", head_only) == []
