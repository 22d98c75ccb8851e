"""metric-accumulated-with-graph: a training metric summed as tensors that keep their graphs."""

from __future__ import annotations

from .helpers import forms, mutate, sites_in

# A running error over the epoch, the outputs kept under their own name.
RUNNING = """
def train(model, loader, loss_fn, optimizer):
    total_abs = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        outputs = model(inputs).flatten()
        loss_fn(outputs, targets).backward()
        optimizer.step()
        total_abs += (outputs - targets).abs().mean().item()
    return total_abs

def main():
    return {"error": train(model, loader, loss_fn, optimizer)}
"""

# A per-batch confidence collected into a list, computed from a model call in place.
COLLECTED = """
import torch

def fit(net, batches, opt):
    confidences = []
    for xb, yb in batches:
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(xb), yb).backward()
        opt.step()
        confidences.append(torch.sigmoid(net(xb)).mean().item())
    return confidences

def main():
    return fit(net, batches, opt)
"""


def test_item_dropped_in_two_styles():
    assert forms("metric-accumulated-with-graph", RUNNING) == [
        (".item() dropped from the running metric", ["total_abs += (outputs - targets).abs().mean()"])]
    assert forms("metric-accumulated-with-graph", COLLECTED) == [
        (".item() dropped from the running metric", ["confidences.append(torch.sigmoid(net(xb)).mean())"])]


def test_near_misses_are_no_sites():
    # counting correct predictions: no graph to keep
    counting = RUNNING.replace("(outputs - targets).abs().mean().item()", "(outputs.round() == targets).sum().item()")
    # the running loss is another class's
    running_loss = RUNNING.replace("loss_fn(outputs, targets).backward()", "loss = loss_fn(outputs, targets)\n"
                                   "        loss.backward()").replace("(outputs - targets).abs().mean()", "loss")
    # evaluation: no backward in the loop
    evaluation = RUNNING.replace("        loss_fn(outputs, targets).backward()\n", "")
    # only printed: never reaches what main returns
    printed = COLLECTED.replace("    return confidences\n", "    print(confidences)\n")
    for source in (counting, running_loss, evaluation, printed):
        assert mutate("metric-accumulated-with-graph", source) == [], source


def test_sites_in_the_clean_programs():
    assert sites_in("training/regression_loop", "metric-accumulated-with-graph") == 1
    assert sites_in("transformers/gru_forecaster", "metric-accumulated-with-graph") == 1
    assert sites_in("training/conditional_training", "metric-accumulated-with-graph") == 0  # counts, no graph
