"""A conditional GAN: the generator and the discriminator both see the class label.

Fault studies (graphs kept alive; loss and activation), with section 4.3's conditioning: a
label embedding is concatenated to each network's input. The discriminator ends with a
sigmoid, so its outputs are probabilities and the loss is binary cross-entropy on
probabilities. Its step works on fakes made under torch.no_grad(): no graph leads back into
the generator, whose own step makes fresh fakes with a graph.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Generator(nn.Module):
    def __init__(self, noise_dim, num_classes, hidden):
        super().__init__()
        self.embed = nn.Embedding(num_classes, 4)
        self.net = nn.Sequential(nn.Linear(noise_dim + 4, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, z, labels):
        return self.net(torch.cat([z, self.embed(labels)], dim=1))  # (N, noise_dim + 4) in


class Discriminator(nn.Module):
    def __init__(self, num_classes, hidden):
        super().__init__()
        self.embed = nn.Embedding(num_classes, 4)
        self.net = nn.Sequential(
            nn.Linear(2 + 4, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, 1),
            nn.Sigmoid(),  # probability that the point is real, for this label
        )

    def forward(self, x, labels):
        return self.net(torch.cat([x, self.embed(labels)], dim=1))


def real_batch(batch_size, num_classes, device):
    """Points around the centre of their class (class k at angle 2*pi*k/num_classes)."""
    labels = torch.randint(0, num_classes, (batch_size,))
    angles = labels.float() * (2 * torch.pi / num_classes)
    points = 2 * torch.stack([angles.cos(), angles.sin()], dim=1) + 0.2 * torch.randn(batch_size, 2)
    return points.to(device), labels.to(device)


def train(generator, discriminator, optimizer_g, optimizer_d, batch_size, steps, noise_dim, num_classes, device):
    history = []
    for step in range(steps):
        real, labels = real_batch(batch_size, num_classes, device)
        ones = torch.ones(batch_size, 1, device=device)
        zeros = torch.zeros(batch_size, 1, device=device)

        # Discriminator step, on fakes made without a graph: it trains the discriminator only.
        with torch.no_grad():
            fake = generator(torch.randn(batch_size, noise_dim, device=device), labels)
        optimizer_d.zero_grad()
        loss_d = (F.binary_cross_entropy(discriminator(real, labels), ones)
                  + F.binary_cross_entropy(discriminator(fake, labels), zeros))
        loss_d.backward()
        optimizer_d.step()

        # Generator step, on fresh fakes: the loss flows through the discriminator into the generator.
        optimizer_g.zero_grad()
        fake = generator(torch.randn(batch_size, noise_dim, device=device), labels)
        loss_g = F.binary_cross_entropy(discriminator(fake, labels), ones)
        loss_g.backward()
        optimizer_g.step()
        history.append((loss_d.item(), loss_g.item()))
    return history


def main(batch_size=8, steps=3, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    generator = Generator(noise_dim=3, num_classes=3, hidden=16).to(device)
    discriminator = Discriminator(num_classes=3, hidden=16).to(device)
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-3, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-3, betas=(0.5, 0.999))

    history = train(generator, discriminator, optimizer_g, optimizer_d, batch_size, steps, 3, 3, device)
    return {"history": history, "generator": generator}


if __name__ == "__main__":
    out = main()
    print("losses (D, G) per step:", [tuple(round(v, 3) for v in pair) for pair in out["history"]])
