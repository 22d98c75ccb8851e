"""A custom Dataset over raw Python rows, its DataLoader, and a one-layer smoke test.

Guide: section 3 (Dataset template, DataLoader, labels must be torch.long) and
Challenge 2. The rows stand in for a CSV file: two features and a class id each.
"""
import random

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


def make_rows(n, seed):
    """Points in the plane, labelled by the quadrant they fall in (classes 0-3)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        x1, x2 = rng.uniform(-1, 1), rng.uniform(-1, 1)
        rows.append([x1, x2, int(x1 > 0) + 2 * int(x2 > 0)])
    return rows


class QuadrantDataset(Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, idx):
        row = self.rows[idx]
        features = torch.tensor(row[:2], dtype=torch.float32)
        label = torch.tensor(row[2], dtype=torch.long)  # class index, shape ()
        return features, label


def main(batch_size=8, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    dataset = QuadrantDataset(make_rows(48, seed))
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
    first_x, first_y = next(iter(loader))  # (B, 2) float32 and (B,) int64

    # Smoke test: a linear classifier must be able to consume what the loader yields.
    model = nn.Linear(2, 4).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for epoch in range(epochs):
        for features, labels in loader:
            features, labels = features.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = criterion(model(features), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return {"first_x": first_x, "first_y": first_y, "losses": losses}


if __name__ == "__main__":
    out = main()
    print(f"batch x {tuple(out['first_x'].shape)} {out['first_x'].dtype}, "
          f"y {tuple(out['first_y'].shape)} {out['first_y'].dtype}; "
          f"loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
