"""view-instead-of-permute: permute/transpose replaced by a view or reshape to the same shape."""

from __future__ import annotations

from .helpers import assert_another_fix_passes, forms, mutate, sites_in


def test_permute_and_transpose_become_view_or_reshape_of_the_same_shape():
    source = """
    def forward(self, x, k):
        h = self.conv(x.permute(0, 2, 1))
        h = h.transpose(1, 2)
        return h @ k.transpose(-2, -1)
    """
    assert forms("view-instead-of-permute", source) == [
        ("view instead of permute", ["h = self.conv(x.view(x.size(0), x.size(2), x.size(1)))"]),
        ("reshape instead of permute", ["h = self.conv(x.reshape(x.size(0), x.size(2), x.size(1)))"]),
        ("view instead of transpose", ["h = h.view(h.size(0), h.size(2), h.size(1))"]),
        ("reshape instead of transpose", ["h = h.reshape(h.size(0), h.size(2), h.size(1))"]),
        ("view instead of transpose", ["return h @ k.view(*k.shape[:-2], k.size(-1), k.size(-2))"]),
        ("reshape instead of transpose", ["return h @ k.reshape(*k.shape[:-2], k.size(-1), k.size(-2))"]),
    ]


def test_sites_exclude_identity_computed_and_attention_merges():
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


def test_sites_in_the_clean_programs():
    assert sites_in("data/sequence_batches", "view-instead-of-permute") == 4


def test_a_fix_other_than_the_undo_passes(bughunt, tmp_path):
    assert_another_fix_passes(bughunt, tmp_path, "data/sequence_batches", "view-instead-of-permute",
                              "reshape instead of permute",
                              [("x.reshape(x.size(0), x.size(2), x.size(1))", "x.transpose(1, 2)")],
                              failing_prefix="with ")
