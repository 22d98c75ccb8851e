"""q-sample-missing-sqrt: the forward process mixes with alpha-bar, not its square root."""

from __future__ import annotations

import pytest

from .helpers import SCHEDULE, assert_another_fix_passes, forms, mutate


def test_forms_keep_precedence():
    assert forms("q-sample-missing-sqrt", SCHEDULE) == [
        ("square root dropped", ["return abar * x0 + (1.0 - abar).sqrt() * noise"]),
        ("square root dropped", ["return abar.sqrt() * x0 + (1.0 - abar) * noise"]),
        ("1 - sqrt(x) instead of sqrt(1 - x)", ["return abar.sqrt() * x0 + (1.0 - abar.sqrt()) * noise"]),
    ]
    functional = "import torch\nx = torch.sqrt(1 - alphas_cumprod[t]) * eps + betas[t] ** 0.5 * z\n"
    assert forms("q-sample-missing-sqrt", functional) == [
        ("square root dropped", ["x = (1 - alphas_cumprod[t]) * eps + betas[t] ** 0.5 * z"]),
        ("1 - sqrt(x) instead of sqrt(1 - x)", ["x = (1 - torch.sqrt(alphas_cumprod[t])) * eps + betas[t] ** 0.5 * z"]),
        ("square root dropped", ["x = torch.sqrt(1 - alphas_cumprod[t]) * eps + betas[t] * z"]),
    ]


def test_ignores_roots_of_other_things():
    source = "import math\nscale = math.sqrt(d_k)\nstd = var.sqrt()\nnorm = grad ** 0.5\n"
    assert mutate("q-sample-missing-sqrt", source) == []


@pytest.mark.slow
def test_another_correct_fix_passes(bughunt, tmp_path):
    assert_another_fix_passes(bughunt, tmp_path, "diffusion/ddpm", "q-sample-missing-sqrt",
                              "1 - sqrt(x) instead of sqrt(1 - x)", [("(1.0 - abar.sqrt())", "torch.sqrt(1 - abar)")])
