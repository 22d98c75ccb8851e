"""A custom autograd Function: LeakyReLU with a hand-written backward pass.

Guide: Expert level (folder 09), custom backward. forward() computes the output and
stores on ``ctx`` what backward() will need; backward() receives dLoss/dOutput and
returns dLoss/dInput, one gradient per forward() input. torch.autograd.gradcheck
compares that analytic gradient with finite differences, in float64. The Function
is then used as the activation of a small residual classifier that trains.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class LeakyReLUFunction(torch.autograd.Function):
    """y = x where x >= 0, slope * x where x < 0."""

    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)  # tensors for backward go through save_for_backward
        ctx.slope = slope  # a plain Python number can live on ctx directly
        return torch.where(x >= 0, x, x * slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        # dy/dx is 1 on the positive side and slope on the negative side
        grad_input = torch.where(x >= 0, grad_output, grad_output * ctx.slope)
        return grad_input, None  # slope is a hyperparameter: it gets no gradient


class LeakyReLU(nn.Module):
    def __init__(self, slope):
        super().__init__()
        self.slope = slope

    def forward(self, x):
        return LeakyReLUFunction.apply(x, self.slope)  # apply(), never forward() directly


class ResidualMLP(nn.Module):
    def __init__(self, in_dim, hidden, num_classes, slope):
        super().__init__()
        self.fc_in = nn.Linear(in_dim, hidden)
        self.fc_hidden = nn.Linear(hidden, hidden)
        self.act = LeakyReLU(slope)
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, x):
        h = self.act(self.fc_in(x))
        out = self.act(self.fc_hidden(h))
        out += h  # residual connection, added in place as ResNet blocks do
        return self.head(out)


def check_gradients(slope):
    """gradcheck on float64 inputs kept away from the kink at 0, where no derivative exists."""
    x = torch.randn(4, 5, dtype=torch.float64)
    x = torch.where(x.abs() < 0.1, x.sign() * 0.5, x).requires_grad_()
    return torch.autograd.gradcheck(LeakyReLUFunction.apply, (x, slope), raise_exception=False)


def train(model, loader, criterion, optimizer, epochs, device):
    """Returns the mean training loss of every epoch."""
    model.train()
    history = []
    for epoch in range(epochs):
        total = 0.0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()  # runs LeakyReLUFunction.backward for both activations
            optimizer.step()
            total += loss.item() * x.size(0)
        history.append(total / len(loader.dataset))
    return history


def main(batch_size=8, epochs=2, slope=0.1, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    passed = check_gradients(slope)

    # The gradient on a fixed probe: 1 for the positive inputs, slope for the negative ones.
    probe = torch.linspace(-2.0, 2.0, steps=8, requires_grad=True)
    LeakyReLUFunction.apply(probe, slope).sum().backward()

    x = torch.randn(32, 6)
    y = (x[:, 0] * x[:, 1] > 0).long()  # an XOR-like pattern: needs the nonlinearity
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)
    model = ResidualMLP(6, 16, 2, slope).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    history = train(model, loader, criterion, optimizer, epochs, device)
    return {"gradcheck": passed, "probe_grad": probe.grad, "history": history}


if __name__ == "__main__":
    out = main()
    print("gradcheck passed:", out["gradcheck"])
    print("gradient on", [round(v, 2) for v in torch.linspace(-2.0, 2.0, steps=8).tolist()])
    print("          =", [round(g, 2) for g in out["probe_grad"].tolist()])
    print("epoch losses", [round(loss, 3) for loss in out["history"]])
