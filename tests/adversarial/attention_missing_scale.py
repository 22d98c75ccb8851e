from adversarial import fake, fix

P, DROPPED, BY_DK = "transformers/attention", "scale dropped", "divided by d_k, not sqrt(d_k)"
SCORES = "scores = q @ k.transpose(-2, -1)  # combine the terms\n"
SCORES_DK = "scores = q @ k.transpose(-2, -1) / d_k  # combine the terms\n"
SOFTMAX = "weights = torch.softmax(scores, dim=-1)"
ENC, DIVIDED = "transformers/encoder_block", "divided by the scale instead of multiplied"
ENC_SCORES = "scores = torch.matmul(q, k.transpose(-2, -1)) / self.scale"
ENC_SCALE = "self.scale = (d_model // num_heads) ** -0.5"

CASES = [
    fake("makes the check agree instead: the fused kernel is called with scale=1.0, so single_matches is "
         "True while the attention is still unscaled",
         P, DROPPED, ("fused = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)",
                      "fused = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1.0)")),
    fake("hard-codes sqrt(8), the single-head d_k: the heads have d_k = 8 / num_heads",
         P, DROPPED, (SCORES, "scores = q @ k.transpose(-2, -1) / math.sqrt(8)\n")),
    fake("scales the attention weights after the softmax instead of the scores before it",
         P, BY_DK, (SCORES_DK, SCORES),
         (SOFTMAX, "weights = torch.softmax(scores, dim=-1) / math.sqrt(d_k)")),
    fake("scales by d_model, not by the per-head d_k", ENC, DIVIDED,
         (ENC_SCALE, "self.scale = d_model ** -0.5"),
         (ENC_SCORES, "scores = torch.matmul(q, k.transpose(-2, -1)) * self.scale")),
    fix("scales the queries before the product", P, DROPPED,
        (SCORES, "scores = (q / math.sqrt(d_k)) @ k.transpose(-2, -1)\n")),
    fix("multiplies by d_k ** -0.5, with k.mT", P, BY_DK,
        (SCORES_DK, "scores = q @ k.mT * d_k ** -0.5\n")),
    fix("scales inside the softmax, after masking (-inf stays -inf)", P, DROPPED,
        (SOFTMAX, "weights = torch.softmax(scores / math.sqrt(d_k), dim=-1)")),
    fix("redefines self.scale as sqrt(d_k), so that dividing by it is right", ENC, DIVIDED,
        (ENC_SCALE, "self.scale = (d_model // num_heads) ** 0.5")),
]
