from adversarial import fake, fix

P = "transformers/attention"
SPLIT, SPLIT_VIEW, MERGE = "split without transpose", "split by viewing to (N, heads, L, d_k)", "merge without transpose"
SPLIT_BUGGY = "return x.view(n, length, self.num_heads, self.d_k)\n"
SPLIT_VIEW_BUGGY = "return x.view(n, self.num_heads, length, self.d_k)\n"
MERGE_BUGGY = "out = out.contiguous().view(n, length, d_model)"
ENC = "transformers/encoder_block"
ENC_MERGE_BUGGY = "out = torch.matmul(attn, v).reshape(n, length, d_model)"

CASES = [
    fake("splits the features into interleaved heads (every num_heads-th feature): shape (N, heads, L, d_k), "
         "but not the heads nn.MultiheadAttention cuts", P, SPLIT,
         (SPLIT_BUGGY, "return x.view(n, length, self.d_k, self.num_heads).permute(0, 3, 1, 2)\n")),
    fake("thinks contiguous() was the trouble and merges with reshape, still without the transpose",
         P, MERGE, (MERGE_BUGGY, "out = out.reshape(n, length, d_model)")),
    fake("transposes the last two dims before merging instead of heads and positions", P, MERGE,
         (MERGE_BUGGY, "out = out.transpose(2, 3).contiguous().view(n, length, d_model)")),
    fake("reports the check as passing instead of fixing the split", P, SPLIT_VIEW,
         ('"multi_matches": torch.allclose(multi, expected, atol=1e-5)', '"multi_matches": True')),
    fix("unflatten the features, then transpose", P, SPLIT,
        (SPLIT_BUGGY, "return x.unflatten(-1, (self.num_heads, self.d_k)).transpose(1, 2)\n")),
    fix("reshape then permute(0, 2, 1, 3)", P, SPLIT_VIEW,
        (SPLIT_VIEW_BUGGY, "return x.reshape(n, length, self.num_heads, -1).permute(0, 2, 1, 3)\n")),
    fix("transpose back, then reshape (which copies as needed)", P, MERGE,
        (MERGE_BUGGY, "out = out.transpose(1, 2).reshape(n, length, d_model)")),
    fix("permute back, then flatten the last two dims", ENC, MERGE,
        (ENC_MERGE_BUGGY, "out = torch.matmul(attn, v).permute(0, 2, 1, 3).flatten(start_dim=2)")),
]
