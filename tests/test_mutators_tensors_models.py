"""Tensor-shape and model-structure bug classes: sites by idiom, every surface form, and only there."""

from __future__ import annotations

import textwrap

import pytest

from bughunt.bug_catalog import get_class
from bughunt.bug_catalog.plain_list_submodules import optimizer_coverage
from bughunt.bug_catalog.unsqueeze_wrong_dim import always_differs, candidates, layout
from bughunt.clean_programs import get_program
from bughunt.exercise import mutants
from bughunt.mutator import mutants_of


def mutate(bug_id: str, source: str):
    source = textwrap.dedent(source)
    return mutants_of(source, bug_id, get_class(bug_id).mutate)


def changed(bug_id: str, source: str) -> list[tuple[str, list[str]]]:
    """(form, the mutant's lines that are not in the source) for every mutant."""
    before = set(textwrap.dedent(source).splitlines())
    return [(m.form, [line.strip() for line in m.source.splitlines() if line not in before])
            for m in mutate(bug_id, source)]


# --- unsqueeze-wrong-dim -----------------------------------------------------------------


def test_layout_places_new_dims_and_rejects_out_of_range():
    assert layout((2, 3), 2) == (0, 1, None, None)
    assert layout((-1, -1), 2) == (0, 1, None, None)  # the same tensor: an equivalent spelling
    assert layout((1, 1), 2) == (0, None, None, 1)
    assert layout((2,), 1) is None  # unsqueeze(2) on a vector raises


def test_equivalent_chains_are_never_candidates():
    assert not always_differs((2, 3), (2, 2))  # a second new dim next to the first: same layout
    assert not always_differs((-1,), (1,))  # the same for a 1-D tensor
    for dims in [(2, 3), (-1, -1), (-1,), (0,), (1,), (1, 2)]:
        for wrong in candidates(dims):
            assert all(layout(wrong, r) != layout(dims, r) for r in range(6) if layout(dims, r) is not None)


def test_unsqueeze_chain_is_one_site_with_two_forms():
    source = """
    import torch
    def broadcast(cond, n, h, w):
        cond = cond.unsqueeze(2).unsqueeze(3)
        return cond.expand(n, -1, h, w)
    """
    assert changed("unsqueeze-wrong-dim", source) == [
        ("unsqueeze(1).unsqueeze(1)", ["cond = cond.unsqueeze(1).unsqueeze(1)"]),
        ("unsqueeze(1).unsqueeze(3)", ["cond = cond.unsqueeze(1).unsqueeze(3)"]),
        ("expand with the kept (-1) dims last", ["return cond.expand(n, h, w, -1)"]),
    ]
    assert len({m.site for m in mutate("unsqueeze-wrong-dim", source)}) == 2


def test_unsqueeze_single_function_and_keyword_forms():
    source = """
    import torch
    weights = mask.unsqueeze(-1)
    col = torch.unsqueeze(lengths, dim=1)
    row = steps.unsqueeze(d)
    wide = cond.expand(-1, -1)
    """
    assert changed("unsqueeze-wrong-dim", source) == [
        ("unsqueeze(-2)", ["weights = mask.unsqueeze(-2)"]),
        ("unsqueeze(0)", ["col = torch.unsqueeze(lengths, dim=0)"]),
    ]  # a computed dim, and an expand that only keeps sizes, are not sites


# --- squeeze-drops-batch -----------------------------------------------------------------


def test_squeeze_with_a_dim_becomes_bare_in_two_spellings():
    source = """
    import torch
    logits = self.head(pooled).squeeze(1)
    scores = torch.squeeze(out, -1)
    single = model(x.unsqueeze(0)).squeeze(0)
    already = y.squeeze()
    """
    assert changed("squeeze-drops-batch", source) == [
        ("squeeze() without a dim", ["logits = self.head(pooled).squeeze()"]),
        ("torch.squeeze(x) without a dim", ["logits = torch.squeeze(self.head(pooled))"]),
        ("squeeze() without a dim", ["scores = out.squeeze()"]),
        ("torch.squeeze(x) without a dim", ["scores = torch.squeeze(out)"]),
    ]  # squeeze(0) removes the batch dim on purpose; a bare squeeze is not a site


# --- view-instead-of-permute ---------------------------------------------------------------


