"""Synthetic data: a fixed generator so that every call gives the same table."""
import torch
from torch.utils.data import DataLoader, TensorDataset


def make_table(n_rows: int, n_numeric: int, n_categories: int, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    numeric = torch.randn(n_rows, n_numeric, generator=gen)
    category = torch.nn.functional.one_hot(torch.randint(0, n_categories, (n_rows,), generator=gen), n_categories)
    target = ((numeric[:, 0] + category.argmax(dim=1) * 0.5) > 0.5).long()
    return numeric, category.to(torch.float32), target


def make_loader(n_rows: int, config, shuffle: bool = True, seed: int = 0) -> DataLoader:
    numeric, category, target = make_table(n_rows, config.n_numeric, config.n_categories, seed)
    return DataLoader(TensorDataset(numeric, category, target), batch_size=config.batch_size, shuffle=shuffle)

