"""Train and validate: model.train() for learning, model.eval() + no_grad for measuring.

Guide: section 5.2 and the Level 2 validation loop. The model uses Dropout, so the
mode matters: in training mode Dropout zeroes random units, in eval mode it is off.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def make_loaders(n, batch_size):
    x = torch.randn(n, 8)
    y = (x[:, :4].sum(dim=1) > 0).long()  # two classes
    train_set, val_set = random_split(TensorDataset(x, y), [n - n // 4, n // 4])
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=batch_size)
    return train_loader, val_loader


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
    """Returns (average loss, accuracy) over the whole loader."""
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

    train_loader, val_loader = make_loaders(64, batch_size)
    model = nn.Sequential(
        nn.Linear(8, 32), nn.ReLU(), nn.Dropout(p=0.5), nn.Linear(32, 2)
    ).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    history = []
    for epoch in range(epochs):
        train_loss = train_one_epoch(model, train_loader, criterion, optimizer, device)
        val_loss, val_acc = validate(model, val_loader, criterion, device)
        history.append((train_loss, val_loss, val_acc))
    return {"history": history}


if __name__ == "__main__":
    for epoch, (train_loss, val_loss, val_acc) in enumerate(main()["history"]):
        print(f"epoch {epoch}: train {train_loss:.3f}  val {val_loss:.3f}  acc {val_acc:.0%}")
