"""Preloaded into the fork server: import torch once and pay its lazy imports up front.

Every worker process is forked from a process that has run this module, so a
worker starts with torch imported and its first optimizer step already paid for
(that step imports torch._dynamo, about 2 s on a laptop CPU).
"""

import atexit
import io
import os
import sys

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def _warm_up() -> None:
    torch.set_num_threads(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 3))
    loader = DataLoader(TensorDataset(torch.randn(8, 4), torch.randint(0, 3, (8,))), batch_size=4, shuffle=True)
    for optimizer in (torch.optim.Adam(model.parameters()), torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)):
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        scheduler.step()
    torch.save(model.state_dict(), io.BytesIO())


def _exit_at_once() -> None:
    # The fork server ends when its command does. It holds nothing to save, and tearing torch
    # down takes ~0.7 s, during which it would hold the command's output pipes open: a caller
    # reading them (`bughunt generate | less`, a script) would wait for that too.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


_warm_up()
atexit.register(_exit_at_once)  # registered last, so it runs first
