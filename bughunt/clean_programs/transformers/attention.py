"""Attention written out by hand, then checked against PyTorch's own implementations.

Guide: folder 11 (building the Transformer from scratch). Scaled dot-product attention is
softmax(Q K^T / sqrt(d_k)) V: every query scores every key, the softmax over the keys turns
a query's scores into weights that sum to 1, and masked pairs get -inf (weight 0).
Multi-head attention projects x to Q, K and V, splits the features into heads
(view + transpose), attends in all heads at once and merges them back (transpose +
contiguous + view). Our masks say True where a query MAY attend, like the attn_mask of
F.scaled_dot_product_attention; nn.MultiheadAttention's masks say True where it may NOT.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def attention(q, k, v, mask=None):
    """q, k, v: (..., L, d_k); mask: bool, broadcastable to (..., L, L). Returns (output, weights)."""
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., L, L): scaled so the softmax stays soft
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # blocked pairs: exactly 0 after the softmax
    weights = torch.softmax(scores, dim=-1)  # over the keys: each query's row sums to 1
    return weights @ v, weights


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        assert d_model % num_heads == 0, "the heads split d_model evenly"
        self.num_heads, self.d_k = num_heads, d_model // num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def split_heads(self, x):
        """(N, L, d_model) -> (N, heads, L, d_k): a view cuts the features, transpose moves heads out."""
        n, length, _ = x.shape
        return x.view(n, length, self.num_heads, self.d_k).transpose(1, 2)

    def forward(self, x, mask=None):
        n, length, d_model = x.shape
        q = self.split_heads(self.q_proj(x))
        k = self.split_heads(self.k_proj(x))
        v = self.split_heads(self.v_proj(x))
        out, _ = attention(q, k, v, mask)  # (N, heads, L, d_k)
        # undo the split: heads next to d_k again, contiguous memory, then one view joins them
        out = out.transpose(1, 2).contiguous().view(n, length, d_model)
        return self.out_proj(out)


def make_masks(lengths, max_len):
    """key_mask (N, L): True at real tokens. causal_mask (L, L): True where key <= query."""
    positions = torch.arange(max_len, device=lengths.device)
    key_mask = positions[None, :] < lengths[:, None]
    causal_mask = torch.tril(torch.ones(max_len, max_len, dtype=torch.bool, device=lengths.device))
    return key_mask, causal_mask


def main(batch_size=4, seq_len=6, num_heads=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    d_model = 8

    # real lengths from just over half of seq_len to all of it; the rest of each row is padding
    lengths = torch.randint(seq_len // 2 + 1, seq_len + 1, (batch_size,), device=device)
    key_mask, causal_mask = make_masks(lengths, seq_len)
    mask = key_mask[:, None, :] & causal_mask  # (N, L, L): a real key, and not in the future

    # one head: our attention against PyTorch's fused kernel, on the same inputs and mask
    q, k, v = torch.randn(3, batch_size, seq_len, d_model, device=device)
    single, weights = attention(q, k, v, mask)
    fused = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

    # several heads: our module against nn.MultiheadAttention holding the very same weights
    mha = MultiHeadAttention(d_model, num_heads).to(device)
    torch_mha = nn.MultiheadAttention(d_model, num_heads, batch_first=True).to(device)
    with torch.no_grad():
        torch_mha.in_proj_weight.copy_(torch.cat([mha.q_proj.weight, mha.k_proj.weight, mha.v_proj.weight]))
        torch_mha.in_proj_bias.copy_(torch.cat([mha.q_proj.bias, mha.k_proj.bias, mha.v_proj.bias]))
        torch_mha.out_proj.load_state_dict(mha.out_proj.state_dict())
        x = torch.randn(batch_size, seq_len, d_model, device=device)
        multi = mha(x, mask[:, None])  # (N, 1, L, L): the same mask for every head
        expected, _ = torch_mha(x, x, x, attn_mask=~causal_mask, key_padding_mask=~key_mask)

    return {
        "single": single,
        "weights": weights,
        "multi": multi,
        "single_matches": torch.allclose(single, fused, atol=1e-5),
        "multi_matches": torch.allclose(multi, expected, atol=1e-5),
    }


if __name__ == "__main__":
    out = main()
    print("one head matches F.scaled_dot_product_attention:", out["single_matches"])
    print("multi-head matches nn.MultiheadAttention:", out["multi_matches"])
    print("attention rows sum to 1:", torch.allclose(out["weights"].sum(dim=-1), torch.ones(1)))
