"""DDPM in miniature: teach a small MLP to predict the noise that was added to 2-D points.

Guide: folder 10 (diffusion models). The forward process blurs data into Gaussian noise in
T small steps t = 0 .. T-1 (0-based, like the tensors), step t adding noise of variance beta_t.
Its closed form lets training jump straight to any step:
    x_t = sqrt(abar_t) * x_0 + sqrt(1 - abar_t) * eps,   abar_t = prod_{s<=t} (1 - beta_s).
The network sees (x_t, t) and learns, with a plain MSE, to tell which eps was added.
Sampling runs the chain backwards, from pure noise to points near the ring.
"""
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_ring(n):
    """n points close to the unit circle: the data distribution the model learns."""
    angle = 2 * math.pi * torch.rand(n)
    radius = 1.0 + 0.05 * torch.randn(n)
    return torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)  # (n, 2)


def linear_schedule(num_steps, beta_start=1e-3, beta_end=0.2):
    """Noise variances growing linearly, and the fraction of signal left after each step."""
    betas = torch.linspace(beta_start, beta_end, num_steps)
    alphas = 1.0 - betas
    alphas_cumprod = torch.cumprod(alphas, dim=0)  # abar_t: the share of signal left after step t
    return betas, alphas, alphas_cumprod


def q_sample(x0, t, noise, alphas_cumprod):
    """Jump from clean points x0 (N, 2) to step t (N,) of the forward process in one go."""
    abar = alphas_cumprod[t].unsqueeze(1)  # (N,) -> (N, 1): one factor per point
    # square roots: abar and 1 - abar are VARIANCE fractions, the coefficients are std devs
    return abar.sqrt() * x0 + (1.0 - abar).sqrt() * noise


class NoisePredictor(nn.Module):
    """eps_theta(x_t, t): the timestep enters as t / T, a third input feature."""

    def __init__(self, num_steps, hidden=32):
        super().__init__()
        self.num_steps = num_steps
        self.net = nn.Sequential(
            nn.Linear(3, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, 2)
        )

    def forward(self, x_t, t):
        t_feature = (t.float() / self.num_steps).unsqueeze(1)  # (N, 1) in [0, 1)
        return self.net(torch.cat([x_t, t_feature], dim=1))


def train(model, loader, optimizer, alphas_cumprod, num_steps, epochs, device):
    """Noise each batch to random steps and regress the noise. Returns every step's loss."""
    criterion = nn.MSELoss()
    losses = []
    for epoch in range(epochs):
        for (x0,) in loader:
            x0 = x0.to(device)
            t = torch.randint(0, num_steps, (x0.size(0),), device=device)  # steps 0 .. T-1
            noise = torch.randn_like(x0)
            x_t = q_sample(x0, t, noise, alphas_cumprod)
            optimizer.zero_grad()
            loss = criterion(model(x_t, t), noise)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


@torch.no_grad()
def sample(model, n, betas, alphas, alphas_cumprod, device):
    """Ancestral sampling: start from N(0, I) and denoise one step at a time, t = T-1 .. 0."""
    model.eval()
    x = torch.randn(n, 2, device=device)
    for t in reversed(range(len(betas))):
        eps = model(x, torch.full((n,), t, device=device))
        # the mean of p(x_{t-1} | x_t): remove the predicted share of noise, then rescale
        mean = (x - betas[t] / (1.0 - alphas_cumprod[t]).sqrt() * eps) / alphas[t].sqrt()
        noise = torch.randn_like(x) if t > 0 else torch.zeros_like(x)  # the last step adds none
        x = mean + betas[t].sqrt() * noise
    return x


def main(batch_size=16, epochs=20, num_steps=20, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    data = make_ring(48)
    loader = DataLoader(TensorDataset(data), batch_size=batch_size, shuffle=True)
    betas, alphas, alphas_cumprod = (s.to(device) for s in linear_schedule(num_steps))

    model = NoisePredictor(num_steps).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = train(model, loader, optimizer, alphas_cumprod, num_steps, epochs, device)

    # a fixed probe of the forward process: the same points noised to the first, middle and last step
    x0, noise = data[:3].to(device), torch.randn(3, 2, device=device)
    steps = torch.tensor([0, num_steps // 2, num_steps - 1], device=device)
    noised = q_sample(x0, steps, noise, alphas_cumprod)

    samples = sample(model, 8, betas, alphas, alphas_cumprod, device)
    return {"losses": losses, "noised": noised, "samples": samples}


if __name__ == "__main__":
    out = main()
    radius = out["samples"].norm(dim=1)
    print(f"loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
    print(f"sample radii mean {radius.mean():.2f} (data: 1.00)")
