"""Keep the best model: validate every epoch, checkpoint on improvement, reload the best.

Guide: Level 2 checkpoint save/load and the "save best" industry pattern. The
checkpoint holds the model, the optimizer and the epoch, and is loaded with
map_location so that a GPU checkpoint also opens on a CPU-only machine.
"""
import os
import tempfile

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(6, 24), nn.BatchNorm1d(24), nn.ReLU())
        self.classifier = nn.Linear(24, 3)

    def forward(self, x):
        return self.classifier(self.features(x))


def validate(model, loader, criterion, device):
    """Returns (average loss, accuracy)."""
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            logits = model(x)
            total += criterion(logits, y).item() * x.size(0)
            correct += (logits.argmax(dim=1) == y).sum().item()
    return total / len(loader.dataset), correct / len(loader.dataset)


def main(batch_size=8, epochs=3, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    x = torch.randn(80, 6)
    y = torch.bucketize(x[:, 0] + x[:, 1], torch.tensor([-0.5, 0.5]))  # classes 0, 1, 2
    train_loader = DataLoader(TensorDataset(x[:60], y[:60]), batch_size=batch_size,
                              shuffle=True, drop_last=True)
    val_loader = DataLoader(TensorDataset(x[60:], y[60:]), batch_size=batch_size)

    model = Net().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    best_acc, best_epoch = -1.0, -1
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "best.pt")
        for epoch in range(epochs):
            model.train()
            for xb, yb in train_loader:
                xb, yb = xb.to(device), yb.to(device)
                optimizer.zero_grad()
                loss = criterion(model(xb), yb)
                loss.backward()
                optimizer.step()
            val_loss, val_acc = validate(model, val_loader, criterion, device)
            if val_acc > best_acc:
                best_acc, best_epoch = val_acc, epoch
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "epoch": epoch}, path)

        checkpoint = torch.load(path, map_location=device)
        best_model = Net().to(device)
        best_model.load_state_dict(checkpoint["model"])
    reloaded_loss, reloaded_acc = validate(best_model, val_loader, criterion, device)
    return {"best_acc": best_acc, "best_epoch": best_epoch, "reloaded": (reloaded_loss, reloaded_acc)}


if __name__ == "__main__":
    out = main()
    print(f"best accuracy {out['best_acc']:.0%} at epoch {out['best_epoch']}; "
          f"reloaded checkpoint scores {out['reloaded'][1]:.0%}")
