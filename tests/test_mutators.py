"""Each bug class's mutator finds its sites by idiom, in every surface form, and only there."""

from __future__ import annotations

import textwrap

import libcst.matchers as m
import pytest

from bughunt.bug_catalog import all_classes, get_class
from bughunt.clean_programs import PROGRAMS
from bughunt.exercise import mutants
from bughunt.mutator import Edit, Tree, mutants_of


def mutate(bug_id: str, source: str):
    source = textwrap.dedent(source)
    return mutants_of(source, bug_id, get_class(bug_id).mutate)


def changed_lines(source: str, mutant) -> list[str]:
    before = set(textwrap.dedent(source).splitlines())
    return [line.strip() for line in mutant.source.splitlines() if line not in before]


LOOP = """
import torch
import torch.nn as nn

def train(model, loader, optimizer, scheduler, epochs):
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        scheduler.step()
"""


def test_float_labels_forms_at_the_loss_call():
    found = mutate("float-labels", LOOP)
    assert [m.form for m in found] == ["y.float()", "y.to(torch.float32)"]
    assert changed_lines(LOOP, found[0]) == ["loss = criterion(model(x), y.float())"]
    assert {m.site for m in found} == {0} and found[0].scope == "train"


def test_float_labels_forms_where_labels_are_made():
    source = """
    import torch
    def make(n):
        features = torch.randn(n, 3).long()
        labels = torch.randint(0, 3, (n,))
        y = torch.tensor([1, 2], dtype=torch.long)
        idx = torch.tensor([1, 2], dtype=torch.long)
        return features, labels, y, idx
    """
    forms = [(m.form, changed_lines(source, m)) for m in mutate("float-labels", source)]
    assert forms == [
        ("dtype=torch.float", ["y = torch.tensor([1, 2], dtype=torch.float)"]),
        ("randint(..., dtype=torch.float32)", ["labels = torch.randint(0, 3, (n,), dtype=torch.float32)"]),
    ]  # features and idx are not labels: no site


def test_float_labels_parenthesises_compound_targets():
    source = "import torch.nn.functional as F\nloss = F.cross_entropy(logits, a + b)\n"
    assert mutate("float-labels", source)[0].source.endswith("F.cross_entropy(logits, (a + b).float())\n")


def test_target_shape_forms():
    found = mutate("target-shape", LOOP)
    assert [m.form for m in found] == ["y.unsqueeze(1)", "y.view(-1, 1)"]
    source = """
    import torch
    labels = torch.randint(0, 3, (8,))
    label = torch.tensor(row[2], dtype=torch.long)
    """
    assert [changed_lines(source, m) for m in mutate("target-shape", source)] == [
        ["labels = torch.randint(0, 3, (8, 1))"],
        ["label = torch.tensor([row[2]], dtype=torch.long)"],
    ]


def test_wrong_cat_dim_forms_and_literal_dims_only():
    source = """
    import torch
    a = torch.cat([x, y], dim=1)
    b = torch.cat((x, y), 0)
    c = torch.cat([x, y], dim=d)
    """
    found = [(m.form, changed_lines(source, m)) for m in mutate("wrong-cat-dim", source)]
    assert found == [
        ("dim=0", ["a = torch.cat([x, y], dim=0)"]),
        ("dim omitted", ["a = torch.cat([x, y])"]),
        ("dim=1", ["b = torch.cat((x, y), 1)"]),
    ]


def test_missing_zero_grad_removed_or_hoisted():
    removed, hoisted = mutate("missing-zero-grad", LOOP)
    assert "zero_grad" not in removed.source
    lines = [line.rstrip() for line in hoisted.source.splitlines()]
    assert lines.count("        optimizer.zero_grad()") == 1  # now before the batch loop
    assert lines.index("        optimizer.zero_grad()") < lines.index("        for x, y in loader:")
    outside = "import torch\noptimizer.zero_grad()\n"
    assert mutate("missing-zero-grad", outside) == []  # not in a loop: nothing accumulates


def test_scheduler_moves_into_the_batch_loop_without_its_comment():
    source = LOOP.replace("scheduler.step()", "scheduler.step()  # per epoch")
    assert [m.form for m in mutate("scheduler-per-batch", source)] == [
        "scheduler.step() at the end of the batch loop"]  # right after optimizer.step() is the same place here
    source = source.replace("optimizer.step()", "optimizer.step()\n            seen += 1")
    at_end, after_step = mutate("scheduler-per-batch", source)
    for mutant in (at_end, after_step):
        assert "# per epoch" not in mutant.source
        assert "            scheduler.step()" in mutant.source.splitlines()
    assert at_end.form.endswith("end of the batch loop") and after_step.form.endswith("after optimizer.step()")
    per_batch_already = LOOP.replace("        scheduler.step()", "            scheduler.step()")
    assert mutate("scheduler-per-batch", per_batch_already) == []


