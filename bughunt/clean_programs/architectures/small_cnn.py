"""A small CNN classifier: conv -> ReLU -> pool blocks, flatten, one Linear head.

Guide: folder 12 (simple CNN). Each block doubles the channels and halves the image with
max pooling, so an 8x8 image leaves the features as (N, 16, 2, 2). Flattening must keep
dim 0, the batch, and merge only the rest: x.view(x.size(0), -1) gives (N, 64), one row per
image, whatever the batch size. The task: tell which quarter of the image holds a bright square.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class SmallCNN(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 8, 4, 4)
            nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 16, 2, 2)
        )
        self.classifier = nn.Linear(16 * 2 * 2, num_classes)

    def forward(self, x):
        features = self.features(x)  # (N, 16, 2, 2)
        flat = features.view(features.size(0), -1)  # (N, 64): one row per image, batch dim kept
        return self.classifier(flat)


def make_images(n):
    """Noise images (n, 1, 8, 8) with a bright 3x3 square in one of the four quarters (the label)."""
    labels = torch.randint(0, 4, (n,))
    images = 0.3 * torch.randn(n, 1, 8, 8)
    for i, quarter in enumerate(labels.tolist()):
        row, col = 4 * (quarter // 2), 4 * (quarter % 2)
        images[i, 0, row:row + 3, col:col + 3] += 1.0
    return images, labels


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


def evaluate(model, loader, device):
    """Accuracy, and the class probabilities of every image."""
    model.eval()
    correct, probabilities = 0, []
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            probs = torch.softmax(model(images), dim=1)  # (N, 4): each row sums to 1
            correct += (probs.argmax(dim=1) == labels).sum().item()
            probabilities.append(probs)
    return correct / len(loader.dataset), torch.cat(probabilities, dim=0)


def main(batch_size=8, epochs=5, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    images, labels = make_images(48)
    train_loader = DataLoader(TensorDataset(images[:32], labels[:32]), batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(images[32:], labels[32:]), batch_size=batch_size)

    model = SmallCNN(num_classes=4).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    history = []
    for epoch in range(epochs):
        train_loss = train_one_epoch(model, train_loader, criterion, optimizer, device)
        accuracy, probabilities = evaluate(model, val_loader, device)
        history.append((train_loss, accuracy))
    return {"history": history, "val_probabilities": probabilities}


if __name__ == "__main__":
    for epoch, (loss, accuracy) in enumerate(main()["history"]):
        print(f"epoch {epoch}: train loss {loss:.3f}  validation accuracy {accuracy:.0%}")
