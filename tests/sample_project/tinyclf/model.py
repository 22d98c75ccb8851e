"""The network: two input branches joined by torch.cat, a residual block, a linear head."""
from torch import cat, nn
from torch.nn import functional as F


class ResidualBlock(nn.Module):
    def __init__(self, width: int, p_drop: float) -> None:
        super().__init__()
        self.act = nn.ReLU()
        self.lin = nn.Linear(width, width)
        self.norm = nn.BatchNorm1d(width)
        self.drop = nn.Dropout(p_drop)

    def forward(self, inp):
        # pre-activation: the skip path keeps the block's input as it came in
        hidden = self.norm(self.lin(self.act(inp)))
        return inp + self.drop(F.gelu(hidden))


class TabularNet(nn.Module):
    """Numeric features and a one-hot category go through their own stems, then meet."""

    def __init__(self, n_numeric: int, n_categories: int, n_classes: int, width: int = 16, p_drop: float = 0.3):
        super().__init__()
        self.numeric_stem = nn.Sequential(nn.Linear(n_numeric, width), nn.ReLU())
        self.category_stem = nn.Linear(n_categories, width)
        self.block = ResidualBlock(2 * width, p_drop)
        self.head = nn.Linear(2 * width, n_classes)

    def forward(self, numeric, category):
        joined = cat([self.numeric_stem(numeric), self.category_stem(category)], dim=1)
        features = self.block(joined)
        return self.head(features)


def build_model(config) -> TabularNet:
    return TabularNet(config.n_numeric, config.n_categories, config.n_classes, config.width, config.p_drop)
