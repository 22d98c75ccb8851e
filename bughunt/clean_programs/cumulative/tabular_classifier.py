"""A classifier for tabular data, from raw columns to the restored best model.

Guide: Cumulative (folder 08) and the Level 4 full pipeline. The first rows train, the rest
validate; each column is standardised with the training rows' mean and std (measuring them
on every row would leak the validation data into training). The network initialises its
own layers (He init for ReLU) once they exist, SGD with momentum decays the weights but not
the biases nor the BatchNorm parameters, ExponentialLR lowers the rate once per epoch, and a
deep copy of the best weights is restored at the end.
"""
import copy

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class TabularNet(nn.Module):
    def __init__(self, num_features, hidden, num_classes):
        super().__init__()
        self.fc1 = nn.Linear(num_features, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.out = nn.Linear(hidden, num_classes)
        self.apply(self._init_weights)  # last: the layers must exist before they are initialised

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            nn.init.zeros_(module.bias)

    def forward(self, x):
        return self.out(torch.relu(self.bn1(self.fc1(x))))


def make_table(n):
    """Columns on very different scales (think age, income, a ratio) and three classes."""
    scales = torch.tensor([1.0, 10.0, 100.0, 0.1, 5.0])
    features = torch.randn(n, 5) * scales + scales
    score = (features - scales) / scales
    labels = torch.bucketize(score[:, 0] + score[:, 1] - score[:, 2], torch.tensor([-0.7, 0.7]))
    return features, labels


def evaluate(model, loader, device):
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += (model(x).argmax(dim=1) == y).sum().item()
    return correct / len(loader.dataset)


def main(batch_size=8, epochs=3, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    features, labels = make_table(72)
    n_train = 54
    train_x, val_x = features[:n_train], features[n_train:]
    mu = train_x.mean(0, keepdim=True)
    sigma = train_x.std(0, keepdim=True)
    train_set = TensorDataset((train_x - mu) / sigma, labels[:n_train])
    val_set = TensorDataset((val_x - mu) / sigma, labels[n_train:])
    # drop_last: a last batch of one sample would break BatchNorm in training mode
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, drop_last=True)
    val_loader = DataLoader(val_set, batch_size=batch_size)

    model = TabularNet(5, 24, 3).to(device)
    criterion = nn.CrossEntropyLoss()
    no_decay = [p for name, p in model.named_parameters() if name.endswith("bias") or name.startswith("bn")]
    decay = [p for name, p in model.named_parameters() if not (name.endswith("bias") or name.startswith("bn"))]
    optimizer = torch.optim.SGD([{"params": decay}, {"params": no_decay, "weight_decay": 0}],
                                lr=0.05, momentum=0.9, weight_decay=5e-3)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.8)

    losses, accuracies = [], []
    best_acc, best_state = -1.0, None
    for epoch in range(epochs):
        model.train()
        total, seen = 0.0, 0
        for x, y in train_loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * x.size(0)
            seen += x.size(0)
        scheduler.step()
        acc = evaluate(model, val_loader, device)
        losses.append(total / seen)
        accuracies.append(acc)
        if acc > best_acc:
            best_acc = acc
            best_state = copy.deepcopy(model.state_dict())  # a copy: the live tensors keep training

    model.load_state_dict(best_state)
    return {"losses": losses, "accuracies": accuracies, "restored_acc": evaluate(model, val_loader, device)}


if __name__ == "__main__":
    out = main()
    for epoch, (loss, acc) in enumerate(zip(out["losses"], out["accuracies"])):
        print(f"epoch {epoch}: loss {loss:.3f}  val accuracy {acc:.0%}")
    print(f"restored best model: val accuracy {out['restored_acc']:.0%}")
