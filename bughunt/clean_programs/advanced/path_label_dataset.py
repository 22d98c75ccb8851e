"""A Dataset that reads one file per sample and takes the label from the folder name.

Guide: Level 3 PathLabelDataset, section 3.1 (custom Dataset) and 3.2 (DataLoader).
The program first writes a tiny image folder into a temporary directory:
    root/train/bright/0.pt   root/train/dark/0.pt   ...   root/val/mid/3.pt
__init__ only lists (path, label) pairs, which is cheap; __getitem__ loads one
file when the DataLoader asks for it, so the data never has to fit in memory.
"""
import os
import tempfile

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

CLASSES = ("bright", "dark", "mid")
BRIGHTNESS = {"bright": 1.0, "dark": -1.0, "mid": 0.0}


def write_split(root, per_class):
    """Save `per_class` small (1, 4, 4) tensors per class under root/<class>/<i>.pt."""
    for name in CLASSES:
        os.makedirs(os.path.join(root, name))
        for i in range(per_class):
            image = BRIGHTNESS[name] + 0.8 * torch.randn(1, 4, 4)
            torch.save(image, os.path.join(root, name, f"{i}.pt"))


class PathLabelDataset(Dataset):
    def __init__(self, root):
        self.classes = sorted(entry.name for entry in os.scandir(root) if entry.is_dir())
        self.samples = []  # (path, class index); sorted, so the order never depends on the file system
        for label, name in enumerate(self.classes):
            folder = os.path.join(root, name)
            for file in sorted(os.listdir(folder)):
                self.samples.append((os.path.join(folder, file), label))

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, label = self.samples[index]
        image = torch.load(path)  # (1, 4, 4) float32
        return image, label  # the DataLoader collates the int labels into an int64 tensor


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    total = 0.0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * images.size(0)
    return total / len(loader.dataset)


def accuracy(model, loader, device):
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            correct += (model(images).argmax(dim=1) == labels).sum().item()
    return correct / len(loader.dataset)


def main(batch_size=4, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, len(CLASSES))).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-2)
    with tempfile.TemporaryDirectory() as root:
        write_split(os.path.join(root, "train"), per_class=8)
        write_split(os.path.join(root, "val"), per_class=4)
        train_set = PathLabelDataset(os.path.join(root, "train"))
        val_set = PathLabelDataset(os.path.join(root, "val"))
        train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
        val_loader = DataLoader(val_set, batch_size=batch_size)

        losses = [train_one_epoch(model, train_loader, criterion, optimizer, device) for _ in range(epochs)]
        val_acc = accuracy(model, val_loader, device)
    return {"classes": train_set.classes, "sizes": (len(train_set), len(val_set)), "losses": losses,
            "val_accuracy": val_acc, "weight": model[1].weight}


if __name__ == "__main__":
    out = main()
    print(f"classes {out['classes']}, {out['sizes'][0]} training and {out['sizes'][1]} validation files")
    print("epoch losses", [round(loss, 3) for loss in out["losses"]], f"validation accuracy {out['val_accuracy']:.0%}")
