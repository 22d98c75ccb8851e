"""fit(): a fresh model trained epoch by epoch with the steps of tinyclf.train."""
import torch

from tinyclf.data import make_loader
from tinyclf.model import build_model
from tinyclf.train import Config, evaluate, pick_device, run_epoch


def fit(config: Config, seed: int = 0):
    """Trains a fresh model; returns it with its per-epoch history."""
    torch.manual_seed(seed)
    device = pick_device()
    net = build_model(config).to(device)
    opt = torch.optim.SGD(net.parameters(), lr=config.lr, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    loss_fn = torch.nn.CrossEntropyLoss()
    train_batches = make_loader(256, config, seed=seed)
    val_batches = make_loader(128, config, shuffle=False, seed=seed + 1)
    history = []
    for _ in range(config.epochs):
        train_loss = run_epoch(net, train_batches, loss_fn, opt, device)
        sched.step()
        history.append({"loss": train_loss, "acc": evaluate(net, val_batches, device),
                        "lr": opt.param_groups[0]["lr"]})
    return net, history
