"""attention-missing-scale: attention scores not scaled by 1/sqrt(d_k), or scaled wrongly."""

from __future__ import annotations

import pytest

from .helpers import assert_another_fix_passes, forms, mutate


def test_forms_for_division_and_multiplication():
    source = """
    import math
    import torch
    def attention(q, k, v):
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        return scores
    def attention2(self, q, k):
        return torch.matmul(q, k.mT) * self.scale
    def attention3(query, key, d):
        logits = query @ key.transpose(-2, -1)
        logits = logits / d ** 0.5
        return logits
    """
    assert forms("attention-missing-scale", source) == [
        ("scale dropped", ["scores = q @ k.transpose(-2, -1)"]),
        ("divided by d_k, not sqrt(d_k)", ["scores = q @ k.transpose(-2, -1) / q.size(-1)"]),
        ("scale dropped", ["return torch.matmul(q, k.mT)"]),
        ("divided by the scale instead of multiplied", ["return torch.matmul(q, k.mT) / self.scale"]),
        ("scale dropped", []),
        ("divided by d_k, not sqrt(d_k)", ["logits = logits / d"]),
    ]
    assert "logits = logits" not in mutate("attention-missing-scale", source)[4].source


def test_only_on_scores_against_transposed_keys():
    source = """
    y = x @ w / 2
    z = (a @ b.T) * mask
    mean = total / count
    """
    assert mutate("attention-missing-scale", source) == []


@pytest.mark.slow
def test_another_correct_fix_passes(bughunt, tmp_path):
    assert_another_fix_passes(bughunt, tmp_path, "transformers/encoder_block", "attention-missing-scale", "scale dropped",
                              [("scores = torch.matmul(q, k.transpose(-2, -1))",
                                "scores = torch.matmul(q, k.transpose(-2, -1)) / (d_model // self.num_heads) ** 0.5")])
