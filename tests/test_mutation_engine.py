"""The mutation engine on its own: Tree, mutants_of, apply, the properties every class's mutants
keep on every clean program, and the catalog's completeness. Each class's own tests are in
tests/bug_classes/test_<class id>.py."""

from __future__ import annotations

import pickle
from pathlib import Path

import libcst as cst
import libcst.matchers as m
import pytest

from bughunt.bug_catalog import all_classes, get_class
from bughunt.clean_programs import PROGRAMS, get_program
from bughunt.exercise import mutants
from bughunt.mutator import Edit, Tree, apply, mutants_of, overlap

BUG_CLASS_TESTS = Path(__file__).parent / "bug_classes"

SOURCE = """\
import torch

def train(model, x):
    a = torch.relu(x)
    return model(a) + 1

class Net:
    def forward(self, x):
        return x * 2
"""


def integers(tree: Tree):
    """A mutator over integer literals: each becomes ``0``, or ``-n``."""
    for node in tree.find(m.Integer()):
        yield Edit(node, node, cst.Integer("0"), "zero")
        yield Edit(node, node, cst.UnaryOperation(cst.Minus(), node), "negated")


# --- Tree ----------------------------------------------------------------------------------


def test_tree_finds_nodes_in_source_order_with_their_lines_and_scopes():
    tree = Tree(SOURCE)
    found = tree.find(m.Integer())
    assert [node.value for node in found] == ["1", "2"]
    assert [tree.line(node) for node in found] == [5, 9]
    assert tree.enclosing(found[0], cst.FunctionDef).name.value == "train"
    assert tree.enclosing(found[1], cst.ClassDef).name.value == "Net"
    assert tree.find(m.OneOf(m.Integer(value="2"), m.Name("model")))[0].value == "model"  # combinators too


def test_tree_keeps_the_source_as_parsed():
    assert Tree(SOURCE).module.code == SOURCE


# --- mutants_of and apply ------------------------------------------------------------------


def test_mutants_are_numbered_by_site_with_their_line_scope_and_form():
    found = mutants_of(SOURCE, "integers", integers)
    assert [(f.site, f.form, f.line, f.scope) for f in found] == [
        (0, "zero", 5, "train"), (0, "negated", 5, "train"), (1, "zero", 9, "Net.forward"), (1, "negated", 9, "Net.forward")]
    assert {f.bug for f in found} == {"integers"}
    assert found[0].source == SOURCE.replace("model(a) + 1", "model(a) + 0")
    assert found[3].source == SOURCE.replace("x * 2", "x * -2")


def test_apply_combines_edits_of_one_tree_and_leaves_the_tree_alone():
    tree = Tree(SOURCE)
    zero_first, _, _, negate_second = [f.edit for f in mutants_of(SOURCE, "integers", integers, tree)]
    both = apply(tree, [zero_first, negate_second])
    assert both == SOURCE.replace("model(a) + 1", "model(a) + 0").replace("x * 2", "x * -2")
    assert tree.module.code == SOURCE


def test_apply_rewords_the_comment_on_the_line_of_an_edit_only():
    source = "x = 1  # one\ny = 2  # two\n"
    tree = Tree(source)
    [one, _] = tree.find(m.Integer())
    assert apply(tree, [Edit(one, one, cst.Integer("3"), "three")]) == "x = 3  # compute it\ny = 2  # two\n"


def test_apply_removes_an_if_it_leaves_empty():
    source = "for i in range(3):\n    if i % 2 == 0:\n        clear()\n    work(i)\n"
    tree = Tree(source)
    clear = tree.find(m.SimpleStatementLine())[0]
    assert apply(tree, [Edit(clear, clear, cst.RemoveFromParent(), "gone")]) == "for i in range(3):\n    work(i)\n"


def test_overlap_is_the_same_node_or_one_inside_the_other():
    tree = Tree(SOURCE)
    [one, two] = tree.find(m.Integer())
    plus = tree.find(m.BinaryOperation(operator=m.Add()))[0]
    edit = lambda node: Edit(node, node, node, "form")  # noqa: E731
    assert overlap(tree, edit(one), edit(one))
    assert overlap(tree, edit(plus), edit(one)) and overlap(tree, edit(one), edit(plus))
    assert not overlap(tree, edit(one), edit(two)) and not overlap(tree, edit(plus), edit(two))


def test_sites_are_numbered_by_their_node_not_their_form():
    tree = Tree(SOURCE)

    def twice(tree):  # the same site yielded apart: still one site
        one, two = tree.find(m.Integer())
        yield Edit(one, one, cst.Integer("0"), "a")
        yield Edit(two, two, cst.Integer("0"), "b")
        yield Edit(one, one, cst.Integer("5"), "c")

    assert [(f.site, f.form) for f in mutants_of(SOURCE, "twice", twice, tree)] == [(0, "a"), (1, "b"), (0, "c")]


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
    found = mutants(PROGRAMS[0])[0]
    copy = pickle.loads(pickle.dumps(found))
    assert (copy.bug, copy.site, copy.form, copy.line, copy.scope, copy.source) == \
        (found.bug, found.site, found.form, found.line, found.scope, found.source)


