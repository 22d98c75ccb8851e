"""The standard loop for regression: one number per sample, MSELoss, and a running mean absolute error.

Fault studies (loss and activation; graphs kept alive). A Linear head with one output gives
predictions of shape (N, 1) while the targets are (N,): the predictions are flattened to (N,)
before the loss, because MSELoss would otherwise broadcast (N, 1) against (N,) into (N, N) and
average the wrong differences (with only a warning). The running error is kept as a Python
number (.item()), so that no batch's graph outlives its step.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Regressor(nn.Module):
    def __init__(self, in_dim, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)  # (N, 1)


def make_loader(n, in_dim, batch_size):
    features = torch.randn(n, in_dim)
    targets = features @ torch.linspace(-1.0, 1.0, in_dim) + 0.1 * torch.randn(n)  # (N,)
    return DataLoader(TensorDataset(features, targets), batch_size=batch_size, shuffle=True)


def train(model, loader, criterion, optimizer, epochs, device):
    """Returns the mean absolute error of every epoch."""
    model.train()
    history = []
    for epoch in range(epochs):
        total_error = 0.0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            pred = model(x).flatten()  # (N, 1) -> (N,), the targets' shape
            loss = criterion(pred, y)
            loss.backward()
            optimizer.step()
            total_error += (pred - y).abs().sum().item()
        history.append(total_error / len(loader.dataset))
    return history


def main(batch_size=8, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = make_loader(n=40, in_dim=5, batch_size=batch_size)
    model = Regressor(5, 16).to(device)
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    history = train(model, loader, criterion, optimizer, epochs, device)
    return {"mae": history, "model": model}


if __name__ == "__main__":
    print("mean absolute error per epoch:", [round(e, 3) for e in main()["mae"]])
