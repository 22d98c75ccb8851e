"""Gradient checkpointing: keep less in memory during forward, recompute it in backward.

Guide: Level 3 and "Mixed Precision and Gradient Checkpointing (Concepts)", Quiz Q3.
torch.utils.checkpoint.checkpoint(fn, *args) runs fn(*args) without storing its
intermediate activations, and runs it a second time during backward to rebuild
them. The gradients are exactly those of the plain model: only memory (less) and
compute (more) change. Pass use_reentrant=False, the implementation PyTorch
recommends: it handles inputs with and without requires_grad alike.
"""
import torch
import torch.nn as nn
from torch.utils.checkpoint import checkpoint
from torch.utils.data import DataLoader, TensorDataset


class Stage(nn.Module):
    """A wide block: its hidden activations are 4x wider than its input."""

    def __init__(self, in_dim, width):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_dim, 4 * width), nn.GELU(), nn.Linear(4 * width, width), nn.GELU())

    def forward(self, x):
        return self.net(x)


class CheckpointedNet(nn.Module):
    def __init__(self, in_dim, width, num_classes):
        super().__init__()
        self.stage1 = Stage(in_dim, width)
        self.stage2 = Stage(width, width)
        self.head = nn.Linear(width, num_classes)

    def forward(self, x):
        # Both heavy stages are recomputed during backward instead of being stored.
        h = checkpoint(self.stage1, x, use_reentrant=False)
        h = checkpoint(self.stage2, h, use_reentrant=False)
        return self.head(h)


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    total = 0.0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()  # stage1 and stage2 run forward again here
        optimizer.step()
        total += loss.item() * x.size(0)
    return total / len(loader.dataset)


def main(batch_size=8, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    x = torch.randn(32, 10)
    y = (x[:, :5].sum(dim=1) > 0).long() + (x[:, 5] > 0.5).long()  # classes 0, 1, 2
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)
    model = CheckpointedNet(in_dim=10, width=16, num_classes=3).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    losses = [train_one_epoch(model, loader, criterion, optimizer, device) for _ in range(epochs)]
    return {"losses": losses, "stage1": model.stage1.net[0].weight, "head": model.head.weight}


if __name__ == "__main__":
    out = main()
    print("epoch losses with both stages checkpointed", [round(loss, 3) for loss in out["losses"]])
