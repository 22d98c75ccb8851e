"""film-scale-shift-swapped: FiLM's scale and shift trade places."""

from __future__ import annotations

import pytest

from .helpers import assert_another_fix_passes, forms, mutate, sites_in


def test_swaps_in_the_formula_and_where_the_halves_are_unpacked():
    source = """
    class A(nn.Module):
        def forward(self, x, cond):
            return self.gamma(cond) * self.fc(x) + self.beta(cond)
    class B(nn.Module):
        def forward(self, h, cond):
            scale, shift = self.proj(cond).chunk(2, dim=1)
            return h * (1 + scale) + shift
    """
    assert forms("film-scale-shift-swapped", source) == [
        ("beta scales, gamma shifts", ["return self.beta(cond) * self.fc(x) + self.gamma(cond)"]),
        ("shift scales, scale shifts", ["return h * (1 + shift) + scale"]),
        ("unpacked as shift, scale", ["shift, scale = self.proj(cond).chunk(2, dim=1)"]),
    ]


def test_needs_a_scale_in_the_product_and_a_shift_in_the_sum():
    source = """
    scores = q @ k * self.scale + mask
    y = alpha * x + beta
    z = gamma * x + gamma
    """
    assert mutate("film-scale-shift-swapped", source) == []


@pytest.mark.parametrize("program, count", [("models/film_conv", 2), ("models/conditioning", 1)])
def test_sites_in_the_clean_programs(program, count):
    assert sites_in(program, "film-scale-shift-swapped") == count


def test_a_fix_other_than_the_undo_passes(bughunt, tmp_path):
    assert_another_fix_passes(bughunt, tmp_path, "models/film_conv", "film-scale-shift-swapped",
                              "unpacked as beta, gamma",
                              [("return (1 + gamma) * h + beta", "return (1 + beta) * h + gamma")],
                              failing_prefix="with ")