def test_permute_and_transpose_become_view_or_reshape_of_the_same_shape():
    source = """
    def forward(self, x, k):
        h = self.conv(x.permute(0, 2, 1))
        h = h.transpose(1, 2)
        return h @ k.transpose(-2, -1)
    """
    found = changed("view-instead-of-permute", source)
    assert found == [
        ("view instead of permute", ["h = self.conv(x.view(x.size(0), x.size(2), x.size(1)))"]),
        ("reshape instead of permute", ["h = self.conv(x.reshape(x.size(0), x.size(2), x.size(1)))"]),
        ("view instead of transpose", ["h = h.view(h.size(0), h.size(2), h.size(1))"]),
        ("reshape instead of transpose", ["h = h.reshape(h.size(0), h.size(2), h.size(1))"]),
        ("view instead of transpose", ["return h @ k.view(*k.shape[:-2], k.size(-1), k.size(-2))"]),
        ("reshape instead of transpose", ["return h @ k.reshape(*k.shape[:-2], k.size(-1), k.size(-2))"]),
    ]


def test_permute_sites_exclude_identity_computed_and_attention_merges():
    source = """
    a = x.permute(0, 1, 2)
    b = self.proj(x).permute(0, 2, 1)
    c = x.transpose(1, 2).contiguous().view(n, l, d)
    d = x.permute(*order)
    e = x.transpose(0, -1)
    """
    assert mutate("view-instead-of-permute", source) == []


def test_reshape_to_the_permuted_shape_scrambles_the_data():
    import torch

    x = torch.arange(24).reshape(2, 3, 4)
    wrong = x.reshape(x.size(0), x.size(2), x.size(1))
    assert wrong.shape == x.permute(0, 2, 1).shape and not torch.equal(wrong, x.permute(0, 2, 1))


# --- stack-instead-of-cat ------------------------------------------------------------------


def test_cat_and_stack_swap_both_ways_unless_flattened_after():
    source = """
    import torch
    h = torch.cat([a, b], dim=1)
    pooled = torch.stack([mean, peak], dim=1)
    allp = torch.concat(parts)
    flat = torch.stack([a, b], dim=1).flatten(1)
    """
    assert changed("stack-instead-of-cat", source) == [
        ("torch.stack instead of torch.cat", ["h = torch.stack([a, b], dim=1)"]),
        ("torch.cat instead of torch.stack", ["pooled = torch.cat([mean, peak], dim=1)"]),
        ("torch.stack instead of torch.cat", ["allp = torch.stack(parts)"]),
    ]


# --- film-scale-shift-swapped --------------------------------------------------------------


def test_film_swaps_in_the_formula_and_where_the_halves_are_unpacked():
    source = """
    class A(nn.Module):
        def forward(self, x, cond):
            return self.gamma(cond) * self.fc(x) + self.beta(cond)
    class B(nn.Module):
        def forward(self, h, cond):
            scale, shift = self.proj(cond).chunk(2, dim=1)
            return h * (1 + scale) + shift
    """
    assert changed("film-scale-shift-swapped", source) == [
        ("beta scales, gamma shifts", ["return self.beta(cond) * self.fc(x) + self.gamma(cond)"]),
        ("shift scales, scale shifts", ["return h * (1 + shift) + scale"]),
        ("unpacked as shift, scale", ["shift, scale = self.proj(cond).chunk(2, dim=1)"]),
    ]


def test_film_needs_a_scale_in_the_product_and_a_shift_in_the_sum():
    source = """
    scores = q @ k * self.scale + mask
    y = alpha * x + beta
    z = gamma * x + gamma
    """
    assert mutate("film-scale-shift-swapped", source) == []


# --- plain-list-submodules -----------------------------------------------------------------

MODEL = """
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, depth):
        super().__init__()
        self.blocks = nn.ModuleList([Block(8) for _ in range(depth)])
        self.heads = nn.ModuleDict({"a": nn.Linear(8, 2)})
        self.extra = nn.ModuleList()
        self.acts = nn.ModuleList([nn.ReLU(), nn.Dropout(0.1)])
        self.again = nn.ModuleList([self.fc1, self.fc2])
        self.net = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        self.layers = nn.Sequential(*make_layers())

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.net(x)

optimizer = torch.optim.SGD(Net(2).parameters(), lr=0.1)
"""


def test_plain_containers_only_where_they_hide_parameters():
    assert changed("plain-list-submodules", MODEL) == [
        ("plain list instead of nn.ModuleList", ["self.blocks = [Block(8) for _ in range(depth)]"]),
        ("list(generator) instead of nn.ModuleList", ["self.blocks = list(Block(8) for _ in range(depth))"]),
        ("plain dict instead of nn.ModuleDict", ['self.heads = {"a": nn.Linear(8, 2)}']),
        ("plain list instead of nn.ModuleList", ["self.extra = []"]),
        ("plain list instead of nn.Sequential", ["self.layers = list(make_layers())"]),
    ]  # parameter-free layers, layers registered elsewhere and a called Sequential are not sites


