"""FiLM on feature maps: a class label scales and shifts every channel of a small CNN.

Guide: section 4.3 (conditioning, FiLM) with section 2.3 (unsqueeze to line dims up for
broadcasting). One Linear predicts both halves, gamma (scale) and beta (shift), from the
condition; they act per channel, the same at every pixel.
"""
import torch
import torch.nn as nn


class FiLM(nn.Module):
    """h: (N, C, H, W), cond: (N, D) -> (1 + gamma) * h + beta, gamma and beta of shape (N, C).

    Scaling by 1 + gamma rather than gamma makes a zero prediction leave h unchanged.
    """

    def __init__(self, cond_dim, channels):
        super().__init__()
        self.proj = nn.Linear(cond_dim, 2 * channels)

    def forward(self, h, cond):
        gamma, beta = self.proj(cond).chunk(2, dim=1)  # two (N, C) halves
        # (N, C) -> (N, C, 1, 1): the channel dims line up, H and W broadcast
        gamma = gamma.unsqueeze(-1).unsqueeze(-1)
        beta = beta.unsqueeze(-1).unsqueeze(-1)
        return (1 + gamma) * h + beta


class ConditionalCNN(nn.Module):
    def __init__(self, in_channels, channels, num_conds, num_classes):
        super().__init__()
        self.embed = nn.Embedding(num_conds, 8)  # label -> learned condition vector
        self.conv = nn.Conv2d(in_channels, channels, kernel_size=3, padding=1)
        self.film = FiLM(8, channels)
        self.head = nn.Linear(channels, num_classes)

    def forward(self, x, c):
        h = self.film(self.conv(x), self.embed(c))
        h = torch.relu(h)
        return self.head(h.mean(dim=(2, 3)))  # global average pooling -> (N, C)


def main(batch_size=4, size=4, steps=3, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    x = torch.randn(batch_size, 3, size, size, device=device)
    c = torch.randint(0, 2, (batch_size,), device=device)  # which of two domains
    y = ((x.mean(dim=(1, 2, 3)) > 0).long() + c) % 2  # the label depends on the condition

    model = ConditionalCNN(3, 6, num_conds=2, num_classes=2).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(x, c), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        modulated = model.film(model.conv(x), model.embed(c))  # (N, 6, size, size)
    return {"losses": losses, "modulated": modulated}


if __name__ == "__main__":
    out = main()
    print(f"modulated {tuple(out['modulated'].shape)}; loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
