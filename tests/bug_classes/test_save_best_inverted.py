"""save-best-inverted: the "is this the best so far" comparison turned around."""

from __future__ import annotations

from .helpers import EARLY_STOPPING, changed_lines, forms, mutate


def test_comparison_flipped_or_swapped():
    assert forms("save-best-inverted", EARLY_STOPPING) == [
        ("comparison flipped", ["if val_loss > best_loss - 0.01:"]),
        ("operands swapped", ["if best_loss - 0.01 < val_loss:"])]
    source = """
    def f(acc, best_acc):
        if acc > best_acc:
            print(acc)
        if self.best >= score:
            self.best = score
    """
    assert [changed_lines(source, m) for m in mutate("save-best-inverted", source)] == [
        ["if self.best <= score:"], ["if score >= self.best:"]]  # the first if records nothing


def test_no_site_where_the_if_records_nothing():
    assert mutate("save-best-inverted", "def f(acc, best_acc):\n    if acc > best_acc:\n        print(acc)\n") == []
