"""A Transformer encoder block, trained on a toy task: is a sequence's average token a high one?

Guide: folder 11 (the encoder block). Post-norm layout, as in the original Transformer:
    x = LayerNorm(x + SelfAttention(x))     then     x = LayerNorm(x + FeedForward(x))
The residual additions let each sub-layer learn a correction to x instead of a new x.
Sequences have different lengths and are padded with PAD; a padding mask (True at padding)
keeps every query from attending to padding, and the pooling averages real tokens only.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

PAD = 0


class SelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (d_model // num_heads) ** -0.5  # 1 / sqrt(d_k)
        # Q, K and V from one matmul; no bias: a key bias only shifts all of a query's scores
        # by the same amount, which the softmax ignores (its gradient would be pure rounding noise)
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x, pad_mask):
        n, length, d_model = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        # (N, L, d_model) -> (N, heads, L, d_k) for each of them
        q, k, v = (t.reshape(n, length, self.num_heads, -1).transpose(1, 2) for t in (q, k, v))
        scores = torch.matmul(q, k.transpose(-2, -1)) * self.scale  # (N, heads, L, L)
        scores = scores.masked_fill(pad_mask[:, None, None, :], float("-inf"))  # no key that is padding
        attn = F.softmax(scores, dim=-1)
        out = torch.matmul(attn, v).transpose(1, 2).reshape(n, length, d_model)  # heads merged back
        return self.out(out)


class EncoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.attn = SelfAttention(d_model, num_heads)
        self.norm1 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.norm2 = nn.LayerNorm(d_model)

    def forward(self, x, pad_mask):
        x = self.norm1(x + self.attn(x, pad_mask))  # residual around attention, then LayerNorm
        return self.norm2(x + self.ff(x))  # residual around the feed-forward, then LayerNorm


class SequenceClassifier(nn.Module):
    def __init__(self, vocab, d_model, num_heads):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model, padding_idx=PAD)
        self.encoder = EncoderBlock(d_model, num_heads, d_ff=2 * d_model)
        self.head = nn.Linear(d_model, 2)

    def forward(self, tokens):
        pad_mask = tokens == PAD  # (N, L): True at padding
        h = self.encoder(self.embed(tokens), pad_mask)
        keep = (~pad_mask).unsqueeze(-1).float()  # (N, L, 1): 1 at real tokens
        pooled = (h * keep).sum(dim=1) / keep.sum(dim=1)  # mean over the real tokens only
        return self.head(pooled)


def make_data(n, max_len, vocab):
    """Token sequences of lengths 1..max_len, padded with PAD. Label 1: the average real token
    is in the upper half of the vocabulary (tokens 1 .. vocab-1), label 0: the lower half."""
    lengths = torch.randint(1, max_len + 1, (n,))
    tokens = torch.randint(1, vocab, (n, max_len))
    tokens[torch.arange(max_len)[None, :] >= lengths[:, None]] = PAD
    labels = (tokens.sum(dim=1) / lengths > vocab / 2).long()
    return tokens, labels


def main(batch_size=8, seq_len=6, num_heads=2, epochs=10, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    vocab = 7  # PAD and the tokens 1..6

    tokens, labels = make_data(24, seq_len, vocab)
    loader = DataLoader(TensorDataset(tokens, labels), batch_size=batch_size, shuffle=True)
    model = SequenceClassifier(vocab, d_model=16, num_heads=num_heads).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

    losses = []
    model.train()
    for epoch in range(epochs):
        for batch_tokens, batch_labels in loader:
            batch_tokens, batch_labels = batch_tokens.to(device), batch_labels.to(device)
            optimizer.zero_grad()
            loss = criterion(model(batch_tokens), batch_labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())

    model.eval()
    with torch.no_grad():
        logits = model(tokens.to(device))
    accuracy = (logits.argmax(dim=1) == labels.to(device)).float().mean().item()
    return {"losses": losses, "logits": logits[:4], "train_accuracy": accuracy}


if __name__ == "__main__":
    out = main()
    print(f"loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
    print(f"training accuracy {out['train_accuracy']:.0%}")
