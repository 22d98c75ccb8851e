"""A ResNet BasicBlock and a tiny ResNet built from it, trained a few steps on random images.

Guide: folder 12 (ResNet-style residual block). The block computes a correction F(x) =
bn(conv(relu(bn(conv(x))))) and adds it to its input: out = relu(F(x) + shortcut(x)).
The addition needs both terms in the same shape. When the block changes the number of
channels or halves the resolution (stride 2), the shortcut is a projection, a 1x1
convolution with the same stride plus BatchNorm; otherwise it is the identity.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            # project x to the output's shape: (N, in, H, W) -> (N, out, H / stride, W / stride)
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = out + self.shortcut(x)  # the residual connection: add first, then the ReLU
        return torch.relu(out)


class TinyResNet(nn.Module):
    def __init__(self, num_classes, width=8):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        self.layer1 = BasicBlock(width, width)  # same shape: identity shortcut
        self.layer2 = BasicBlock(width, 2 * width, stride=2)  # twice the channels, half the size: projection
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2 * width, num_classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        x = self.pool(x).flatten(1)  # (N, C, 1, 1) -> (N, C)
        return self.fc(x)


def evaluate(model, loader, device):
    """Accuracy and the logits of every validation image, BatchNorm in eval mode."""
    model.eval()
    correct, all_logits = 0, []
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            all_logits.append(logits)
    return correct / len(loader.dataset), torch.cat(all_logits, dim=0)


def main(batch_size=8, epochs=10, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    num_classes = 3

    labels = torch.randint(0, num_classes, (40,))
    images = torch.randn(40, 3, 8, 8)
    images[torch.arange(40), labels] += 1.0  # the class is the brighter channel
    train_loader = DataLoader(TensorDataset(images[:32], labels[:32]), batch_size=batch_size,
                              shuffle=True, drop_last=True)  # BatchNorm needs 2+ images per batch
    val_loader = DataLoader(TensorDataset(images[32:], labels[32:]), batch_size=batch_size)

    model = TinyResNet(num_classes).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    losses = []
    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    accuracy, logits = evaluate(model, val_loader, device)
    return {"losses": losses, "val_accuracy": accuracy, "val_logits": logits}


if __name__ == "__main__":
    out = main()
    print(f"loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
    print(f"validation accuracy {out['val_accuracy']:.0%}")
