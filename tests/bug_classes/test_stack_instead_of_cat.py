"""stack-instead-of-cat: torch.cat and torch.stack swapped."""

from __future__ import annotations

from .helpers import forms, mutate, sites_in


def test_cat_and_stack_swap_both_ways_unless_flattened_after():
    source = """
    import torch
    h = torch.cat([a, b], dim=1)
    pooled = torch.stack([mean, peak], dim=1)
    allp = torch.concat(parts)
    flat = torch.stack([a, b], dim=1).flatten(1)
    """
    assert forms("stack-instead-of-cat", source) == [
        ("torch.stack instead of torch.cat", ["h = torch.stack([a, b], dim=1)"]),
        ("torch.cat instead of torch.stack", ["pooled = torch.cat([mean, peak], dim=1)"]),
        ("torch.stack instead of torch.cat", ["allp = torch.stack(parts)"]),
    ]


def test_no_site_for_a_stack_flattened_after():
    assert mutate("stack-instead-of-cat", "import torch\nflat = torch.stack([a, b], dim=1).flatten(1)\n") == []


def test_sites_in_the_clean_programs():
    assert sites_in("data/sequence_batches", "stack-instead-of-cat") == 1


def test_no_site_when_every_element_is_reduced_at_once():
    # seen in a training script: the total of the per-batch losses is the same either way
    source = "import torch\ndef total(losses, parts):\n    a = torch.cat(parts).sum()\n    b = torch.stack(parts).mean()\n    return a + b\n"
    assert mutate("stack-instead-of-cat", source) == []
    per_dim = source.replace(".sum()", ".sum(dim=0)")
    assert [m.form for m in mutate("stack-instead-of-cat", per_dim)] == ["torch.stack instead of torch.cat"]
