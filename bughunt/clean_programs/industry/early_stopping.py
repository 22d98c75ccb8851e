"""Early stopping with patience, and a learning rate that drops when validation stalls.

Guide: Level 4 (early stopping, LR scheduler) and the "full pipeline with early
stopping and scheduler" challenge. After every epoch the validation loss decides:
  - it improved by more than min_delta: remember the epoch and its weights, and
    start counting bad epochs from zero again;
  - it did not: one more bad epoch; after `patience` bad epochs IN A ROW, stop.
ReduceLROnPlateau watches the same loss with a shorter patience: a stall first halves
the learning rate, and only a longer one stops training. At the end the best weights,
not the last ones, are put back into the model.
"""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def make_loaders(batch_size):
    x = torch.randn(64, 8)
    y = (x[:, 0] + 0.5 * x[:, 1] + 0.5 * torch.randn(64) > 0).long()  # noisy labels: validation plateaus
    train_loader = DataLoader(TensorDataset(x[:40], y[:40]), batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[40:], y[40:]), batch_size=batch_size)
    return train_loader, val_loader


def train_one_epoch(model, loader, optimizer, device):
    model.train()
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()


@torch.no_grad()  # the decorator form of `with torch.no_grad():`, for the whole function
def validate(model, loader, device):
    model.eval()
    total = 0.0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        total += F.cross_entropy(model(x), y, reduction="sum").item()
    return total / len(loader.dataset)


def fit(model, train_loader, val_loader, optimizer, scheduler, max_epochs, patience, min_delta, device):
    best_loss, best_epoch, best_state = float("inf"), -1, None
    bad_epochs = 0
    log = {"val_loss": [], "lr": [], "bad_epochs": []}
    for epoch in range(max_epochs):
        log["lr"].append(optimizer.param_groups[0]["lr"])
        train_one_epoch(model, train_loader, optimizer, device)
        val_loss = validate(model, val_loader, device)
        scheduler.step(val_loss)  # ReduceLROnPlateau needs the metric it watches

        if val_loss < best_loss - min_delta:
            best_loss, best_epoch = val_loss, epoch
            best_state = copy.deepcopy(model.state_dict())
            bad_epochs = 0  # an improvement: patience starts over
        else:
            bad_epochs += 1
        log["val_loss"].append(val_loss)
        log["bad_epochs"].append(bad_epochs)
        if bad_epochs >= patience:
            break
    model.load_state_dict(best_state)  # keep the best weights, not the last ones
    return best_epoch, log


def main(batch_size=2, max_epochs=15, patience=3, seed=0, min_delta=0.02):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    train_loader, val_loader = make_loaders(batch_size)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    # Same notion of "better" as early stopping, but it acts after 2 bad epochs (patience=1).
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=1,
                                                           threshold=min_delta, threshold_mode="abs")

    best_epoch, log = fit(model, train_loader, val_loader, optimizer, scheduler, max_epochs, patience, min_delta,
                          device)
    return {"epochs_run": len(log["val_loss"]), "best_epoch": best_epoch, **log, "weight": model[0].weight}


if __name__ == "__main__":
    out = main()
    print(f"stopped after {out['epochs_run']} of 15 epochs; best epoch {out['best_epoch']}")
    for epoch, (loss, lr, bad) in enumerate(zip(out["val_loss"], out["lr"], out["bad_epochs"])):
        print(f"epoch {epoch}: lr {lr:.2g}  val loss {loss:.3f}  bad epochs in a row {bad}")
