"""What the bug-class tests share: running one class's mutator on a small source, reading what
a mutant changed, and the sample programs more than one class is tested on."""

from __future__ import annotations

import json
import textwrap

from bughunt.bug_catalog import get_class
from bughunt.mutator import mutants_of


def mutate(bug_id: str, source: str):
    """The mutants of class ``bug_id`` in ``source`` (dedented), in the engine's order."""
    return mutants_of(textwrap.dedent(source), bug_id, get_class(bug_id).mutate)


def changed_lines(source: str, mutant) -> list[str]:
    """The mutant's lines that are not in the source, stripped."""
    before = set(textwrap.dedent(source).splitlines())
    return [line.strip() for line in mutant.source.splitlines() if line not in before]


def removed_lines(source: str, mutant) -> list[str]:
    """The source's lines that are not in the mutant, stripped."""
    after = set(mutant.source.splitlines())
    return [line.strip() for line in textwrap.dedent(source).splitlines() if line not in after]


def forms(bug_id: str, source: str) -> list[tuple[str, list[str]]]:
    """(form, changed lines) for every mutant of ``bug_id`` in ``source``."""
    return [(m.form, changed_lines(source, m)) for m in mutate(bug_id, source)]


def body(mutant, function: str = "") -> list[str]:
    """The mutant's lines from ``def <function>`` on, stripped, without blank lines."""
    lines = mutant.source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {function}")) if function else 0
    return [line.strip() for line in lines[start:] if line.strip()]


def obs(**fields) -> dict:
    """A hand-made observation, as the runner records one, with ``fields`` set."""
    base = {"error": None, "result": None, "steps": [], "modes": [], "targets": [], "params": {}}
    return {**base, **fields}


def verdict(bughunt, path) -> tuple[int, str]:
    """``bughunt verify --json`` on one exercise: its exit code and its one message."""
    result = bughunt("verify", path, "--json")
    [entry] = json.loads(result.output)
    return result.exit_code, entry["message"]


def assert_another_fix_passes(bughunt, tmp_path, program, bug, form, edits, failing_prefix="") -> None:
    """The exercise of ``program`` with ``bug`` in ``form`` fails verify (with a message that starts
    with ``failing_prefix``) and passes once ``edits`` (old, new) fix it another way than the undo."""
    from conftest import edit, make_exercise  # tests/conftest.py: tests/ is on sys.path (rootdir import)

    path = make_exercise(tmp_path, program, bug, form)
    code, message = verdict(bughunt, path)
    assert code == 1 and message.startswith(failing_prefix)
    for old, new in edits:
        edit(path, old, new)
    assert verdict(bughunt, path) == (0, "")


# --- sample programs more than one class is tested on ----------------------------------------

# A plain epoch/batch loop (float-labels, target-shape, missing-zero-grad, scheduler-per-batch).
LOOP = """
import torch
import torch.nn as nn

def train(model, loader, optimizer, scheduler, epochs):
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        scheduler.step()
"""

# A regression loop: its targets are floats by design, and idx names no labels (a near miss of
# float-labels and target-shape).
REGRESSION_LOOP = """
import torch
import torch.nn as nn

def train(model, loader):
    criterion = nn.MSELoss()
    for x, y in loader:
        loss = criterion(model(x), y)
        idx = torch.randint(0, 3, (4,))
"""

# The same loop that totals its losses into a returned history (step-before-backward,
# loss-accumulated-as-tensor, and a plain loop that is no accumulation).
HISTORY_LOOP = """
import torch
import torch.nn as nn

def train(model, loader, criterion, optimizer, scheduler, epochs):
    history = []
    for epoch in range(epochs):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        scheduler.step()
        history.append(total)
    return history

def main(seed=0):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return {"history": train(model, loader, nn.CrossEntropyLoss(), optimizer, scheduler, 2)}
"""

