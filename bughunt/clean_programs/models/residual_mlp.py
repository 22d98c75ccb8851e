"""A deep MLP made of residual blocks, kept in an nn.ModuleList and trained for a few epochs.

Guide: sections 4.1 (nn.Module and nn.Sequential) and 4.2 (skip connections). Each block
adds a correction to its input, so features and gradients can pass straight through the
stack; the blocks live in an nn.ModuleList so that PyTorch knows they are part of the model.
The model returns raw logits: CrossEntropyLoss applies log-softmax itself.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class ResidualBlock(nn.Module):
    """x + MLP(LayerNorm(x)): the same shape in and out, so blocks can be stacked freely."""

    def __init__(self, dim, hidden):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        h = torch.relu(self.fc1(self.norm(x)))
        return x + self.fc2(h)


class ResidualMLP(nn.Module):
    def __init__(self, in_dim, dim, depth, num_classes):
        super().__init__()
        self.embed = nn.Linear(in_dim, dim)
        # The blocks must be registered submodules: model.parameters() (what the optimizer
        # trains), .to(device), train()/eval() and state_dict() only see registered modules.
        self.blocks = nn.ModuleList([ResidualBlock(dim, 2 * dim) for _ in range(depth)])
        self.head = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, num_classes))

    def forward(self, x):
        h = self.embed(x)
        for block in self.blocks:  # a ModuleList is iterated, not called
            h = block(h)
        return self.head(h)


def make_loader(n, in_dim, batch_size):
    """Random points; the class depends on the signs of the first three features."""
    x = torch.randn(n, in_dim)
    y = (x[:, 0] * x[:, 1] > 0).long() + (x[:, 2] > 0).long()  # classes 0, 1, 2
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)


def main(batch_size=8, depth=3, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = make_loader(16, in_dim=4, batch_size=batch_size)
    model = ResidualMLP(4, 16, depth, num_classes=3).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    losses = []
    for epoch in range(epochs):
        for batch_x, batch_y in loader:
            batch_x, batch_y = batch_x.to(device), batch_y.to(device)
            optimizer.zero_grad()
            loss = criterion(model(batch_x), batch_y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    n_params = sum(p.numel() for p in model.parameters())
    return {"losses": losses, "n_params": n_params, "model": model}


if __name__ == "__main__":
    out = main()
    print(f"{out['n_params']} trainable parameters; loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
