"""mask-inverted: an attention or padding mask that keeps what it should hide."""

from __future__ import annotations

from .helpers import forms, mutate


def test_where_masks_are_used_and_made():
    source = """
    import torch
    import torch.nn.functional as F
    def attend(scores, tokens, mask, lengths, q, k, v, mha, x):
        pad_mask = tokens == 0
        causal_mask = torch.tril(torch.ones(4, 4, dtype=torch.bool))
        keep = ~pad_mask
        a = scores.masked_fill(~mask, float("-inf"))
        b = scores.masked_fill(pad_mask[:, None, :], float("-inf"))
        c = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
        d = mha(x, x, x, key_padding_mask=pad_mask, attn_mask=lengths)
    """
    assert forms("mask-inverted", source) == [
        ("masked_fill mask inverted", ["a = scores.masked_fill(mask, float(\"-inf\"))"]),
        ("masked_fill mask inverted", ["b = scores.masked_fill(~pad_mask[:, None, :], float(\"-inf\"))"]),
        ("attn_mask inverted", ["c = F.scaled_dot_product_attention(q, k, v, attn_mask=~keep)"]),
        ("key_padding_mask inverted", ["d = mha(x, x, x, key_padding_mask=~pad_mask, attn_mask=lengths)"]),
        ("mask built with the opposite comparison", ["pad_mask = tokens != 0"]),
        ("causal mask from torch.triu", ["causal_mask = torch.triu(torch.ones(4, 4, dtype=torch.bool))"]),
    ]  # attn_mask=lengths is not known to be boolean (a float mask cannot be inverted with ~)


def test_no_site_for_a_mask_not_known_to_be_boolean():
    source = "import torch\ndef attend(mha, x, lengths, tokens):\n    d = mha(x, x, x, attn_mask=lengths)\n    n = tokens.sum()\n"
    assert mutate("mask-inverted", source) == []
