"""The shared recognisers know a library name by what it refers to, however it is imported,
and the one statement mover keeps comments by one policy. Before/after pairs: a small
program, then the sites or the mutants a recogniser finds in it."""

from __future__ import annotations

import textwrap

import libcst as cst
import libcst.matchers as m

from bughunt.bug_catalog import get_class
from bughunt.mutator import Tree, code_of, mutants_of
from bughunt.mutator.grad_scaler import scaler_names
from bughunt.mutator.losses import cross_entropy_calls
from bughunt.mutator.modes import DROPOUT, constructs
from bughunt.mutator.move import hoisted, moved, removed
from bughunt.mutator.optimizers import optimizer_builds
from bughunt.mutator.rewrite import grouped, is_atomic, postfix
from bughunt.mutator.step_calls import clip_statements


def tree_of(source: str) -> Tree:
    return Tree(textwrap.dedent(source))


def forms(bug_id: str, source: str) -> list[str]:
    return [mutant.form for mutant in mutants_of(textwrap.dedent(source), bug_id, get_class(bug_id).mutate)]


def call_code(tree: Tree, calls) -> list[str]:
    return [code_of(call) for call in calls]


# --- names resolved by what they refer to ---------------------------------------------------


def test_qualified_names_follow_imports_and_aliases():
    tree = tree_of("""
        import torch
        import torch.nn as nn
        from torch.nn import CrossEntropyLoss as CE
        a = nn.CrossEntropyLoss
        b = CE
        c = torch.nn.CrossEntropyLoss
    """)
    values = [a.value for a in tree.find(m.Assign())]
    assert [tree.qualified(v) for v in values] == [{"torch.nn.CrossEntropyLoss"}] * 3
    assert all(tree.refers_to(v, "torch.nn.CrossEntropyLoss") for v in values)


def test_a_class_of_the_program_is_not_the_library_class_of_the_same_name():
    tree = tree_of("""
        class CrossEntropyLoss:
            def __call__(self, logits, y):
                return 0
        criterion = CrossEntropyLoss()
        loss = criterion(logits, y)
    """)
    assert tree.qualified(tree.find(m.Call())[0].func) == {"CrossEntropyLoss"}
    assert cross_entropy_calls(tree) == []


def test_a_name_never_bound_reads_with_the_conventional_aliases():
    tree = tree_of("criterion = nn.CrossEntropyLoss()\nloss = F.cross_entropy(logits, y)\n")
    funcs = [call.func for call in tree.find(m.Call())]
    assert tree.qualified(funcs[0]) == {"torch.nn.CrossEntropyLoss"}
    assert tree.qualified(funcs[1]) == {"torch.nn.functional.cross_entropy"}


def test_a_parameter_shadowing_an_alias_is_not_the_module():
    tree = tree_of("""
        import torch.nn as nn
        def build(nn):
            return nn.Dropout(0.5)
    """)
    assert not constructs(tree, *DROPOUT)


def test_imported_as_names_the_alias_the_program_uses():
    tree = tree_of("import torch\nimport torch.nn.functional as fn\nfrom torch import nn\n")
    assert tree.imported_as("torch.nn.functional") == "fn"
    assert tree.imported_as("torch.nn") == "nn"
    assert tree.imported_as("torch.optim") is None


# --- cross-entropy, under every import ------------------------------------------------------


def test_cross_entropy_class_under_an_alias():
    tree = tree_of("""
        from torch.nn import CrossEntropyLoss as CE
        criterion = CE()
        loss = criterion(logits, y)
    """)
    assert call_code(tree, cross_entropy_calls(tree)) == ["criterion(logits, y)"]


def test_cross_entropy_function_under_another_module_alias():
    source = """
        import torch
        import torch.nn.functional as fn
        def step(model, x, y):
            logits = model(x)
            return fn.cross_entropy(logits, y)
    """
    tree = tree_of(source)
    assert call_code(tree, cross_entropy_calls(tree)) == ["fn.cross_entropy(logits, y)"]
    # the softmax the bug adds is spelled with the program's own alias
    assert "fn.softmax before the loss" in forms("softmax-before-cross-entropy", source)


def test_cross_entropy_from_import():
    tree = tree_of("""
        from torch.nn.functional import cross_entropy
        loss = cross_entropy(logits, y)
    """)
    assert call_code(tree, cross_entropy_calls(tree)) == ["cross_entropy(logits, y)"]


# --- GradScaler, clipping, optimizers, layers ----------------------------------------------


def test_grad_scaler_from_torch_amp():
    tree = tree_of("""
        from torch.amp import GradScaler
        grads = GradScaler("cuda")
    """)
    assert scaler_names(tree) == {"grads"}


