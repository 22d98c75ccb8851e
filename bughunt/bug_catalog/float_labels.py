"""float-labels: CrossEntropyLoss gets float class labels."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import BugClass
from bughunt.detector import checks
from bughunt.mutator import Edit, Tree, code_of, dotted, expr
from bughunt.mutator.losses import assigns_label, cross_entropy_calls
from bughunt.mutator.rewrite import postfix

_INT_DTYPE = m.Attribute(value=m.Name("torch"), attr=m.Name("long") | m.Name("int64"))


def mutate(tree: Tree) -> Iterator[Edit]:
    # Where the loss is computed: the targets are cast to float on the way in.
    for call in cross_entropy_calls(tree):
        target = [a for a in call.args if a.keyword is None][1]
        for form in (f"{postfix(target.value)}.float()", f"{postfix(target.value)}.to(torch.float32)"):
            yield Edit(call, target, target.with_changes(value=expr(form)), form)
    # Where labels are made: an integer dtype becomes a float one.
    for call in tree.find(m.Call(func=m.Attribute(attr=m.Name("long")), args=[])):
        if assigns_label(tree, call):
            yield Edit(call, call.func.attr, cst.Name("float"), ".long() -> .float()")
    for arg in tree.find(m.Arg(keyword=m.Name("dtype"), value=_INT_DTYPE)):
        if assigns_label(tree, arg):
            yield Edit(arg, arg.value, expr("torch.float"), "dtype=torch.float")
    for call in tree.find(m.Call()):
        no_dtype = all(not (a.keyword and a.keyword.value == "dtype") for a in call.args)
        if dotted(call.func) == "torch.randint" and no_dtype and assigns_label(tree, call):
            widened = expr(code_of(call)[:-1] + ", dtype=torch.float32)")
            yield Edit(call, call, widened, "randint(..., dtype=torch.float32)")


BUG = BugClass(
    id="float-labels",
    title="Float class labels for CrossEntropyLoss",
    symptom="RuntimeError: expected target dtype to be Long or Byte, but got Float "
            "(on a GPU: 'nll_loss_forward_reduce_cuda_kernel_2d_index' not implemented for 'Float').",
    why="With targets of shape (N,), CrossEntropyLoss reads them as class indices, which must be "
        "integers (torch.long). A float tensor of that shape is neither indices nor the (N, C) "
        "class probabilities it also accepts, so the loss refuses it.",
    fix="Keep class labels as torch.long from where they are made (dataset, tensor creation) to the "
        "loss: drop the float cast, or convert with .long() before calling the criterion.",
    guide="section 3.3 (wrong dtype), section 6, Challenge 4",
    family="loss and activation",
    hints=(
        "Read the exception: which tensor does the loss complain about, and what dtype does it want?",
        "Follow the labels from where they are created to the criterion call. Where do they stop being integers?",
    ),
    mutate=mutate,
    detect=checks.target_dtype,
    canonical=True,
)
