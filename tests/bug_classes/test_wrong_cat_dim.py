"""wrong-cat-dim: torch.cat along another literal dim, or with its dim dropped."""

from __future__ import annotations

from .helpers import forms, mutate


def test_forms_and_literal_dims_only():
    source = """
    import torch
    a = torch.cat([x, y], dim=1)
    b = torch.cat((x, y), 0)
    c = torch.cat([x, y], dim=d)
    """
    assert forms("wrong-cat-dim", source) == [
        ("dim=0", ["a = torch.cat([x, y], dim=0)"]),
        ("dim omitted", ["a = torch.cat([x, y])"]),
        ("dim=1", ["b = torch.cat((x, y), 1)"]),
    ]


def test_no_site_for_a_computed_dim_or_a_stack():
    source = """
    import torch
    a = torch.cat([x, y], dim=d)
    b = torch.stack([x, y], dim=1)
    """
    assert mutate("wrong-cat-dim", source) == []
