"""A backbone that turns images into features, and a head that turns features into logits.

Guide: the Level 2 backbone + head exercise. The backbone flattens (N, C, H, W),
then Linear -> BatchNorm1d -> ReLU. BatchNorm normalises with batch statistics in
training mode and with its running averages in eval mode.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Backbone(nn.Module):
    def __init__(self, in_features, hidden):
        super().__init__()
        self.fc = nn.Linear(in_features, hidden)
        self.bn = nn.BatchNorm1d(hidden)

    def forward(self, x):
        x = x.view(x.size(0), -1)  # (N, C, H, W) -> (N, C*H*W)
        return torch.relu(self.bn(self.fc(x)))


class Classifier(nn.Module):
    def __init__(self, in_features, hidden, num_classes):
        super().__init__()
        self.backbone = Backbone(in_features, hidden)
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, x):
        return self.head(self.backbone(x))


def evaluate(model, loader, device):
    """Accuracy with BatchNorm's running statistics."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            correct += (model(images).argmax(dim=1) == labels).sum().item()
    return correct / len(loader.dataset)


def main(batch_size=8, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    images = torch.randn(64, 1, 4, 4)
    labels = (images.mean(dim=(1, 2, 3)) > 0).long()
    train_loader = DataLoader(TensorDataset(images[:48], labels[:48]), batch_size=batch_size,
                              shuffle=True, drop_last=True)  # BatchNorm needs 2+ samples
    val_loader = DataLoader(TensorDataset(images[48:], labels[48:]), batch_size=batch_size)

    model = Classifier(in_features=16, hidden=12, num_classes=2).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    accuracies = []
    for epoch in range(epochs):
        model.train()
        for images, labels in train_loader:
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
        accuracies.append(evaluate(model, val_loader, device))
    return {"val_accuracy": accuracies, "running_mean": model.backbone.bn.running_mean}


if __name__ == "__main__":
    out = main()
    print("validation accuracy per epoch", [f"{acc:.0%}" for acc in out["val_accuracy"]])