# --- every class on every clean program ------------------------------------------------------


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.id)
def test_mutants_are_distinct_and_stable(program):
    found = mutants(program)
    assert len({m.source for m in found}) == len(found)
    source = program.source()
    tree = Tree(source)  # a fresh parse gives the same mutants in the same order
    again = [m.source for bug in all_classes() for m in mutants_of(source, bug.id, bug.mutate, tree)
             if m.edit.exercise]  # the forms for mutate only are no exercise's
    assert again == [m.source for m in found]
    for mutant in found:
        compile(mutant.source, program.id, "exec")  # every mutant is valid Python


@pytest.mark.parametrize("bug", all_classes(), ids=lambda b: b.id)
def test_every_class_has_sites_in_the_clean_programs(bug):
    assert any(m.bug == bug.id for program in PROGRAMS for m in mutants(program))


@pytest.mark.parametrize("program, bugs", [
    ("diffusion/ddpm", {"noise-schedule-wrong-index", "q-sample-missing-sqrt"}),
    ("diffusion/flow_matching", {"flow-target-reversed"}),
    ("transformers/attention", {"attention-missing-scale", "softmax-wrong-dim", "mask-inverted",
                                "heads-merged-without-transpose"}),
    ("transformers/encoder_block", {"attention-missing-scale", "softmax-wrong-dim", "mask-inverted",
                                    "heads-merged-without-transpose", "residual-missing"}),
    ("architectures/resnet_block", {"residual-missing", "shortcut-without-projection", "flatten-merges-batch"}),
    ("architectures/small_cnn", {"flatten-merges-batch", "softmax-wrong-dim"}),
    ("advanced/gan", {"gan-fake-not-detached", "bce-sigmoid-mismatch"}),
    ("models/conditional_gan", {"gan-fake-not-detached", "bce-sigmoid-mismatch"}),
    ("transformers/rnn_language_model", {"hidden-state-not-detached", "nll-loss-on-logits", "padding-not-ignored"}),
    ("data/sequence_tagger", {"hidden-state-not-detached", "nll-loss-on-logits", "padding-not-ignored"}),
    ("training/regression_loop", {"regression-shapes-broadcast", "metric-accumulated-with-graph"}),
    ("transformers/gru_forecaster", {"regression-shapes-broadcast", "metric-accumulated-with-graph"}),
])
def test_programs_carry_their_topic_classes(program, bugs):
    assert bugs <= {m.bug for m in mutants(get_program(program))}


# the families issue 16 added from the studies of real faults: each new class has two host programs
NEW = {"graphs kept alive": {"loss-accumulated-as-tensor"}, "loss and activation": {"float-labels", "softmax-before-cross-entropy"},
       "data pipeline": {"sampler-set-epoch-missing"}, "initialisation and state": set(), "hyperparameters": set()}


@pytest.mark.parametrize("bug", all_classes(), ids=lambda b: b.id)
def test_every_class_has_a_family_and_a_new_one_two_programs(bug):
    from bughunt.bug_catalog import FAMILIES

    assert bug.family in FAMILIES
    if bug.family in NEW and bug.id not in NEW[bug.family]:
        assert len({p.id for p in PROGRAMS for m in mutants(p) if m.bug == bug.id}) >= 2


# --- the catalog ------------------------------------------------------------------------------


def test_every_class_has_its_test_file_and_every_file_a_class():
    expected = {f"test_{bug.id.replace('-', '_')}.py" for bug in all_classes()}
    assert {path.name for path in BUG_CLASS_TESTS.glob("test_*.py")} == expected


def test_classes_are_found_by_id_and_unknown_ids_refused():
    assert [get_class(bug.id) for bug in all_classes()] == list(all_classes())
    assert [bug.id for bug in all_classes()] == sorted(bug.id for bug in all_classes())
    with pytest.raises(Exception, match="unknown bug class"):
        get_class("no-such-bug")


@pytest.mark.parametrize("bug", all_classes(), ids=lambda b: b.id)
def test_every_class_is_documented(bug):
    assert all(text.strip() for text in (bug.title, bug.symptom, bug.why, bug.fix, bug.guide))
    assert bug.hints and all(hint.strip() for hint in bug.hints)


NOT_CANONICAL = ("noise-schedule-wrong-index", "q-sample-missing-sqrt", "flow-target-reversed",
                 "attention-missing-scale", "softmax-wrong-dim", "mask-inverted", "heads-merged-without-transpose",
                 "residual-missing", "shortcut-without-projection", "flatten-merges-batch")


@pytest.mark.parametrize("bug_id", NOT_CANONICAL)
def test_classes_are_documented_and_not_canonical(bug_id):
    bug = get_class(bug_id)
    assert not bug.canonical and len(bug.hints) == 2
    assert all(text.strip() for text in (bug.title, bug.symptom, bug.why, bug.fix, bug.guide))
