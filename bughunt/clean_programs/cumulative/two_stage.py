"""Two-stage finetuning: train a new head on a frozen backbone, then finetune everything.

Guide: Cumulative (folder 08), two-stage training. Stage 1 freezes the backbone: its
parameters stop requiring gradients, and its BatchNorm stays in eval mode so that its
running statistics are not overwritten by the new data. Only the head learns. Stage 2
unfreezes the backbone and trains every parameter with a smaller learning rate, through a
new optimizer that holds them all.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Backbone(nn.Module):
    """In practice a pretrained feature extractor (e.g. torchvision weights)."""

    def __init__(self, in_features, hidden):
        super().__init__()
        self.fc = nn.Linear(in_features, hidden)
        self.bn = nn.BatchNorm1d(hidden)

    def forward(self, x):
        return torch.relu(self.bn(self.fc(x)))


class Classifier(nn.Module):
    def __init__(self, in_features, hidden, num_classes):
        super().__init__()
        self.backbone = Backbone(in_features, hidden)
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, x):
        return self.head(self.backbone(x))


def train_one_epoch(model, loader, criterion, optimizer, device, backbone_frozen):
    model.train()
    if backbone_frozen:
        model.backbone.eval()  # the frozen BatchNorm keeps its running statistics
    total, seen = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * x.size(0)
        seen += x.size(0)  # drop_last skips the incomplete batch: count what was used
    return total / seen


def evaluate(model, loader, device):
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += (model(x).argmax(dim=1) == y).sum().item()
    return correct / len(loader.dataset)


def snapshot(model):
    """Copies of a weight of each part, and the BatchNorm statistics: what moved?"""
    return {
        "backbone_weight": model.backbone.fc.weight.detach().clone(),
        "running_mean": model.backbone.bn.running_mean.clone(),
        "head_weight": model.head.weight.detach().clone(),
    }


def main(batch_size=8, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    x = torch.randn(64, 10)
    y = (x[:, :5].sum(dim=1) > x[:, 5:].sum(dim=1)).long()
    train_loader = DataLoader(TensorDataset(x[:48], y[:48]), batch_size=batch_size,
                              shuffle=True, drop_last=True)  # BatchNorm trains on 2+ samples
    val_loader = DataLoader(TensorDataset(x[48:], y[48:]), batch_size=batch_size)

    model = Classifier(10, 16, 2).to(device)
    criterion = nn.CrossEntropyLoss()

    # Stage 1: freeze the backbone and train the head on its features.
    for param in model.backbone.parameters():
        param.requires_grad = False
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    stage1 = []
    for epoch in range(epochs):
        loss = train_one_epoch(model, train_loader, criterion, optimizer, device, backbone_frozen=True)
        stage1.append(loss)
    after_stage1 = {**snapshot(model), "losses": stage1, "val_accuracy": evaluate(model, val_loader, device)}

    # Stage 2: unfreeze it and finetune everything, ten times more gently.
    for param in model.backbone.parameters():
        param.requires_grad = True
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)  # a fresh optimizer for the new stage
    stage2 = []
    for epoch in range(epochs):
        loss = train_one_epoch(model, train_loader, criterion, optimizer, device, backbone_frozen=False)
        stage2.append(loss)
    after_stage2 = {**snapshot(model), "losses": stage2, "val_accuracy": evaluate(model, val_loader, device)}
    return {"stage1": after_stage1, "stage2": after_stage2}


if __name__ == "__main__":
    out = main()
    for stage in ("stage1", "stage2"):
        print(stage, "losses", [round(loss, 3) for loss in out[stage]["losses"]],
              f"val accuracy {out[stage]['val_accuracy']:.0%}")
