"""heads-merged-without-transpose: attention heads split or merged by a view alone."""

from __future__ import annotations

import pytest

from .helpers import assert_another_fix_passes, forms, mutate


def test_split_and_merge_forms():
    source = """
    def split(self, x, n, length):
        return x.view(n, length, self.heads, self.d_k).transpose(1, 2)
    def merge(out, n, length, d_model):
        a = out.transpose(1, 2).contiguous().view(n, length, d_model)
        b = out.permute(0, 2, 1, 3).reshape(n, length, d_model)
        return a, b
    """
    assert forms("heads-merged-without-transpose", source) == [
        ("split without transpose", ["return x.view(n, length, self.heads, self.d_k)"]),
        ("split by viewing to (N, heads, L, d_k)", ["return x.view(n, self.heads, length, self.d_k)"]),
        ("merge without transpose", ["a = out.contiguous().view(n, length, d_model)"]),
        ("merge without transpose", ["b = out.reshape(n, length, d_model)"]),
    ]


def test_ignores_other_transposes():
    source = """
    a = x.view(n, c, length).transpose(1, 2)
    b = x.transpose(1, 2).reshape(n, -1)
    c = x.view(n, length, h, d).transpose(2, 3)
    """
    assert mutate("heads-merged-without-transpose", source) == []


@pytest.mark.slow
def test_another_correct_fix_passes(bughunt, tmp_path):
    assert_another_fix_passes(bughunt, tmp_path, "transformers/attention", "heads-merged-without-transpose",
                              "merge without transpose", [("out = out.contiguous().view(n, length, d_model)",
                                                           "out = out.permute(0, 2, 1, 3).reshape(n, length, -1)")])
