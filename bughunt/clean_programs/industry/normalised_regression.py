"""A regression with a normalised data pipeline: split, standardise, train, validate, keep the best.

Guide: Level 4 industry patterns (train/val, seed, save best) and section 3 (DataLoader).
The features are standardised with the mean and std of the *training* split only: the
validation split stands in for data the model has never seen, so nothing may leak from it.
The training loader reshuffles every epoch; the validation loader reads every sample once,
in order. The Linear layers get a Xavier initialisation. AdamW decays the Linear weights
but not the biases nor the LayerNorm's parameters (decay would only pull them to zero), and
StepLR halves the learning rate every two epochs. The best weights are kept in memory (as
copies: state_dict() returns the live tensors) and restored at the end.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_data(n, num_features):
    """Raw features far from mean 0 and std 1, and a noisy linear target of shape (N, 1)."""
    x = 3.0 + 2.0 * torch.randn(n, num_features)
    w = torch.randn(num_features, 1)
    y = (x - 3.0) @ w / num_features + 0.1 * torch.randn(n, 1)
    return x, y


def split(x, y, val_fraction, seed):
    """A random train/validation split; its own generator makes it reproducible."""
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    n_val = int(len(x) * val_fraction)
    val_idx, train_idx = order[:n_val], order[n_val:]
    return (x[train_idx], y[train_idx]), (x[val_idx], y[val_idx])


def build_loaders(batch_size, seed):
    x, y = make_data(80, 6)
    (x_train, y_train), (x_val, y_val) = split(x, y, 0.25, seed)
    mean, std = x_train.mean(dim=0), x_train.std(dim=0)  # from the training split only
    x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=batch_size)
    return train_loader, val_loader


def init_weights(module):
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def param_groups(model, weight_decay):
    """Weight decay for the weight matrices; none for biases and normalisation parameters."""
    decay, no_decay = [], []
    for param in model.parameters():
        if param.ndim >= 2:
            decay.append(param)
        else:  # biases, LayerNorm's weight and bias: all 1-D
            no_decay.append(param)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    total = 0.0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * x.size(0)
    return total / len(loader.dataset)


def validate(model, loader, criterion, device):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            total += criterion(model(x), y).item() * x.size(0)
    return total / len(loader.dataset)


def main(batch_size=8, epochs=4, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    train_loader, val_loader = build_loaders(batch_size, seed)
    model = nn.Sequential(nn.Linear(6, 32), nn.LayerNorm(32), nn.ReLU(), nn.Linear(32, 1)).to(device)
    model.apply(init_weights)  # visits every submodule
    criterion = nn.MSELoss()
    optimizer = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)

    history, best_loss, best_epoch, best_state = [], float("inf"), -1, None
    for epoch in range(epochs):
        train_loss = train_one_epoch(model, train_loader, criterion, optimizer, device)
        val_loss = validate(model, val_loader, criterion, device)
        scheduler.step()  # once per epoch
        history.append((train_loss, val_loss))
        if val_loss < best_loss:
            best_loss, best_epoch = val_loss, epoch
            best_state = {name: t.detach().clone() for name, t in model.state_dict().items()}

    model.load_state_dict(best_state)
    restored_loss = validate(model, val_loader, criterion, device)
    return {"history": history, "best_epoch": best_epoch, "restored_loss": restored_loss}


if __name__ == "__main__":
    out = main()
    for epoch, (train_loss, val_loss) in enumerate(out["history"]):
        print(f"epoch {epoch}: train {train_loss:.4f}  val {val_loss:.4f}")
    print(f"best epoch {out['best_epoch']}; restored weights score {out['restored_loss']:.4f}")
