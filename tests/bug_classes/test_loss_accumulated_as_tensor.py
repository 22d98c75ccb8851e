"""loss-accumulated-as-tensor: a running loss total kept as a tensor, not a number."""

from __future__ import annotations

from .helpers import HISTORY_LOOP, changed_lines, forms, mutate


def test_item_dropped_or_detached_where_the_total_is_returned():
    assert forms("loss-accumulated-as-tensor", HISTORY_LOOP) == [
        (".item() dropped", ["total += loss"]), (".detach() instead of .item()", ["total += loss.detach()"])]
    source = """
    def f(model, loader, criterion):
        losses = []
        for x, y in loader:
            losses.append(criterion(model(x), y).item())
        return losses
    def main():
        return f(a, b, c)
    """
    dropped = mutate("loss-accumulated-as-tensor", source)[0]
    assert changed_lines(source, dropped) == ["losses.append(criterion(model(x), y))"]


def test_totals_nobody_observes_as_a_tensor_are_not_sites():
    printed = HISTORY_LOOP.replace("        history.append(total)", "        print(total)")
    converted = HISTORY_LOOP.replace("        history.append(total)", "        history.append(float(total))")
    accuracy = HISTORY_LOOP.replace("total += loss.item()", "total += (model(x).argmax(1) == y).sum().item()")
    for source in (printed, converted, accuracy):
        assert mutate("loss-accumulated-as-tensor", source) == [], source
