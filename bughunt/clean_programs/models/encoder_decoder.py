"""Plugging modules together: an Encoder, a Decoder, and the FullModel that connects them.

Guide: section 4.4 (connecting two modules) and 4.2 (skip connections). The encoder
keeps its first-layer features and concatenates them with the deeper ones.
"""
import torch
import torch.nn as nn


class Encoder(nn.Module):
    """(N, in_dim) -> (N, latent). A skip connection carries h past the second layer."""

    def __init__(self, in_dim, hidden, latent):
        super().__init__()
        self.fc1 = nn.Linear(in_dim, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.proj = nn.Linear(2 * hidden, latent)

    def forward(self, x):
        h = self.fc1(x)
        deep = self.fc2(torch.relu(h))
        return self.proj(torch.cat([h, deep], dim=1))  # h is used again here


class Decoder(nn.Module):
    """(N, latent) -> (N, num_classes)."""

    def __init__(self, latent, num_classes):
        super().__init__()
        self.head = nn.Linear(latent, num_classes)

    def forward(self, z):
        return self.head(torch.relu(z))


class FullModel(nn.Module):
    def __init__(self, in_dim, hidden, latent, num_classes):
        super().__init__()
        self.encoder = Encoder(in_dim, hidden, latent)
        self.decoder = Decoder(latent, num_classes)

    def forward(self, x):
        z = self.encoder(x)
        return self.decoder(z)


def main(batch_size=8, in_dim=10, latent=4, steps=5, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    model = FullModel(in_dim, hidden=16, latent=latent, num_classes=3).to(device)
    x = torch.randn(batch_size, in_dim, device=device)
    y = torch.randint(0, 3, (batch_size,), device=device)

    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        logits = model(x)  # (N, 3)
        loss = criterion(logits, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        z = model.encoder(x)
    return {"latent": z, "losses": losses}


if __name__ == "__main__":
    out = main()
    print(f"latent {tuple(out['latent'].shape)}  loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
