"""unsqueeze-wrong-dim: a new dim inserted where it lays the tensor out differently."""

from __future__ import annotations

import pytest

from bughunt.bug_catalog.unsqueeze_wrong_dim import always_differs, candidates, layout

from .helpers import forms, mutate, sites_in


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


def test_chain_is_one_site_with_two_forms():
    source = """
    import torch
    def broadcast(cond, n, h, w):
        cond = cond.unsqueeze(2).unsqueeze(3)
        return cond.expand(n, -1, h, w)
    """
    assert forms("unsqueeze-wrong-dim", source) == [
        ("unsqueeze(1).unsqueeze(1)", ["cond = cond.unsqueeze(1).unsqueeze(1)"]),
        ("unsqueeze(1).unsqueeze(3)", ["cond = cond.unsqueeze(1).unsqueeze(3)"]),
        ("expand with the kept (-1) dims last", ["return cond.expand(n, h, w, -1)"]),
    ]
    assert len({m.site for m in mutate("unsqueeze-wrong-dim", source)}) == 2


def test_single_function_and_keyword_forms():
    source = """
    import torch
    weights = mask.unsqueeze(-1)
    col = torch.unsqueeze(lengths, dim=1)
    row = steps.unsqueeze(d)
    wide = cond.expand(-1, -1)
    """
    assert forms("unsqueeze-wrong-dim", source) == [
        ("unsqueeze(-2)", ["weights = mask.unsqueeze(-2)"]),
        ("unsqueeze(0)", ["col = torch.unsqueeze(lengths, dim=0)"]),
    ]  # a computed dim, and an expand that only keeps sizes, are not sites


def test_no_site_for_a_computed_dim_or_an_expand_that_keeps_sizes():
    assert mutate("unsqueeze-wrong-dim", "import torch\nrow = steps.unsqueeze(d)\nwide = cond.expand(-1, -1)\n") == []


@pytest.mark.parametrize("program, count", [
    ("data/sequence_batches", 3), ("models/film_conv", 2), ("data/feature_maps", 3)])
def test_sites_in_the_clean_programs(program, count):
    assert sites_in(program, "unsqueeze-wrong-dim") == count
