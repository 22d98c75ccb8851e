"""plain-list-submodules: layers kept in a plain list or dict, hidden from .parameters()."""

from __future__ import annotations

from bughunt.bug_catalog.plain_list_submodules import optimizer_coverage

from .helpers import assert_another_fix_passes, forms, mutate, sites_in

MODEL = """
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, depth):
        super().__init__()
        self.blocks = nn.ModuleList([Block(8) for _ in range(depth)])
        self.heads = nn.ModuleDict({"a": nn.Linear(8, 2)})
        self.extra = nn.ModuleList()
        self.acts = nn.ModuleList([nn.ReLU(), nn.Dropout(0.1)])
        self.again = nn.ModuleList([self.fc1, self.fc2])
        self.net = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        self.layers = nn.Sequential(*make_layers())

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.net(x)

optimizer = torch.optim.SGD(Net(2).parameters(), lr=0.1)
"""


def test_plain_containers_only_where_they_hide_parameters():
    assert forms("plain-list-submodules", MODEL) == [
        ("plain list instead of nn.ModuleList", ["self.blocks = [Block(8) for _ in range(depth)]"]),
        ("list(generator) instead of nn.ModuleList", ["self.blocks = list(Block(8) for _ in range(depth))"]),
        ("plain dict instead of nn.ModuleDict", ['self.heads = {"a": nn.Linear(8, 2)}']),
        ("plain list instead of nn.ModuleList", ["self.extra = []"]),
        ("plain list instead of nn.Sequential", ["self.layers = list(make_layers())"]),
    ]  # parameter-free layers, layers registered elsewhere and a called Sequential are not sites


def test_plain_containers_need_a_program_that_trains():
    assert mutate("plain-list-submodules", MODEL.replace("Net(2).parameters()", "[]")) == []


def test_optimizer_coverage_counts_what_the_optimizers_update():
    ref = {"params": {"embed.weight": 0, "blocks.0.fc.weight": 0, "head.weight": 0}}
    assert optimizer_coverage(ref, ref) is None
    fewer = {"params": {"embed.weight": 0, "head.weight": 0}}
    assert optimizer_coverage(ref, fewer) == (
        "the optimizer updates 2 parameter tensors instead of 3: some layers are never trained")


def test_sites_in_the_clean_programs():
    assert sites_in("models/residual_mlp", "plain-list-submodules") == 2


def test_a_fix_other_than_the_undo_passes(bughunt, tmp_path):
    assert_another_fix_passes(bughunt, tmp_path, "models/residual_mlp", "plain-list-submodules",
                              "plain list instead of nn.ModuleList",
                              [("self.blocks = [", "self.blocks = nn.Sequential(*["),
                               ("for _ in range(depth)]", "for _ in range(depth)])")],
                              failing_prefix="with ")
