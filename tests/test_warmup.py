"""The fork server's warm-up: torch imported, the compiler (torch._dynamo) loaded only when needed."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_training_steps_run_without_loading_the_compiler():
    out = run("""
        import sys
        import bughunt.detector.warmup  # it trains a little: steps, zero_grad, a scheduler, a save
        import torch
        model = torch.nn.Linear(3, 1)
        optimizer = torch.optim.AdamW(model.parameters())
        optimizer.zero_grad()
        model(torch.ones(2, 3)).sum().backward()
        optimizer.step()
        print(optimizer.state_dict()["state"][0]["step"], "torch._dynamo.eval_frame" in sys.modules)
    """)
    assert out.split() == ["tensor(1.)", "False"]


def test_anything_else_loads_the_real_compiler():
    out = run("""
        import sys
        import bughunt.detector.warmup
        import torch
        from torch.utils.checkpoint import checkpoint
        x = torch.ones(2, 3, requires_grad=True)
        checkpoint(torch.sin, x, use_reentrant=False).sum().backward()  # asks torch._dynamo for more
        print("torch._dynamo.eval_frame" in sys.modules, type(torch._dynamo).__name__)
        import torch._dynamo.config  # a submodule: the real package
        print(torch._dynamo.config.__name__)
    """)
    assert out.split() == ["True", "module", "torch._dynamo.config"]


def test_importing_a_submodule_first_loads_the_real_compiler():
    out = run("""
        import bughunt.detector.warmup
        import torch._dynamo.config
        import torch
        print(type(torch._dynamo).__name__, torch._dynamo.config.__name__)
    """)
    assert out.split() == ["module", "torch._dynamo.config"]
