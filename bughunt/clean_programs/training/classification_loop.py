"""The standard supervised loop: zero_grad, forward, loss, backward, step.

Guide: section 5.1 and Challenge 5, with a learning-rate scheduler that decays the
rate once per epoch.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class MLP(nn.Module):
    def __init__(self, in_dim, hidden, num_classes):
        super().__init__()
        self.fc1 = nn.Linear(in_dim, hidden)
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        return self.fc2(x)


def make_loader(n, in_dim, num_classes, batch_size):
    features = torch.randn(n, in_dim)
    labels = torch.randint(0, num_classes, (n,))  # int64 class ids, shape (N,)
    return DataLoader(TensorDataset(features, labels), batch_size=batch_size, shuffle=True)


def train(model, loader, criterion, optimizer, scheduler, epochs, device):
    """Returns the mean training loss of every epoch."""
    model.train()
    history = []
    for epoch in range(epochs):
        total = 0.0
        for batch_x, batch_y in loader:
            batch_x, batch_y = batch_x.to(device), batch_y.to(device)
            optimizer.zero_grad()
            logits = model(batch_x)
            loss = criterion(logits, batch_y)
            loss.backward()
            optimizer.step()
            total += loss.item() * batch_x.size(0)
        scheduler.step()  # once per epoch, after the last batch
        history.append(total / len(loader.dataset))
    return history


def main(batch_size=8, epochs=3, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = make_loader(n=40, in_dim=6, num_classes=3, batch_size=batch_size)
    model = MLP(6, 16, 3).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)

    history = train(model, loader, criterion, optimizer, scheduler, epochs, device)
    return {"history": history, "lr": scheduler.get_last_lr()}


if __name__ == "__main__":
    out = main()
    print("epoch losses", [round(loss, 3) for loss in out["history"]], "final lr", out["lr"][0])
