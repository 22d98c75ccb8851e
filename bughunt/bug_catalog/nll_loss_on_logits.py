"""nll-loss-on-logits: NLLLoss given raw logits (or probabilities) instead of log-probabilities."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, expr
from bughunt.mutator.activations import last_layer, loss_calls, loss_input, origins
from bughunt.mutator.rewrite import without_arg

NLL_CLASS = "torch.nn.NLLLoss"
NLL_FUNCTION = "torch.nn.functional.nll_loss"
_LOG_SOFTMAX = ("torch.log_softmax", "torch.nn.functional.log_softmax", "torch.special.log_softmax")
_LOG_SOFTMAX_LAYER = "torch.nn.LogSoftmax"


def _log_softmax_call(tree: Tree, node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.Call):
        return False
    if tree.refers_to(node.func, *_LOG_SOFTMAX):
        return bool([a for a in node.args if a.keyword is None])
    return isinstance(node.func, cst.Attribute) and node.func.attr.value == "log_softmax" \
        and not tree.refers_within(node.func, "torch")  # logits.log_softmax(dim=1)


def mutate(tree: Tree) -> Iterator[Edit]:
    seen: set[int] = set()
    for loss in loss_calls(tree, (NLL_CLASS,), (NLL_FUNCTION,)):
        for origin in origins(tree, loss_input(loss).value):
            if id(origin) in seen:
                continue
            if _log_softmax_call(tree, origin):
                seen.add(id(origin))
                method = isinstance(origin.func, cst.Attribute) and not tree.refers_to(origin.func, *_LOG_SOFTMAX)
                source = origin.func.value if method else [a for a in origin.args if a.keyword is None][0].value
                yield Edit(origin, origin, source, "log_softmax removed before NLLLoss")
                softmax = origin.func.with_changes(attr=cst.Name("softmax")) if isinstance(origin.func, cst.Attribute) \
                    else expr("torch.softmax")
                yield Edit(origin, origin.func, softmax, "softmax instead of log_softmax")
                break
            if isinstance(origin, cst.Call) and last_layer(tree, origin, _LOG_SOFTMAX_LAYER):
                seen.add(id(origin))
                layer = origin.args[-1].value
                yield Edit(origin, origin, without_arg(origin, origin.args[-1]), "nn.LogSoftmax removed from the model")
                yield Edit(origin, layer.func, layer.func.with_changes(attr=cst.Name("Softmax"))
                           if isinstance(layer.func, cst.Attribute) else cst.Name("Softmax"),
                           "nn.Softmax instead of nn.LogSoftmax")
                break


BUG = BugClass(
    id="nll-loss-on-logits",
    title="NLLLoss given logits or probabilities instead of log-probabilities",
    symptom="No error. The loss goes negative and keeps falling without bound (raw logits), or "
            "hovers near -1/num_classes and barely moves (probabilities); accuracy stalls.",
    why="NLLLoss (and F.nll_loss) only picks out -input[target]: it does no normalisation of its "
        "own and trusts that its input already holds log-probabilities. On raw logits the model "
        "can lower the loss just by making the target's logit large; on probabilities the "
        "gradient is tiny and has the wrong shape. CrossEntropyLoss is log_softmax + NLLLoss in one.",
    fix="Give NLLLoss log_softmax(logits, dim=<class dim>) (or an nn.LogSoftmax as the model's last "
        "layer), or give the raw logits to CrossEntropyLoss instead.",
    guide="fault studies: loss and activation (NLLLoss without log_softmax); section 5.1 (the loss)",
    hints=(
        "Print the loss for a few steps. Can a negative log-likelihood be negative?",
        "NLLLoss does no normalisation of its own. What must its input already be?",
    ),
    mutate=mutate,
    detect=checks.gradients,
    family="loss and activation",
)
