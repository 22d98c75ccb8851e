"""The whole pipeline in one script: seed, data, model, train, validate, keep the best.

Guide: Level 4 full pipeline and the industry patterns table (seed, train/val,
checkpoint, save best). Every step is its own function, so each can be tested and
reused: set_seed, build_dataloaders, train_one_epoch, validate. The best model (by
validation accuracy) is checkpointed whenever it improves and reloaded at the end.
"""
import os
import random
import tempfile

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def set_seed(seed):
    random.seed(seed)
    torch.manual_seed(seed)  # seeds the CPU and every CUDA device


def build_dataloaders(batch_size, seed, n=96):
    x = torch.randn(n, 10)
    y = torch.bucketize(x[:, 0] - x[:, 1] + 0.5 * x[:, 2], torch.tensor([-0.6, 0.6]))  # classes 0, 1, 2
    # A generator of its own makes the split reproducible whatever else uses the global RNG.
    generator = torch.Generator().manual_seed(seed)
    train_set, val_set = random_split(TensorDataset(x, y), [0.75, 0.25], generator=generator)
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=batch_size)
    return train_loader, val_loader


def build_model():
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    total = 0.0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * x.size(0)
    return total / len(loader.dataset)


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


def main(batch_size=16, epochs=4, seed=0):
    set_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_loader, val_loader = build_dataloaders(batch_size, seed)
    model = build_model().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)

    history = []
    best_val_acc, best_epoch = -1.0, -1  # any real accuracy beats -1: the first epoch is always saved
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "best.pt")
        for epoch in range(epochs):
            train_loss = train_one_epoch(model, train_loader, criterion, optimizer, device)
            val_loss, val_acc = validate(model, val_loader, criterion, device)
            history.append({"train_loss": train_loss, "val_loss": val_loss, "val_acc": val_acc})
            if val_acc > best_val_acc:
                best_val_acc, best_epoch = val_acc, epoch
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, path)

        best = build_model().to(device)
        best.load_state_dict(torch.load(path, map_location=device)["model"])
    _, reloaded_acc = validate(best, val_loader, criterion, device)
    return {"history": history, "best_val_acc": best_val_acc, "best_epoch": best_epoch, "reloaded_acc": reloaded_acc}


if __name__ == "__main__":
    out = main()
    for epoch, row in enumerate(out["history"]):
        print(f"epoch {epoch}: train {row['train_loss']:.3f}  val {row['val_loss']:.3f}  acc {row['val_acc']:.0%}")
    print(f"best_val_acc {out['best_val_acc']:.0%} at epoch {out['best_epoch']} "
          f"(the reloaded checkpoint scores {out['reloaded_acc']:.0%})")