def test_grad_scaler_of_torch_cuda_amp_under_an_alias():
    tree = tree_of("""
        from torch.cuda import amp
        s = amp.GradScaler()
    """)
    assert scaler_names(tree) == {"s"}


def test_clip_imported_from_torch_nn_utils():
    tree = tree_of("""
        from torch.nn.utils import clip_grad_norm_
        from torch.nn.utils import clip_grad_value_ as clamp
        clip_grad_norm_(model.parameters(), 1.0)
        clamp(model.parameters(), 0.5)
        model.clip_grad_norm_(1.0)
    """)
    assert [code_of(s).strip() for s in clip_statements(tree)] == [
        "clip_grad_norm_(model.parameters(), 1.0)", "clamp(model.parameters(), 0.5)"]


def test_optimizer_imported_from_torch_optim():
    tree = tree_of("""
        from torch.optim import AdamW
        from torch.optim.lr_scheduler import StepLR
        optimizer = AdamW(model.parameters(), lr=1e-3)
        scheduler = StepLR(optimizer, step_size=1)
    """)
    assert [code_of(b.params.value) for b in optimizer_builds(tree)] == ["model.parameters()"]


MODEL_WITH = """
    {imports}
    model = {layer}
    def validate():
        model.eval()
"""


def test_dropout_under_any_import_is_a_mode_layer():
    for imports, layer in [("from torch.nn import Dropout", "Dropout(0.5)"),
                           ("from torch import nn", "nn.Dropout2d(0.5)"),
                           ("import torch", "torch.nn.Dropout(0.5)")]:
        source = MODEL_WITH.format(imports=imports, layer=layer)
        assert forms("missing-eval-dropout", source) == ["eval() removed", "train() instead of eval()"], imports


def test_a_user_class_called_dropout_changes_no_mode():
    source = MODEL_WITH.format(imports="class Dropout:\n        pass", layer="Dropout()")
    assert forms("missing-eval-dropout", source) == []


def test_inplace_relu_forms_use_the_functional_alias():
    source = """
        import torch
        import torch.nn.functional as fn
        def forward(h):
            a = fn.relu(h)
            return a + h
    """
    assert forms("inplace-relu", source) == ["h.relu_()", "torch.relu_(h)", "fn.relu(h, inplace=True)"]


# --- one statement mover, one comment policy -------------------------------------------------


def test_a_moved_line_gets_neutral_comments_of_the_same_shape_under_the_anchors():
    tree = tree_of("""
        def f():
            a()
            # the step
            b()
            # clip it
            c()  # between backward and step
    """)
    _, b, c = tree.find(m.SimpleStatementLine())
    node, replacement = moved(tree, c, b)
    assert tree.module.deep_replace(node, replacement).code == textwrap.dedent("""
        def f():
            a()
            # the step
            # run it
            c()  # run it
            b()
    """)


def test_a_moved_block_keeps_its_comment_lines():
    tree = tree_of("""
        def f():
            a()
            # only sometimes
            if x:
                b()
    """)
    a = tree.find(m.SimpleStatementLine())[0]
    block = tree.find(m.If())[0]
    node, replacement = moved(tree, block, a)
    assert tree.module.deep_replace(node, replacement).code == textwrap.dedent("""
        def f():
            # only sometimes
            if x:
                b()
            a()
    """)


def test_a_hoisted_line_lands_under_the_loops_comments_with_a_neutral_one():
    tree = tree_of("""
        # every batch
        for x in xs:
            zero()  # a new batch starts
            step(x)
    """)
    loop = tree.find(m.For())[0]
    zero = tree.find(m.SimpleStatementLine())[0]
    node, replacement = hoisted(zero, loop)
    assert node is loop
    assert tree.module.deep_replace(node, replacement).code == textwrap.dedent("""
        # every batch
        zero()  # run it
        for x in xs:
            step(x)
    """)


def test_a_removed_block_leaves_its_comment_lines_to_the_next_statement():
    tree = tree_of("""
        # Stage 1: freeze
        for p in params:
            p.requires_grad = False
        build()
    """)
    loop = tree.find(m.For())[0]
    node, replacement = removed(tree, loop)
    assert tree.module.deep_replace(node, replacement).code == "\n# Stage 1: freeze\nbuild()\n"


def test_an_edited_line_gets_a_neutral_trailing_comment():
    source = """
        import torch
        for epoch in range(3):
            sampler.set_epoch(epoch)  # a new shuffle every epoch
            run(epoch)
    """
    mutant = [mu for mu in mutants_of(textwrap.dedent(source), "sampler-set-epoch-missing",
                                      get_class("sampler-set-epoch-missing").mutate) if mu.form == "set_epoch(0)"][0]
    assert "    sampler.set_epoch(0)  # pass the epoch on\n" in mutant.source


