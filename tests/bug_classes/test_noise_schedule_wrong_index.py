"""noise-schedule-wrong-index: the schedule read at t - 1 or t + 1, or its cumulative product spelled wrong."""

from __future__ import annotations

from .helpers import SCHEDULE, forms, mutate


def test_index_shifted_both_ways_and_cumprod_forms():
    assert forms("noise-schedule-wrong-index", SCHEDULE) == [
        ("index t - 1", ["abar = alphas_cumprod[t - 1].unsqueeze(1)"]),
        ("index t + 1", ["abar = alphas_cumprod[t + 1].unsqueeze(1)"]),
        ("cumsum instead of cumprod", ["alphas_cumprod = torch.cumsum(alphas, dim=0)"]),
        ("cumprod of betas", ["alphas_cumprod = torch.cumprod(betas, dim=0)"]),
    ]


def test_index_needs_a_schedule_and_a_variable_step():
    source = """
    import torch
    a = features[t]
    b = alphas_cumprod[0]
    c = betas[:t]
    d = self.alphas.cumprod(0)
    """
    assert forms("noise-schedule-wrong-index", source) == [("cumsum instead of cumprod", ["d = self.alphas.cumsum(0)"])]


def test_no_site_without_a_schedule_read_at_a_step():
    source = "import torch\na = features[t]\nb = alphas_cumprod[0]\nc = betas[:t]\nd = torch.cumsum(alphas, dim=0)\n"
    assert mutate("noise-schedule-wrong-index", source) == []
