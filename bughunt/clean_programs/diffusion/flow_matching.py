"""Flow matching: learn a velocity field that carries Gaussian noise to data along straight lines.

Guide: folder 10 (diffusion models & flow matching). Pair a noise sample x0 with a data
point x1 and walk the straight line between them: x_t = (1 - t) * x0 + t * x1, t in [0, 1].
Its velocity dx_t/dt = x1 - x0 is the regression target; the network v(x_t, t) learns it
with a plain MSE. To sample, start from noise at t = 0 and follow v to t = 1 with Euler steps.
"""
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_moons(n):
    """The 'two moons': two interleaving half circles with a little noise, (n, 2)."""
    upper = math.pi * torch.rand(n // 2)
    lower = math.pi * torch.rand(n - n // 2)
    top = torch.stack([torch.cos(upper), torch.sin(upper)], dim=1)
    bottom = torch.stack([1.0 - torch.cos(lower), 0.5 - torch.sin(lower)], dim=1)
    return torch.cat([top, bottom], dim=0) + 0.05 * torch.randn(n, 2)


class VelocityField(nn.Module):
    """v_theta(x, t): a point (N, 2) and its time (N, 1) in, a velocity (N, 2) out."""

    def __init__(self, hidden=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(3, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, 2)
        )

    def forward(self, x, t):
        return self.net(torch.cat([x, t], dim=1))


def train(model, loader, criterion, optimizer, epochs, device):
    """Conditional flow matching on straight paths. Returns every step's loss."""
    model.train()
    losses = []
    for epoch in range(epochs):
        for (x1,) in loader:
            x1 = x1.to(device)  # data: the end of the path (t = 1)
            x0 = torch.randn_like(x1)  # noise: the start of the path (t = 0)
            t = torch.rand(x1.size(0), 1, device=device)  # (N, 1): one time per pair
            x_t = (1 - t) * x0 + t * x1  # the point at time t on the straight line
            target = x1 - x0  # its velocity: constant along the line, from noise towards data
            optimizer.zero_grad()
            loss = criterion(model(x_t, t), target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


@torch.no_grad()
def euler_sample(model, n, num_steps, device):
    """Integrate dx/dt = v(x, t) from t = 0 (noise) to t = 1 (data) in num_steps Euler steps."""
    model.eval()
    x = torch.randn(n, 2, device=device)
    dt = 1.0 / num_steps
    for i in range(num_steps):
        t = torch.full((n, 1), i * dt, device=device)
        x = x + dt * model(x, t)
    return x


def main(batch_size=16, epochs=20, sample_steps=10, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = DataLoader(TensorDataset(make_moons(48)), batch_size=batch_size, shuffle=True)
    model = VelocityField().to(device)
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    losses = train(model, loader, criterion, optimizer, epochs, device)
    samples = euler_sample(model, 8, sample_steps, device)
    return {"losses": losses, "samples": samples}


if __name__ == "__main__":
    out = main()
    print(f"loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
    x, y = out["samples"].mean(dim=0).tolist()
    print(f"sample mean ({x:.2f}, {y:.2f}), the moons' mean is (0.50, 0.25)")