# --- the atom test, shared by the mutators and the camouflage ---------------------------------


def test_numbers_are_atoms_as_operands_but_not_before_a_method():
    two, total = cst.parse_expression("2"), cst.parse_expression("a + b")
    assert is_atomic(two) and not is_atomic(two, numbers=False)
    assert code_of(grouped(two)) == "2" and code_of(grouped(total)) == "(a + b)"
    assert postfix(two) == "(2)" and postfix(cst.parse_expression("x[0]")) == "x[0]"


def test_a_loss_made_in_one_file_and_passed_to_another_is_known_there():
    """A project's run script makes the loss and passes it to a training function of another
    module (relative or absolute import, positionally or by keyword, passed on again there)."""
    from bughunt.mutator.statements import names_bound_to, passed_between

    train = tree_of("""
        def run_epoch(net, batches, loss_fn, opt):
            for x, y in batches:
                loss_fn(net(x), y).backward()
                step_once(opt, loss_fn, net, x, y)

        def step_once(opt, objective, net, x, y):
            return objective(net(x), y)

        def evaluate(net, x, y, criterion):
            return criterion(net(x), y)
    """)
    run = tree_of("""
        import torch
        from .train import run_epoch
        from pkg import train as t

        def main(net, batches, opt, x, y):
            loss_fn = torch.nn.CrossEntropyLoss()
            run_epoch(net, batches, loss_fn, opt)
            t.evaluate(net, x, y, criterion=torch.nn.MSELoss())
    """)
    trees = {"pkg.train": train, "pkg.run": run}
    passed_between(trees)
    assert train.given == {"loss_fn": ["torch.nn.CrossEntropyLoss"], "criterion": ["torch.nn.MSELoss"]}
    assert names_bound_to(train, "torch.nn.CrossEntropyLoss") == {"loss_fn", "objective"}
    assert [code_of(c) for c in cross_entropy_calls(train)] == ["loss_fn(net(x), y)", "objective(net(x), y)"]
    alone = tree_of(code_of(train.module))  # the same file without the project: nothing says
    assert cross_entropy_calls(alone) == []


def test_a_call_to_a_function_of_another_module_of_the_same_name_passes_nothing():
    from bughunt.mutator.statements import passed_between

    train = tree_of("def run_epoch(net, loss_fn):\n    return loss_fn(net)\n")
    run = tree_of("""
        import torch
        from other.train import run_epoch
        run_epoch(None, torch.nn.CrossEntropyLoss())
    """)
    passed_between({"pkg.train": train, "pkg.run": run})
    assert train.given == {}


def test_a_loss_given_to_a_class_and_kept_on_self_is_known_in_its_methods():
    """The trainer-class style: the loss goes into __init__, is kept as self.loss_fn and called in
    a method; made in the same file or handed over by another file of the project."""
    from bughunt.mutator.statements import passed_between

    trainer = """
        class Trainer:
            def __init__(self, model, loss_fn, lr=0.1):
                self.model = model
                self.loss_fn = loss_fn

            def step(self, x, y):
                return self.loss_fn(self.model(x), y)
    """
    same_file = Tree(textwrap.dedent(trainer) + "\nimport torch.nn as nn\nTrainer(None, nn.CrossEntropyLoss())\n")
    assert [code_of(c) for c in cross_entropy_calls(same_file)] == ["self.loss_fn(self.model(x), y)"]
    alone, run = tree_of(trainer), tree_of("""
        import torch
        from project.trainer import Trainer

        trainer = Trainer(model=None, loss_fn=torch.nn.CrossEntropyLoss())
    """)
    assert cross_entropy_calls(alone) == []
    passed_between({"project.trainer": alone, "project.run": run})
    assert [code_of(c) for c in cross_entropy_calls(alone)] == ["self.loss_fn(self.model(x), y)"]


def test_in_a_module_without_main_what_a_function_returns_is_observed():
    """Library code (a project's module, for ``bughunt mutate``) has no main() whose result is
    compared: what its functions and methods return is what the project's tests observe, so the
    classes that need a value to reach a result find their sites there."""
    library = """
        def run_epoch(net, batches, loss_fn, opt):
            losses = []
            for x, y in batches:
                loss = loss_fn(net(x), y)
                loss.backward()
                opt.step()
                losses.append(loss.item())
            return sum(losses) / len(losses)

        def printed(net, batches, loss_fn):
            for x, y in batches:
                print(loss_fn(net(x), y).item())
    """
    assert forms("loss-accumulated-as-tensor", library) == [".item() dropped", ".detach() instead of .item()"]
    with_main = library + "\n        def main():\n            return {}\n"  # an exercise's contract: main() returns it all
    assert forms("loss-accumulated-as-tensor", with_main) == []
