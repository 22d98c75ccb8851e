"""device-mismatch: the model, a batch or a new tensor left on the CPU."""

from __future__ import annotations

from .helpers import changed_lines, forms, mutate


def test_forms():
    source = """
    import torch
    def main(loader, device):
        model = Net().to(device)
        model.to(device)
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            xb = xb.to(device)
    class Net(nn.Module):
        def forward(self, x):
            return x + torch.zeros(x.shape, device=x.device)
    """
    assert forms("device-mismatch", source) == [
        ("model not moved", ["model = Net()"]),
        ("model.to(device) removed", []),
        ("batch not moved", ["xb, yb = xb, yb.to(device)"]),
        ("labels not moved", ["xb, yb = xb.to(device), yb"]),
        ("batch not moved", ["xb = xb"]),
        ("batch.to(device) result not kept", ["xb.to(device)"]),
        ("tensor created in forward without device=", ["return x + torch.zeros(x.shape)"]),
    ]


def test_spares_cpu_index_tensors():
    source = """
    import torch
    def pick(table, t):
        return table[t]
    def main(device):
        table = torch.rand(5, device=device)
        steps = torch.tensor([0, 2], device=device)
        return pick(table, steps)
    """
    assert [changed_lines(source, m) for m in mutate("device-mismatch", source)] == [
        ["table = torch.rand(5)"]]  # a CPU index into a GPU tensor is legal: steps may stay


def test_no_site_in_a_program_that_never_moves_anything():
    source = """
    import torch
    def main(loader):
        model = Net()
        for xb, yb in loader:
            out = model(xb)
    """
    assert mutate("device-mismatch", source) == []
