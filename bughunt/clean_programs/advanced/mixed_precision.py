"""Mixed precision: autocast for the forward pass and the loss, a GradScaler for the backward pass.

Guide: the mixed precision concepts and the industry patterns table (Level 3).
On a GPU, autocast runs matrix multiplications in float16 while the weights stay
float32. float16 gradients can underflow to zero, so GradScaler multiplies the loss
by a large factor before backward(), divides the gradients back (unscale_) before
anything reads them (clipping, the optimizer step), skips a step whose gradients
overflowed, and adapts the factor in update(). Like the guide says, it is only
switched on when the device is a GPU: on a CPU this program trains in float32.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_loader(n, batch_size):
    x = torch.randn(n, 8)
    y = (x[:, :3].sum(dim=1) > 0).long() + (x[:, 3] > 1).long()  # classes 0, 1, 2
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)


def train(model, loader, criterion, optimizer, scaler, epochs, device, max_norm=1.0):
    """Returns the mean loss of every epoch and the scale factor after every step."""
    use_amp = device.type == "cuda"
    model.train()
    losses, scales = [], []
    for epoch in range(epochs):
        total = 0.0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            with torch.amp.autocast(device.type, enabled=use_amp):
                logits = model(x)  # float16 on a GPU
                loss = criterion(logits, y)  # autocast computes the loss in float32
            scaler.scale(loss).backward()  # backward of loss * scale: no float16 underflow
            scaler.unscale_(optimizer)  # true gradients, before clipping reads them
            nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            scaler.step(optimizer)  # skipped if a gradient overflowed to inf/NaN
            scaler.update()  # shrink the scale after an overflow, grow it after a calm stretch
            total += loss.item() * x.size(0)
            scales.append(scaler.get_scale())
        losses.append(total / len(loader.dataset))
    return losses, scales


def main(batch_size=8, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = make_loader(48, batch_size)
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 3)).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler(device.type, enabled=device.type == "cuda")

    losses, scales = train(model, loader, criterion, optimizer, scaler, epochs, device)
    return {"losses": losses, "scales": scales, "weight": model[0].weight}


if __name__ == "__main__":
    out = main()
    print(f"epoch losses {[round(loss, 3) for loss in out['losses']]}, "
          f"scale {out['scales'][0]:g} -> {out['scales'][-1]:g}")
