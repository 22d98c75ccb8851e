"""Camouflage: seeded, meaning-preserving rewrites; the fingerprint that tells exercises apart."""

from __future__ import annotations

import textwrap

from bughunt.mutator.camouflage import camouflage, normalised

SOURCE = textwrap.dedent('''
    import torch
    import torch.nn.functional as F

    def helper(x):
        return x

    def train(model, loader, optimizer, device):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            logits = model(x)
            h = torch.relu(logits)
            total += h.size(0) + logits.shape[1] + model.total
        return {"total": total}

    def main(batch_size=8, seed=0):
        optimizer = torch.optim.SGD([], lr=0.1, momentum=0.9)
        return train(None, [], optimizer, "cpu")
''')


def test_same_seed_same_text_and_seeds_differ():
    assert camouflage(SOURCE, 3) == camouflage(SOURCE, 3)
    assert len({camouflage(SOURCE, seed) for seed in range(20)}) > 10


def test_vocabulary_parameters_attributes_and_keys_stay():
    for seed in range(30):
        text = camouflage(SOURCE, seed, {"batch_size": range(1, 17)})
        assert "def train(model, loader, optimizer, device):" in text
        assert "model.total" in text and '{"total": ' in text and "def main(" in text
        assert "optimizer.zero_grad(" in text
        compile(text, "camouflaged", "exec")


def test_neutral_rewrites_keep_numbers_and_vary_changes_them():
    for seed in range(10):
        assert "lr=0.1, momentum=0.9" in camouflage(SOURCE, seed, vary=False)
    assert any("lr=0.1, momentum=0.9" not in camouflage(SOURCE, seed) for seed in range(10))


def test_main_defaults_come_from_the_parameter_ranges():
    defaults = {camouflage(SOURCE, seed, {"batch_size": range(2, 5)}).split("batch_size=")[1][0] for seed in range(30)}
    assert defaults <= {"2", "3", "4"} and len(defaults) > 1


def test_fingerprint_ignores_names_comments_and_layout_only():
    renamed = SOURCE.replace("total", "running").replace("            h = ", "            # a comment\n            h = ")
    assert normalised(renamed.replace('{"running": ', '{"total": ').replace("model.running", "model.total")) == normalised(SOURCE)
    assert normalised(SOURCE.replace("lr=0.1", "lr=0.2")) != normalised(SOURCE)
    assert normalised(SOURCE.replace("torch.relu(logits)", "F.relu(logits)")) != normalised(SOURCE)
