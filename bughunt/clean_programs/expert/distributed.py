"""Data-parallel training with torch.distributed: two CPU processes, gloo and DDP.

Guide: Expert level (folder 09), the distributed-ready pattern. Every process runs the
same function with its own rank. They meet through a rendezvous file, each trains on its
own shard of the data (DistributedSampler), DistributedDataParallel averages the
gradients across the ranks in backward() so that every rank takes the same step, and
rank 0 alone writes the checkpoint. main() then reloads it in the launching process.
"""
import datetime
import os
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

WORLD_SIZE = 2


def make_dataset(n, seed):
    """The same data on every rank: drawn from its own generator, not the global one."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 6, generator=generator)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).long()
    return TensorDataset(x, y)


def make_model():
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))


def train(rank, world_size, checkpoint_path, batch_size, epochs, seed):
    """One rank's training loop; rank 0 saves the result."""
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # gloo runs on both
    torch.manual_seed(seed)  # identical initial weights (DDP also broadcasts rank 0's)
    dataset = make_dataset(48, seed)
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)
    loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler)  # the sampler shuffles
    model = DDP(make_model().to(device))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    history = []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)  # reshuffle: a new order every epoch, the same on all ranks
        model.train()
        total = torch.zeros(2)  # this rank's (sum of losses, number of samples)
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()  # DDP all-reduces the gradients during backward
            optimizer.step()
            total += torch.tensor([loss.item() * x.size(0), x.size(0)])
        dist.all_reduce(total)  # summed over the ranks: the loss of the whole epoch
        history.append((total[0] / total[1]).item())

    if rank == 0:  # the weights are the same everywhere: one writer is enough
        torch.save({"model": model.module.state_dict(), "history": history}, checkpoint_path)


def run(rank, world_size, folder, batch_size, epochs, seed):
    """What each process runs: join the group, train, leave the group."""
    torch.set_num_threads(1)  # one thread per rank, as torchrun does: the ranks share the cores
    dist.init_process_group(
        "gloo",
        init_method=f"file://{os.path.join(folder, 'rendezvous')}",
        rank=rank,
        world_size=world_size,
        timeout=datetime.timedelta(seconds=30),  # a rank left waiting fails instead of hanging
    )
    train(rank, world_size, os.path.join(folder, "checkpoint.pt"), batch_size, epochs, seed)
    dist.destroy_process_group()  # after train() returned: no DDP model holds the group any more


def main(batch_size=4, epochs=2, seed=0):
    torch.manual_seed(seed)
    with tempfile.TemporaryDirectory() as folder:
        # fork: the workers start from this process, torch already imported
        mp.start_processes(run, args=(WORLD_SIZE, folder, batch_size, epochs, seed),
                           nprocs=WORLD_SIZE, start_method="fork")
        # map_location: this process never touches the GPU, so that forking stays safe
        checkpoint = torch.load(os.path.join(folder, "checkpoint.pt"), map_location="cpu")

    model = make_model()
    model.load_state_dict(checkpoint["model"])  # saved from model.module: no "module." prefix
    model.eval()
    x, y = make_dataset(32, seed + 1).tensors  # held-out data
    with torch.no_grad():
        accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    return {"history": checkpoint["history"], "test_accuracy": accuracy, "fc1_weight": model[0].weight}


if __name__ == "__main__":
    out = main()
    print("epoch losses (all ranks)", [round(loss, 3) for loss in out["history"]])
    print(f"reloaded rank-0 checkpoint: test accuracy {out['test_accuracy']:.0%}")