# Gradient accumulation with clipping (step-, clip-before-backward and the accumulation classes).
ACCUMULATION = """
import torch.nn as nn

def train(model, loader, criterion, optimizer, accum_steps):
    norms = []
    for i, (x, y) in enumerate(loader):
        if i % accum_steps == 0:
            optimizer.zero_grad()  # a new group
        loss = criterion(model(x), y)
        loss = loss / accum_steps  # mean over the group
        loss.backward()
        if (i + 1) % accum_steps == 0:
            norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
            optimizer.step()
            norms.append(norm.item())
    return norms
"""

# Two-stage finetuning: freeze, fit, unfreeze, fit (the finetuning classes).
TWO_STAGE = """
import torch
import torch.nn as nn

class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.head = nn.Linear(16, 2)

def main():
    model = Classifier()

    # Stage 1: freeze the backbone.
    for param in model.backbone.parameters():
        param.requires_grad = False
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    fit(model, optimizer)

    # Stage 2: finetune everything.
    for param in model.backbone.parameters():
        param.requires_grad = True
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    fit(model, optimizer)
"""

# A top-level script that clips between backward() and step() (step- and clip-before-backward).
SCRIPT = """
import torch
optimizer = torch.optim.SGD(params, lr=0.1)
optimizer.zero_grad()
loss.backward()
torch.nn.utils.clip_grad_norm_(params, 0.1)
optimizer.step()
"""

# A validation pass under no_grad whose accuracy main returns (validation-without-no-grad, argmax-wrong-dim).
VALIDATE = """
import torch

def validate(model, loader):
    model.eval()
    correct = 0
    # measure only
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
    return correct

def main():
    return {"acc": validate(model, loader)}
"""

# Early stopping on a validation loss (save-best-inverted, early-stopping-patience-never-reset).
EARLY_STOPPING = """
def fit(losses, patience):
    best_loss, bad_epochs = float("inf"), 0
    for epoch, val_loss in enumerate(losses):
        if val_loss < best_loss - 0.01:
            best_loss = val_loss
            bad_epochs = 0  # start over
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    return epoch
"""

# A linear noise schedule and q_sample (noise-schedule-wrong-index, q-sample-missing-sqrt).
SCHEDULE = """
import torch

def linear_schedule(num_steps):
    betas = torch.linspace(1e-3, 0.2, num_steps)
    alphas = 1.0 - betas
    alphas_cumprod = torch.cumprod(alphas, dim=0)
    return betas, alphas, alphas_cumprod

def q_sample(x0, t, noise, alphas_cumprod):
    abar = alphas_cumprod[t].unsqueeze(1)
    return abar.sqrt() * x0 + (1.0 - abar).sqrt() * noise
"""

# A custom autograd Function whose output is changed in place (the custom-backward classes).
LEAKY = """
import torch

class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return torch.where(x >= 0, x, x * slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return torch.where(x >= 0, grad_output, grad_output * ctx.slope), None

class Block(torch.nn.Module):
    def forward(self, h):
        out = LeakyReLU.apply(self.fc(h), 0.1)
        out += h
        return out

def not_a_function(x, g):
    return torch.where(x >= 0, g, g * 0.1)
"""


def sites_in(program_id: str, bug_id: str) -> int:
    """How many mutants of class ``bug_id`` the clean program ``program_id`` has."""
    from bughunt.clean_programs import get_program
    from bughunt.exercise import mutants

    return sum(m.bug == bug_id for m in mutants(get_program(program_id)))


# A mixed-precision step through a GradScaler passed in as a parameter (the amp- classes), and
# the same calls on an object that is no scaler.
AMP = """
import torch
import torch.nn as nn

def train(model, loader, optimizer, scaler):
    for x, y in loader:
        optimizer.zero_grad()
        with torch.autocast("cuda"):
            loss = model(x).sum()
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)  # before clipping
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
"""

NOT_A_SCALER = AMP.replace("scaler", "grads")
