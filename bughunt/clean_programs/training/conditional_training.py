"""Training a class-conditioned model: SGD with momentum and an exponential LR decay.

Guide: sections 4.3 and 5 together. Each sample carries a condition vector (a
one-hot "domain") that is concatenated with the hidden features before the head.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class ConditionalClassifier(nn.Module):
    def __init__(self, in_dim, cond_dim, hidden, num_classes):
        super().__init__()
        self.body = nn.Linear(in_dim, hidden)
        self.head = nn.Linear(hidden + cond_dim, num_classes)

    def forward(self, x, cond):
        h = F.relu(self.body(x))
        return self.head(torch.cat([h, cond], dim=1))


def make_dataset(n, in_dim, num_domains):
    x = torch.randn(n, in_dim)
    domain = torch.randint(0, num_domains, (n,))
    cond = F.one_hot(domain, num_domains).float()
    targets = ((x[:, 0] > 0).long() + domain) % 3  # the label depends on the domain too
    return TensorDataset(x, cond, targets)


def train(model, loader, criterion, optimizer, scheduler, epochs, device):
    """Returns the accuracy of every epoch, measured on the fly."""
    model.train()
    accuracies = []
    for epoch in range(epochs):
        correct = 0
        for x, cond, targets in loader:
            x, cond, targets = x.to(device), cond.to(device), targets.to(device)
            optimizer.zero_grad()
            logits = model(x, cond)
            loss = criterion(logits, targets)
            loss.backward()
            optimizer.step()
            correct += (logits.argmax(dim=1) == targets).sum().item()
        scheduler.step()
        accuracies.append(correct / len(loader.dataset))
    return accuracies


def main(batch_size=8, epochs=3, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = DataLoader(make_dataset(48, in_dim=5, num_domains=2), batch_size=batch_size, shuffle=True)
    model = ConditionalClassifier(5, 2, 16, 3).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.7)

    accuracies = train(model, loader, criterion, optimizer, scheduler, epochs, device)
    return {"accuracies": accuracies, "weights": model.head.weight}


if __name__ == "__main__":
    out = main()
    print("epoch accuracy", [f"{acc:.0%}" for acc in out["accuracies"]])
