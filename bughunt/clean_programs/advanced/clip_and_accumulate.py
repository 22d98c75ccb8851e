"""Gradient accumulation and gradient clipping in one training loop.

Guide: Level 3 (gradient clipping, gradient accumulation), the industry patterns
table and Quiz Q1, Q4 and Q8.
Accumulation: backward() ADDS into .grad, so the gradients of `accum_steps`
micro-batches can be summed before a single optimizer step; a large batch without
its memory cost. Dividing each micro-batch loss by accum_steps turns that sum into
the group's mean gradient. Clipping rescales the summed gradient so that its total
norm is at most max_norm: it runs after the group's last backward(), before step().
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_loader(n, batch_size):
    x = torch.randn(n, 6) * 3
    y = (x[:, 0] * x[:, 1] > 0).long() + (x[:, 2] > 1).long()  # classes 0, 1, 2
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)


def train(model, loader, criterion, optimizer, accum_steps, max_norm, epochs, device):
    """Returns the mean loss of every epoch and the gradient norm of every step, before clipping."""
    model.train()
    epoch_losses, grad_norms = [], []
    for epoch in range(epochs):
        total = 0.0
        for i, (x, y) in enumerate(loader):
            x, y = x.to(device), y.to(device)
            if i % accum_steps == 0:
                optimizer.zero_grad()  # a new group starts: drop the previous group's gradients
            loss = criterion(model(x), y)
            total += loss.item() * x.size(0)  # log the real loss, before scaling
            loss = loss / accum_steps  # so that the group's summed gradient is its mean gradient
            loss.backward()
            # Step at the end of every group, and after the last batch (a smaller final group).
            if (i + 1) % accum_steps == 0 or i + 1 == len(loader):
                norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm)
                optimizer.step()
                grad_norms.append(norm.item())  # clip_grad_norm_ returns the norm before clipping
        epoch_losses.append(total / len(loader.dataset))
    return epoch_losses, grad_norms


def main(batch_size=4, accum_steps=2, epochs=2, seed=0, max_norm=0.5):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = make_loader(40, batch_size)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 3)).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    epoch_losses, grad_norms = train(model, loader, criterion, optimizer, accum_steps, max_norm, epochs, device)
    return {"loss": epoch_losses, "grad_norms": grad_norms, "weight": model[0].weight}


if __name__ == "__main__":
    out = main()
    clipped = sum(norm > 0.5 for norm in out["grad_norms"])
    print("epoch losses", [round(loss, 3) for loss in out["loss"]])
    print(f"{len(out['grad_norms'])} optimizer steps, {clipped} of them clipped to norm 0.5")
