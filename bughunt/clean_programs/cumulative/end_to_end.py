"""An end-to-end pipeline: data, model, train and validate, schedule, keep the best, test it.

Guide: Cumulative (folder 08) and the Level 4 full pipeline. Every piece of the earlier
levels in one script: a custom Dataset split into train/val/test, a backbone + head
model with Dropout, an epoch loop that trains (model.train()) then validates
(model.eval() and no_grad), a StepLR schedule stepped once per epoch, a checkpoint of
the best validation accuracy, and a final test of that checkpoint, reloaded.
"""
import os
import tempfile

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset, random_split


class BlobDataset(Dataset):
    """Points scattered around one centre per class: features (F,) float32, label () int64."""

    def __init__(self, n, num_features, num_classes):
        centres = 1.5 * torch.randn(num_classes, num_features)
        self.labels = torch.randint(0, num_classes, (n,))
        self.features = centres[self.labels] + torch.randn(n, num_features)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.features[idx], self.labels[idx]


class Classifier(nn.Module):
    def __init__(self, num_features, hidden, num_classes):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Linear(num_features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU()
        )
        self.head = nn.Sequential(nn.Dropout(p=0.3), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.head(self.backbone(x))


def train_one_epoch(model, loader, criterion, optimizer, device):
    """One pass over the training data; returns the average loss."""
    model.train()  # every epoch: the previous validation left the model in eval mode
    total = 0.0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * x.size(0)
    return total / len(loader.dataset)


def evaluate(model, loader, criterion, device):
    """Returns (average loss, accuracy), with Dropout off and no autograd graph."""
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            logits = model(x)
            total += criterion(logits, y).item() * x.size(0)
            correct += (logits.argmax(dim=1) == y).sum().item()
    n = len(loader.dataset)
    return total / n, correct / n


def main(batch_size=8, epochs=3, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    dataset = BlobDataset(72, num_features=8, num_classes=3)
    train_set, val_set, test_set = random_split(dataset, [40, 16, 16])
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=batch_size)
    test_loader = DataLoader(test_set, batch_size=batch_size)

    model = Classifier(8, 32, 3).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)

    history, best_acc, best_epoch = [], -1.0, -1
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "best.pt")
        for epoch in range(epochs):
            train_loss = train_one_epoch(model, train_loader, criterion, optimizer, device)
            val_loss, val_acc = evaluate(model, val_loader, criterion, device)
            scheduler.step()  # once per epoch, after the optimizer steps
            history.append((train_loss, val_loss, val_acc))
            if val_acc > best_acc:
                best_acc, best_epoch = val_acc, epoch
                torch.save({"epoch": epoch, "model": model.state_dict(),
                            "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, path)

        checkpoint = torch.load(path, map_location=device)  # a GPU checkpoint also loads on a CPU
    best_model = Classifier(8, 32, 3).to(device)
    best_model.load_state_dict(checkpoint["model"])
    test_loss, test_acc = evaluate(best_model, test_loader, criterion, device)
    return {"history": history, "best_epoch": best_epoch, "lr": scheduler.get_last_lr(),
            "test": (test_loss, test_acc)}


if __name__ == "__main__":
    out = main()
    for epoch, (train_loss, val_loss, val_acc) in enumerate(out["history"]):
        print(f"epoch {epoch}: train {train_loss:.3f}  val {val_loss:.3f}  acc {val_acc:.0%}")
    print(f"best epoch {out['best_epoch']}, reloaded: test accuracy {out['test'][1]:.0%}")
