"""Concatenation and conditioning: ConcatBlock, ConditionalMLP and a FiLM layer.

Guide: sections 4.2 and 4.3, Challenge 3. Each model is fitted for a few Adam steps
on random data whose label depends on both the input and the condition.
"""
import torch
import torch.nn as nn


class ConcatBlock(nn.Module):
    """Two inputs (N, in_a) and (N, in_b), joined on the feature dim, then one Linear."""

    def __init__(self, in_a, in_b, out):
        super().__init__()
        self.fc = nn.Linear(in_a + in_b, out)

    def forward(self, x_a, x_b):
        x = torch.cat([x_a, x_b], dim=1)  # (N, in_a + in_b)
        return self.fc(x)


class ConditionalMLP(nn.Module):
    """Challenge 3: hidden state of x, concatenated with the condition c, then classified."""

    def __init__(self, in_dim, c_dim, hidden, num_classes):
        super().__init__()
        self.fc1 = nn.Linear(in_dim, hidden)
        self.fc2 = nn.Linear(hidden + c_dim, num_classes)

    def forward(self, x, c):
        h = torch.relu(self.fc1(x))
        h_c = torch.cat([h, c], dim=1)  # (N, hidden + c_dim)
        return self.fc2(h_c)


class ConditionalLinear(nn.Module):
    """FiLM: the condition predicts a per-feature scale (gamma) and shift (beta)."""

    def __init__(self, in_dim, cond_dim, out_dim):
        super().__init__()
        self.fc = nn.Linear(in_dim, out_dim)
        self.gamma = nn.Linear(cond_dim, out_dim)  # scale
        self.beta = nn.Linear(cond_dim, out_dim)  # shift

    def forward(self, x, cond):
        out = self.fc(x)
        return self.gamma(cond) * out + self.beta(cond)


def fit(model, x, c, y, steps):
    """A few full-batch Adam steps; returns the loss of each step."""
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(x, c), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def main(batch_size=8, in_dim=6, cond_dim=3, hidden=16, steps=5, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    num_classes = 3

    x = torch.randn(batch_size, in_dim, device=device)
    c = torch.randn(batch_size, cond_dim, device=device)
    y = (x[:, 0] > 0).long() + (c[:, 0] > 0).long()  # classes 0, 1, 2

    results = {}
    for name, model in [
        ("concat", ConcatBlock(in_dim, cond_dim, num_classes)),
        ("mlp", ConditionalMLP(in_dim, cond_dim, hidden, num_classes)),
        ("film", ConditionalLinear(in_dim, cond_dim, num_classes)),
    ]:
        model = model.to(device)
        results[name] = fit(model, x, c, y, steps)
    return results


if __name__ == "__main__":
    for name, losses in main().items():
        print(f"{name:6s} loss {losses[0]:.3f} -> {losses[-1]:.3f}")
