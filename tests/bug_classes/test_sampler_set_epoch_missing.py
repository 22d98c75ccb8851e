"""sampler-set-epoch-missing: a shuffling DistributedSampler never told the epoch."""

from __future__ import annotations

from .helpers import changed_lines, mutate, removed_lines

SAMPLER = """
from torch.utils.data.distributed import DistributedSampler

def train(dataset, rank, epochs):
    sampler = DistributedSampler(dataset, num_replicas=2, rank=rank, shuffle=True)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)  # a new shuffle every epoch
        run_epoch(sampler)
"""


def test_set_epoch_removed_or_constant():
    removed, constant = mutate("sampler-set-epoch-missing", SAMPLER)
    assert (removed.form, constant.form) == ("set_epoch() removed", "set_epoch(0)")
    assert removed_lines(SAMPLER, removed) == ["sampler.set_epoch(epoch)  # a new shuffle every epoch"]
    # its comment would give it away; a neutral one of the same shape replaces it
    assert changed_lines(SAMPLER, constant) == ["sampler.set_epoch(0)  # pass the epoch on"]


def test_no_site_without_shuffling_or_outside_the_loop():
    assert mutate("sampler-set-epoch-missing", SAMPLER.replace("shuffle=True", "shuffle=False")) == []
    once = "sampler.set_epoch(0)\n"
    assert mutate("sampler-set-epoch-missing", once) == []
