"""missing-zero-grad: zero_grad removed from the batch loop, or hoisted out of it."""

from __future__ import annotations

from .helpers import LOOP, mutate, removed_lines


def test_removed_or_hoisted():
    removed, hoisted = mutate("missing-zero-grad", LOOP)
    assert "zero_grad" not in removed.source
    assert removed_lines(LOOP, removed) == ["optimizer.zero_grad()"]
    lines = [line.rstrip() for line in hoisted.source.splitlines()]
    assert lines.count("        optimizer.zero_grad()") == 1  # now before the batch loop
    assert lines.index("        optimizer.zero_grad()") < lines.index("        for x, y in loader:")


def test_no_site_outside_a_loop():
    outside = "import torch\noptimizer.zero_grad()\n"
    assert mutate("missing-zero-grad", outside) == []  # not in a loop: nothing accumulates


def test_not_hoisted_out_of_a_flag_or_away_from_what_the_loop_binds():
    # seen in a training script: under a flag that is off by default, the hoisted line
    # would run unconditionally and meet a name that was never bound
    flagged = ("def train(model, loader, opt, accum_opt, use_accum):\n    for x, y in loader:\n"
               "        if use_accum:\n            accum_opt.zero_grad()\n        loss = model(x, y)\n"
               "        loss.backward()\n        opt.step()\n")
    assert [m.form for m in mutate("missing-zero-grad", flagged)] == ["zero_grad() removed"]
    per_group = flagged.replace("if use_accum:", "if i % 2 == 0:").replace("for x, y in loader", "for i, (x, y) in enumerate(loader)")
    assert [m.form for m in mutate("missing-zero-grad", per_group)] == ["zero_grad() removed", "zero_grad() before the loop"]
    bound_inside = ("def train(model, loader, optimizers):\n    for i, (x, y) in enumerate(loader):\n"
                    "        opt = optimizers[i % 2]\n        opt.zero_grad()\n        model(x, y).backward()\n        opt.step()\n")
    assert [m.form for m in mutate("missing-zero-grad", bound_inside)] == ["zero_grad() removed"]
