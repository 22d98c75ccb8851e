"""argmax-wrong-dim: predictions taken over the batch, or over everything flattened."""

from __future__ import annotations

from .helpers import VALIDATE, changed_lines, forms, mutate


def test_over_the_batch_or_flattened():
    assert forms("argmax-wrong-dim", VALIDATE) == [
        ("argmax(dim=0)", ["correct += (model(x).argmax(dim=0) == y).sum().item()"]),
        ("argmax() without dim", ["correct += (model(x).argmax() == y).sum().item()"])]
    functional = VALIDATE.replace("model(x).argmax(dim=1)", "torch.argmax(model(x), 1)")
    assert [changed_lines(functional, m) for m in mutate("argmax-wrong-dim", functional)] == [
        ["correct += (torch.argmax(model(x), 0) == y).sum().item()"],
        ["correct += (torch.argmax(model(x)) == y).sum().item()"]]


def test_in_a_returned_expression():
    source = """
    def accuracy(logits, y):
        return (logits.argmax(-1) == y).float().mean().item()
    def main():
        return {"acc": accuracy(a, b)}
    """
    assert [changed_lines(source, m) for m in mutate("argmax-wrong-dim", source)] == [
        ["return (logits.argmax(0) == y).float().mean().item()"], ["return (logits.argmax() == y).float().mean().item()"]]


def test_nobody_observes_it_or_over_dim_0_is_not_a_site():
    unobserved = VALIDATE.replace('return {"acc": validate(model, loader)}', "validate(model, loader)\n    return {}")
    batch_dim = VALIDATE.replace("argmax(dim=1)", "argmax(dim=0)")
    assert mutate("argmax-wrong-dim", unobserved) == [] and mutate("argmax-wrong-dim", batch_dim) == []
