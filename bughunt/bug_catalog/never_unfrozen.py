"""never-unfrozen: stage 2 of finetuning never makes the backbone trainable again."""

from __future__ import annotations

from typing import Iterator

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree
from bughunt.mutator.freezing import module_attribute_statement, unfreezes
from bughunt.mutator.move import removed


def mutate(tree: Tree) -> Iterator[Edit]:
    for toggle, _build in unfreezes(tree):
        removal = removed(tree, toggle.statement)
        if removal is not None:
            yield Edit(toggle.statement, *removal, "unfreeze removed")
        yield Edit(toggle.statement, toggle.statement, module_attribute_statement(toggle),
                   "requires_grad = True set on the module")


BUG = BugClass(
    id="never-unfrozen",
    title="The backbone is never unfrozen for stage 2",
    symptom="No error. Stage 2 is meant to finetune the whole model, but the backbone's weights "
            "stay exactly where stage 1 left them; only the head keeps learning.",
    why="requires_grad=False stays set until something sets it back. A parameter that does not "
        "require grad gets no .grad in backward(), and optimizers skip parameters without a "
        "gradient, even when they hold them. Setting requires_grad on the nn.Module object itself "
        "only adds an attribute; the parameters keep their flag.",
    fix="At the start of stage 2, set param.requires_grad = True for every parameter of the "
        "backbone (or call model.backbone.requires_grad_(True)), then build the stage-2 optimizer.",
    guide="Cumulative (folder 08), two-stage training",
    family="freezing and finetuning",
    hints=(
        "Compare a backbone weight at the end of stage 1 and at the end of stage 2.",
        "After stage 1, which parameters still have requires_grad == False?",
    ),
    mutate=mutate,
    detect=checks.gradients,
)
