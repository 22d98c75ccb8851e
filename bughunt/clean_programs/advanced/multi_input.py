"""A model with two inputs: an image branch and a metadata branch joined by torch.cat.

Guide: Level 3 multi-input, section 4.2 (concatenating features) and Quiz Q7.
Each branch turns its own input into a feature vector. The two vectors are
concatenated along dim=1, the feature dim, so the head's Linear must take the SUM
of both widths as in_features. The batch dim (dim=0) stays N throughout.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class MultiInputNet(nn.Module):
    def __init__(self, image_pixels, meta_dim, image_width, meta_width, num_classes):
        super().__init__()
        self.image_branch = nn.Sequential(nn.Linear(image_pixels, image_width), nn.ReLU())
        self.meta_branch = nn.Sequential(nn.Linear(meta_dim, meta_width), nn.ReLU())
        # cat([(N, image_width), (N, meta_width)], dim=1) has image_width + meta_width features
        self.head = nn.Linear(image_width + meta_width, num_classes)

    def forward(self, image, meta):
        image_features = self.image_branch(image.flatten(1))  # (N, C, H, W) -> (N, C*H*W) -> (N, image_width)
        meta_features = self.meta_branch(meta)  # (N, meta_dim) -> (N, meta_width)
        features = torch.cat([image_features, meta_features], dim=1)
        return self.head(features)


def make_dataset(n):
    """Synthetic samples whose class depends on the image AND on the metadata."""
    images = torch.randn(n, 1, 4, 4)
    meta = torch.randn(n, 3)
    score = images.mean(dim=(1, 2, 3)) * 4 + meta[:, 0]
    labels = torch.bucketize(score, torch.tensor([-0.5, 0.5]))  # classes 0, 1, 2
    return TensorDataset(images, meta, labels)


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    total = 0.0
    for images, meta, labels in loader:
        images, meta, labels = images.to(device), meta.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = criterion(model(images, meta), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * labels.size(0)
    return total / len(loader.dataset)


def evaluate(model, loader, device):
    """Accuracy over the whole loader."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, meta, labels in loader:
            images, meta, labels = images.to(device), meta.to(device), labels.to(device)
            logits = model(images, meta)  # (N, num_classes)
            correct += (logits.argmax(dim=1) == labels).sum().item()
    return correct / len(loader.dataset)


def main(batch_size=8, epochs=3, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    train_loader = DataLoader(make_dataset(48), batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(make_dataset(24), batch_size=batch_size)
    model = MultiInputNet(image_pixels=16, meta_dim=3, image_width=12, meta_width=4, num_classes=3).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    train_losses, val_accuracies = [], []
    for epoch in range(epochs):
        train_losses.append(train_one_epoch(model, train_loader, criterion, optimizer, device))
        val_accuracies.append(evaluate(model, val_loader, device))
    return {"train_loss": train_losses, "val_accuracy": val_accuracies, "head": model.head.weight}


if __name__ == "__main__":
    out = main()
    for epoch, (loss, acc) in enumerate(zip(out["train_loss"], out["val_accuracy"])):
        print(f"epoch {epoch}: train loss {loss:.3f}  val accuracy {acc:.0%}")