def test_eval_classes_split_by_layer_kind():
    with_dropout = "import torch.nn as nn\nmodel = nn.Sequential(nn.Dropout(0.5))\ndef validate():\n    model.eval()\n"
    with_bn = with_dropout.replace("nn.Dropout(0.5)", "nn.Dropout(0.5), nn.BatchNorm1d(4)")
    plain = with_dropout.replace("nn.Dropout(0.5)", "nn.Linear(4, 4)")
    assert [m.form for m in mutate("missing-eval-dropout", with_dropout)] == ["eval() removed", "train() instead of eval()"]
    assert mutate("missing-eval-batchnorm", with_dropout) == []
    assert len(mutate("missing-eval-batchnorm", with_bn)) == 2 and mutate("missing-eval-dropout", with_bn) == []
    assert mutate("missing-eval-dropout", plain) == []  # eval() changes nothing without such layers


def test_forward_skips_backbone_nested_and_two_statement_forms():
    source = """
    class A(nn.Module):
        def forward(self, x):
            return self.head(self.backbone(x))
    class B(nn.Module):
        def forward(self, x):
            z = self.encoder(x)
            return self.decoder(z)
    class C(nn.Module):
        def helper(self, x):
            return self.head(self.backbone(x))
    """
    found = [(m.scope, changed_lines(source, m)) for m in mutate("forward-skips-backbone", source)]
    assert found == [("A.forward", ["return self.head(x)"]), ("B.forward", ["return self.decoder(x)"])]


def test_inplace_relu_only_where_the_input_is_still_needed():
    source = """
    import torch
    import torch.nn.functional as F
    def reused(self, x):
        h = self.fc1(x)
        deep = self.fc2(torch.relu(h))
        return torch.cat([h, deep], dim=1)
    def not_reused(self, x):
        h = self.fc1(x)
        return self.fc2(torch.relu(h))
    def after_sigmoid(self, x):
        g = torch.sigmoid(x)
        return F.relu(g)
    """
    found = [(m.scope, m.form) for m in mutate("inplace-relu", source)]
    assert found == [
        ("reused", "h.relu_()"), ("reused", "torch.relu_(h)"), ("reused", "F.relu(h, inplace=True)"),
        ("after_sigmoid", "g.relu_()"), ("after_sigmoid", "torch.relu_(g)"), ("after_sigmoid", "F.relu(g, inplace=True)"),
    ]


@pytest.mark.parametrize("bug", all_classes(), ids=lambda b: b.id)
def test_every_class_has_sites_in_the_clean_programs(bug):
    assert any(m.bug == bug.id for program in PROGRAMS for m in mutants(program))


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.id)
def test_mutants_are_distinct_and_stable(program):
    found = mutants(program)
    assert len({m.source for m in found}) == len(found)
    source = program.source()
    tree = Tree(source)  # a fresh parse gives the same mutants in the same order
    again = [m.source for bug in all_classes() for m in mutants_of(source, bug.id, bug.mutate, tree)]
    assert again == [m.source for m in found]
    for mutant in found:
        compile(mutant.source, program.id, "exec")  # every mutant is valid Python


def test_device_mismatch_forms():
    source = """
    import torch
    def main(loader, device):
        model = Net().to(device)
        model.to(device)
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            xb = xb.to(device)
    class Net(nn.Module):
        def forward(self, x):
            return x + torch.zeros(x.shape, device=x.device)
    """
    found = [(m.form, changed_lines(source, m)) for m in mutate("device-mismatch", source)]
    assert found == [
        ("model not moved", ["model = Net()"]),
        ("model.to(device) removed", []),
        ("batch not moved", ["xb, yb = xb, yb.to(device)"]),
        ("labels not moved", ["xb, yb = xb.to(device), yb"]),
        ("batch not moved", ["xb = xb"]),
        ("batch.to(device) result not kept", ["xb.to(device)"]),
        ("tensor created in forward without device=", ["return x + torch.zeros(x.shape)"]),
    ]


def test_device_mismatch_spares_cpu_index_tensors():
    source = """
    import torch
    def pick(table, t):
        return table[t]
    def main(device):
        table = torch.rand(5, device=device)
        steps = torch.tensor([0, 2], device=device)
        return pick(table, steps)
    """
    assert [changed_lines(source, m) for m in mutate("device-mismatch", source)] == [
        ["table = torch.rand(5)"]]  # a CPU index into a GPU tensor is legal: steps may stay


def test_a_mutator_that_changes_nothing_is_reported():
    source = "x = 1\n"
    tree = Tree(source)

    def no_op(tree):
        [node] = tree.find(m.Integer())
        yield Edit(node, node, node, "no change")

    [mutant] = mutants_of(source, "no-op", no_op, tree)
    with pytest.raises(AssertionError, match="changes nothing"):
        mutant.source


def test_a_mutant_crosses_processes_as_its_text():
    import pickle

    found = mutants(PROGRAMS[0])[0]
    copy = pickle.loads(pickle.dumps(found))
    assert (copy.bug, copy.site, copy.form, copy.line, copy.scope, copy.source) == \
        (found.bug, found.site, found.form, found.line, found.scope, found.source)
