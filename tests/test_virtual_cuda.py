"""The virtual CUDA device: device and mixed-precision bugs raise on a CPU-only machine as on a GPU.

The device patches torch for the whole process, so each check runs in a fresh interpreter.
The expected messages are the ones a real H200 gave (../shared/reference/gpu_truth_h200.jsonl).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SETUP = """
import io, torch, torch.nn as nn
from bughunt.detector import virtual_cuda
virtual_cuda.install()
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
torch.manual_seed(0)
def mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
x, y = torch.randn(6, 4), torch.randint(0, 3, (6,))
def raises(kind, text, fn):
    try:
        fn()
    except kind as error:
        assert text in str(error), str(error)
    else:
        raise AssertionError(f"no {kind.__name__}")
SAME_DEVICE = "Expected all tensors to be on the same device"
"""

CASES = {
    "a CUDA device exists and the model moves to it": """
        assert torch.cuda.is_available() and device.type == "cuda"
        model = mlp().to(device)
        assert {p.device.type for p in model.parameters()} == {"cuda"}
        assert model[1].running_mean.device.type == "cuda" and model[1].running_mean.is_cuda
        assert x.device.type == "cpu" and x.to(device).device == torch.device("cuda", 0)
        assert x.cuda().get_device() == 0 and x.cuda().cpu().device.type == "cpu"
    """,
    "gradients and optimizer state follow their parameters": """
        model = mlp().to(device)
        optimizer = torch.optim.Adam(model.parameters())
        nn.functional.cross_entropy(model(x.to(device)), y.to(device)).backward()
        optimizer.step()
        weight = model[0].weight
        assert weight.grad.device.type == "cuda"
        assert optimizer.state[weight]["exp_avg"].device.type == "cuda"
    """,
    "the batch left on the CPU": """
        model = mlp().to(device)
        raises(RuntimeError, "but got mat1 is on cpu, different from other tensors on cuda:0", lambda: model(x))
    """,
    "the labels left on the CPU": """
        model = mlp().to(device)
        raises(RuntimeError, SAME_DEVICE, lambda: nn.functional.cross_entropy(model(x.to(device)), y))
    """,
    "the model left on the CPU": """
        raises(RuntimeError, SAME_DEVICE, lambda: mlp()(x.to(device)))
    """,
    "a tensor made without device= meets a GPU tensor": """
        moved = x.to(device)
        raises(RuntimeError, "found at least two devices, cuda:0 and cpu", lambda: moved + torch.zeros(6, 4))
        assert (moved + torch.zeros(6, 4, device=moved.device)).is_cuda
        assert (moved * torch.tensor(2.0)).is_cuda  # a 0-d CPU scalar is fine, as on a GPU
        assert moved[torch.tensor([0, 2])].shape == (2, 4)  # so is a CPU index
        raises(RuntimeError, "indices should be either on cpu or on the same device",
               lambda: x[torch.tensor([0, 2], device=device)])
    """,
    "a .to() whose result is dropped moves nothing": """
        batch = x.clone()
        batch.to(device)
        assert batch.device.type == "cpu"
    """,
    ".numpy() of a GPU tensor": """
        raises(TypeError, "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu()",
               lambda: x.to(device).numpy())
        assert x.to(device).cpu().numpy().shape == (6, 4)
    """,
    "autocast('cuda') computes in float16, the loss stays float32": """
        model = mlp().to(device)
        with torch.amp.autocast("cuda"):
            out = model(x.to(device))
            loss = nn.functional.cross_entropy(out, y.to(device))
        assert out.dtype == torch.float16 and loss.dtype == torch.float32
    """,
    "GradScaler('cuda') scales, and its misuse raises as on a GPU": """
        model = mlp().to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        def loss_of():
            with torch.amp.autocast("cuda"):
                return nn.functional.cross_entropy(model(x.to(device)), y.to(device))
        scaler = torch.amp.GradScaler("cuda")
        assert scaler.is_enabled() and scaler.get_scale() == 65536.0
        loss_of().backward()
        raises(AssertionError, "_scale is None", lambda: scaler.step(optimizer))
        scaler.scale(loss_of()).backward()
        scaler.unscale_(optimizer)
        raises(RuntimeError, "unscale_() has already been called", lambda: scaler.unscale_(optimizer))
        scaler.step(optimizer)
        raises(RuntimeError, "step() has already been called since the last update()",
               lambda: scaler.step(optimizer))
        fresh = torch.amp.GradScaler("cuda")
        fresh.scale(loss_of()).backward()
        optimizer.step()
        raises(AssertionError, "No inf checks were recorded prior to update.", fresh.update)
    """,
    "checkpoints load to the device named by map_location": """
        model = mlp().to(device)
        buffer = io.BytesIO()
        torch.save({"model": model.state_dict()}, buffer)
        buffer.seek(0)
        state = torch.load(buffer, map_location=device)["model"]
        assert state["0.weight"].is_cuda
        model.load_state_dict(state)
    """,
    "a tensor's tag dies with it; a new tensor at the same address is on the CPU": """
        import gc
        moved = [torch.ones(3).to(device) for _ in range(200)]
        addresses = {id(t) for t in moved}
        del moved
        gc.collect()
        fresh = [torch.ones(3) for _ in range(400)]
        assert any(id(t) in addresses for t in fresh)  # the addresses are reused ...
        assert all(t.device.type == "cpu" for t in fresh)  # ... and the tags are not
        assert not addresses & set(virtual_cuda._tags._refs)  # no entry outlives its tensor
    """,
    "the recorder's own calls do not disturb tags": """
        weight = torch.ones(3).to(device)
        with torch._C.DisableTorchFunction():
            weight.double().pow(2).sum()
        assert weight.device.type == "cuda" and (weight * 2).device.type == "cuda"
    """,
    "a DataLoader with pin_memory works": """
        from torch.utils.data import DataLoader, TensorDataset
        loader = DataLoader(TensorDataset(x, y), batch_size=2, pin_memory=True)
        assert [b[0].device.type for b in loader] == ["cpu"] * 3
    """,
}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, str]:
    """Run every case in one fresh interpreter (torch loads once); each case's error, or ''."""
    script = SETUP + "import json, traceback\noutcomes = {}\n"
    for name, code in CASES.items():
        body = textwrap.indent(textwrap.dedent(code), "    ")
        script += f"try:\n{body}\n    outcomes[{name!r}] = ''\nexcept Exception:\n"
        script += f"    outcomes[{name!r}] = traceback.format_exc()\n"
    script += "print(json.dumps(outcomes))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("name", CASES)
def test_virtual_cuda(outcomes, name):
    assert outcomes[name] == ""

