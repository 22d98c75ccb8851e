"""frozen-backbone-still-trains: stage 1 of finetuning never freezes the backbone."""

from __future__ import annotations

from typing import Iterator

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.freezing import module_attribute_statement, next_build, toggles
from bughunt.mutator.move import removed


def mutate(tree: Tree) -> Iterator[Edit]:
    for toggle in toggles(tree):
        if toggle.trainable:
            continue
        build = next_build(tree, toggle)
        if build is None or not build.covers(toggle.target):
            continue  # an optimizer over the head alone would not move the backbone anyway
        removal = removed(tree, toggle.statement)
        if removal is not None:
            yield Edit(toggle.statement, *removal, "freeze removed")
        yield Edit(toggle.statement, toggle.statement, module_attribute_statement(toggle),
                   "requires_grad = False set on the module")


BUG = BugClass(
    id="frozen-backbone-still-trains",
    title="The 'frozen' backbone still trains in stage 1",
    symptom="No error. Stage 1 is meant to train only the new head, but the backbone's weights "
            "change too, fast (at the head's large learning rate), and its pretrained features drift "
            "before the head has learnt to use them.",
    why="Freezing means requires_grad=False on every parameter of the backbone, before the "
        "optimizer is built. Without it, those parameters get gradients, and an optimizer built "
        "from model.parameters() (or from the parameters that require grad) updates them. Setting "
        "requires_grad on the nn.Module object itself is just a new attribute: it freezes nothing.",
    fix="Before building the stage-1 optimizer, loop over model.backbone.parameters() and set "
        "param.requires_grad = False (or call model.backbone.requires_grad_(False)).",
    guide="Cumulative (folder 08), two-stage training; Industry patterns: freeze then finetune",
    family="freezing and finetuning",
    hints=(
        "Compare a backbone weight before and after stage 1. Should it have moved?",
        "Which parameters have requires_grad set to True when the stage-1 optimizer is built?",
    ),
    mutate=mutate,
    detect=checks.gradients,
)