def test_plain_containers_need_a_program_that_trains():
    assert mutate("plain-list-submodules", MODEL.replace("Net(2).parameters()", "[]")) == []


def test_optimizer_coverage_counts_what_the_optimizers_update():
    ref = {"params": {"embed.weight": 0, "blocks.0.fc.weight": 0, "head.weight": 0}}
    assert optimizer_coverage(ref, ref) is None
    fewer = {"params": {"embed.weight": 0, "head.weight": 0}}
    assert optimizer_coverage(ref, fewer) == (
        "the optimizer updates 2 parameter tensors instead of 3: some layers are never trained")


# --- softmax-before-cross-entropy ----------------------------------------------------------

CLASSIFIER = """
import torch
import torch.nn as nn

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(
            nn.LayerNorm(8),
            nn.Linear(8, 3),
        )

    def forward(self, x):
        return self.head(x)

def train(model, x, y):
    criterion = nn.CrossEntropyLoss()
    logits = model(x)
    return criterion(logits, y)

model = MLP().to(device)
"""


def test_softmax_before_the_loss_and_inside_the_model():
    found = changed("softmax-before-cross-entropy", CLASSIFIER)
    assert found == [
        ("torch.softmax before the loss", ["return criterion(torch.softmax(logits, dim=1), y)"]),
        (".softmax(dim=1) before the loss", ["return criterion(logits.softmax(dim=1), y)"]),
        ("softmax at the end of forward()", ["return torch.softmax(self.head(x), dim=1)"]),
        ("nn.Softmax(dim=1) as the last layer", ["nn.Softmax(dim=1),"]),
    ]
    appended = mutate("softmax-before-cross-entropy", CLASSIFIER)[-1].source
    assert "            nn.Linear(8, 3),\n            nn.Softmax(dim=1),\n        )" in appended


def test_softmax_with_functional_import_and_reshaped_logits():
    source = """
    import torch
    import torch.nn.functional as F
    def step(model, x, y):
        logits = model(x).view(-1, 5)
        return F.cross_entropy(logits, y)
    model = nn.Sequential(nn.Linear(4, 5))
    """
    assert [form for form, _ in changed("softmax-before-cross-entropy", source)] == [
        "torch.softmax before the loss", "F.softmax before the loss"]  # reshaped: no site in the model


# --- on the clean programs -----------------------------------------------------------------


@pytest.mark.parametrize("program, bug, forms", [
    ("data/sequence_batches", "view-instead-of-permute", 4),
    ("data/sequence_batches", "unsqueeze-wrong-dim", 3),
    ("data/sequence_batches", "squeeze-drops-batch", 2),
    ("data/sequence_batches", "stack-instead-of-cat", 1),
    ("models/residual_mlp", "plain-list-submodules", 2),
    ("models/residual_mlp", "softmax-before-cross-entropy", 4),
    ("models/film_conv", "film-scale-shift-swapped", 2),
    ("models/film_conv", "unsqueeze-wrong-dim", 2),
    ("models/conditioning", "film-scale-shift-swapped", 1),
    ("data/feature_maps", "unsqueeze-wrong-dim", 3),
])
def test_sites_in_the_clean_programs(program, bug, forms):
    assert sum(m.bug == bug for m in mutants(get_program(program))) == forms


# --- any correct fix passes ----------------------------------------------------------------


def _verdict(bughunt, path):
    import json

    result = bughunt("verify", path, "--json")
    [entry] = json.loads(result.output)
    return result.exit_code, entry["message"]


@pytest.mark.parametrize("program, bug, form, edits", [
    ("data/sequence_batches", "view-instead-of-permute", "reshape instead of permute",
     [("x.reshape(x.size(0), x.size(2), x.size(1))", "x.transpose(1, 2)")]),
    ("data/sequence_batches", "squeeze-drops-batch", "squeeze() without a dim",
     [("self.head(pooled).squeeze()", "self.head(pooled)[:, 0]")]),
    ("models/residual_mlp", "plain-list-submodules", "plain list instead of nn.ModuleList",
     [("self.blocks = [", "self.blocks = nn.Sequential(*["), ("for _ in range(depth)]", "for _ in range(depth)])")]),
    ("models/film_conv", "film-scale-shift-swapped", "unpacked as beta, gamma",
     [("return (1 + gamma) * h + beta", "return (1 + beta) * h + gamma")]),
])
def test_a_fix_other_than_the_undo_passes(bughunt, tmp_path, program, bug, form, edits):
    from conftest import edit, make_exercise

    path = make_exercise(tmp_path, program, bug, form)
    code, message = _verdict(bughunt, path)
    assert code == 1 and message.startswith("with ")
    for old, new in edits:
        edit(path, old, new)
    assert _verdict(bughunt, path) == (0, "")
