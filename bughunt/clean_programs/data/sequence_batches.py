"""Variable-length sequences: pad them into one batch, mask the padding, run a Conv1d over them.

Guide: sections 2.3-2.4 (unsqueeze, squeeze, permute and transpose) and section 3 (a
DataLoader with its own collate_fn). Every sample is a sequence of shape (L, C) with its
own length L; its label says whether channel 0 is positive on average.
"""
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader


def make_sequences(n, channels, max_len):
    """n (sequence, label) pairs; each sequence has shape (L, channels) with 1 <= L <= max_len."""
    samples = []
    for _ in range(n):
        length = int(torch.randint(1, max_len + 1, ()))
        seq = torch.randn(length, channels)
        label = (seq[:, 0].mean() > 0).float()  # a 0-d float: one binary target per sequence
        samples.append((seq, label))
    return samples


def collate(batch):
    """[(seq (L_i, C), label)] -> padded (N, L, C), mask (N, L) and labels (N,)."""
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(seq) for seq in seqs])
    padded = pad_sequence(list(seqs), batch_first=True)  # zeros after each sequence ends
    steps = torch.arange(padded.size(1))
    mask = steps.unsqueeze(0) < lengths.unsqueeze(1)  # (1, L) < (N, 1) -> (N, L): True on real steps
    return padded, mask, torch.stack(labels)  # N scalars stacked on a new dim -> (N,)


class SequenceClassifier(nn.Module):
    def __init__(self, channels, hidden):
        super().__init__()
        self.conv = nn.Conv1d(channels, hidden, kernel_size=3, padding=1)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, mask):
        # Conv1d reads channels from dim 1 and slides along the last dim: it wants (N, C, L),
        # but the batch comes as (N, L, C), so the dims are swapped going in and coming out.
        h = torch.relu(self.conv(x.permute(0, 2, 1)))  # (N, hidden, L)
        h = h.transpose(1, 2)  # back to (N, L, hidden)
        weights = mask.unsqueeze(-1).float()  # (N, L, 1): broadcasts over the hidden features
        pooled = (h * weights).sum(dim=1) / weights.sum(dim=1)  # mean over the real steps only
        return self.head(pooled).squeeze(1)  # (N, 1) -> (N,): one logit per sequence


def main(batch_size=4, channels=3, max_len=6, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = DataLoader(make_sequences(20, channels, max_len), batch_size=batch_size,
                        shuffle=True, collate_fn=collate)
    first_x, first_mask, first_y = next(iter(loader))

    model = SequenceClassifier(channels, hidden=8).to(device)
    criterion = nn.BCEWithLogitsLoss()  # wants logits and float targets of the same shape (N,)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for epoch in range(epochs):
        for x, mask, y in loader:
            x, mask, y = x.to(device), mask.to(device), y.to(device)
            optimizer.zero_grad()
            loss = criterion(model(x, mask), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return {"first_x": first_x, "first_mask": first_mask, "first_y": first_y, "losses": losses}


if __name__ == "__main__":
    out = main()
    print(f"batch {tuple(out['first_x'].shape)}, real steps per sequence "
          f"{out['first_mask'].sum(dim=1).tolist()}; loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
