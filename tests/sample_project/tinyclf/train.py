"""Training: one function per step of the recipe (tinyclf.run strings them together)."""
from dataclasses import dataclass

import torch


@dataclass
class Config:
    n_numeric: int = 5
    n_categories: int = 3
    n_classes: int = 2
    width: int = 16
    p_drop: float = 0.3
    batch_size: int = 16
    lr: float = 0.05
    epochs: int = 3


def pick_device() -> torch.device:
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def run_epoch(net, batches, loss_fn, opt, device) -> float:
    """One pass over ``batches``; returns the mean training loss."""
    net.train()
    losses = []
    for numeric, category, target in batches:
        numeric, category, target = numeric.to(device), category.to(device), target.to(device)
        opt.zero_grad()
        loss = loss_fn(net(numeric, category), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


@torch.no_grad()
def evaluate(net, batches, device) -> float:
    """Accuracy over ``batches``."""
    net.eval()
    hits = total = 0
    for numeric, category, target in batches:
        numeric, category, target = numeric.to(device), category.to(device), target.to(device)
        predicted = net(numeric, category).argmax(dim=1)
        hits += (predicted == target).sum().item()
        total += target.numel()
    return hits / total


def predict(net, numeric, category, device) -> torch.Tensor:
    """Class indices for a batch of rows."""
    net.eval()
    with torch.no_grad():
        return net(numeric.to(device), category.to(device)).argmax(dim=1)


def fine_tune_head(net, batches, device, lr: float = 0.01) -> None:
    """One epoch on the head alone, the rest frozen (no test covers it yet)."""
    for param in net.parameters():
        param.requires_grad_(False)
    for param in net.head.parameters():
        param.requires_grad_(True)
    opt = torch.optim.Adam(net.head.parameters(), lr=lr)
    net.train()
    for numeric, category, target in batches:
        logits = net(numeric.to(device), category.to(device))
        loss = torch.nn.functional.cross_entropy(logits, target.to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()
