"""A mutant no detector catches: with one epoch, the model.train() at its top changes nothing."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

# One epoch only: a new model is in training mode anyway, so dropping model.train() goes unseen.
PARAMS = {"batch_size": range(1, 9), "epochs": (1,), "seed": range(0, 1000)}


def make_loader(n, batch_size, shuffle):
    centres = torch.tensor([[2.0, 0.0], [-1.0, 1.5], [-1.0, -1.5]])
    labels = torch.randint(0, 3, (n,))
    points = centres[labels] + 0.8 * torch.randn(n, 2)
    return DataLoader(TensorDataset(points, labels), batch_size=batch_size, shuffle=shuffle)


def main(batch_size=4, epochs=2, seed=0):
    torch.manual_seed(seed)  # same seed, same data, same weights: verify depends on it
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    loader = make_loader(24, batch_size, shuffle=True)
    val_loader = make_loader(12, batch_size, shuffle=False)

    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3)).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    history = []
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()  # no dropout while measuring
        correct = 0
        with torch.no_grad():
            for x, y in val_loader:
                x, y = x.to(device), y.to(device)
                correct += (model(x).argmax(dim=1) == y).sum().item()
        history.append(correct / len(val_loader.dataset))
    # plain numbers: what verify compares with the reference
    return {"val_accuracy": history, "final_loss": loss.item()}


if __name__ == "__main__":
    print(main())
