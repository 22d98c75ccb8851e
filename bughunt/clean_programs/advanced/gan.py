"""A GAN on 2-D points: a discriminator step, then a generator step, on every batch.

Fault studies (graphs kept alive; loss and activation). The discriminator learns to tell real
points from the generator's fakes; its loss must not reach back into the generator, so it sees
``fake.detach()``. The generator step then reuses the same fakes, with their graph, to learn
from the discriminator. The discriminator returns raw logits: BCEWithLogitsLoss applies the
sigmoid itself.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Generator(nn.Module):
    def __init__(self, noise_dim, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(noise_dim, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)


def make_loader(n, batch_size):
    """Real points around two centres, (n, 2)."""
    centres = torch.tensor([[2.0, 0.0], [-2.0, 0.0]])
    points = centres[torch.randint(0, 2, (n,))] + 0.3 * torch.randn(n, 2)
    return DataLoader(TensorDataset(points), batch_size=batch_size, shuffle=True)


def train(generator, discriminator, loader, criterion, optimizer_g, optimizer_d, noise_dim, epochs, device):
    """Returns the (discriminator loss, generator loss) of every batch."""
    history = []
    for epoch in range(epochs):
        for (real,) in loader:
            real = real.to(device)
            ones = torch.ones(real.size(0), 1, device=device)  # targets for "real"
            zeros = torch.zeros(real.size(0), 1, device=device)  # targets for "fake"
            fake = generator(torch.randn(real.size(0), noise_dim, device=device))

            # Discriminator step: real -> 1, fake -> 0. The fakes are detached: this loss
            # trains the discriminator only and leaves the generator's graph for its own step.
            optimizer_d.zero_grad()
            loss_d = criterion(discriminator(real), ones) + criterion(discriminator(fake.detach()), zeros)
            loss_d.backward()
            optimizer_d.step()

            # Generator step: make the (just updated) discriminator call the fakes real.
            optimizer_g.zero_grad()
            loss_g = criterion(discriminator(fake), ones)
            loss_g.backward()
            optimizer_g.step()
            history.append((loss_d.item(), loss_g.item()))
    return history


def main(batch_size=8, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = make_loader(n=32, batch_size=batch_size)
    generator = Generator(noise_dim=4, hidden=16).to(device)
    discriminator = Discriminator(hidden=16).to(device)
    criterion = nn.BCEWithLogitsLoss()  # logits in, probabilities never
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))

    history = train(generator, discriminator, loader, criterion, optimizer_g, optimizer_d, 4, epochs, device)
    with torch.no_grad():
        samples = generator(torch.randn(5, 4, device=device))
    return {"history": history, "samples": samples}


if __name__ == "__main__":
    out = main()
    print("last losses (D, G):", [round(v, 3) for v in out["history"][-1]])
    print("samples:", out["samples"].tolist())
