"""Forecast the next value of a noisy wave from a window of past values, with a GRU.

Fault studies (loss and activation; graphs kept alive), in the sequence models before
attention. The GRU reads windows of shape (N, T, 1); a Linear head turns its last output into
one number per window. forward() reshapes that (N, 1) to (N,), the targets' shape: MSELoss
given (N, 1) and (N,) would broadcast them to (N, N). The running error is a Python number.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Forecaster(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, window):
        out, _ = self.gru(window)  # (N, T, hidden)
        return self.head(out[:, -1]).view(-1)  # the last step -> (N, 1) -> (N,)


def make_loader(n, window, batch_size):
    """n windows of a noisy sine wave, (n, window, 1), and the value after each, (n,)."""
    t = torch.arange(n + window, dtype=torch.float32)
    series = torch.sin(0.3 * t) + 0.1 * torch.randn(n + window)
    windows = series.unfold(0, window, 1)[:n].unsqueeze(-1)  # sliding windows, one feature per step
    targets = series[window:window + n]
    return DataLoader(TensorDataset(windows, targets), batch_size=batch_size, shuffle=True)


def train(model, loader, criterion, optimizer, epochs, device):
    """Returns the mean absolute error of every epoch."""
    history = []
    for epoch in range(epochs):
        total_error = 0.0
        for window, target in loader:
            window, target = window.to(device), target.to(device)
            optimizer.zero_grad()
            forecast = model(window)
            loss = criterion(forecast, target)
            loss.backward()
            optimizer.step()
            total_error += (forecast - target).abs().sum().item()
        history.append(total_error / len(loader.dataset))
    return history


def main(batch_size=8, window=5, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = make_loader(n=32, window=window, batch_size=batch_size)
    model = Forecaster(hidden=12).to(device)
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    history = train(model, loader, criterion, optimizer, epochs, device)
    return {"mae": history, "model": model}


if __name__ == "__main__":
    print("mean absolute error per epoch:", [round(e, 3) for e in main()["mae"]])
