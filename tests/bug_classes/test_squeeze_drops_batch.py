"""squeeze-drops-batch: squeeze(dim) made bare, so a batch of one loses its batch dim."""

from __future__ import annotations

from .helpers import assert_another_fix_passes, forms, mutate, sites_in


def test_squeeze_with_a_dim_becomes_bare_in_two_spellings():
    source = """
    import torch
    logits = self.head(pooled).squeeze(1)
    scores = torch.squeeze(out, -1)
    single = model(x.unsqueeze(0)).squeeze(0)
    already = y.squeeze()
    """
    assert forms("squeeze-drops-batch", source) == [
        ("squeeze() without a dim", ["logits = self.head(pooled).squeeze()"]),
        ("torch.squeeze(x) without a dim", ["logits = torch.squeeze(self.head(pooled))"]),
        ("squeeze() without a dim", ["scores = out.squeeze()"]),
        ("torch.squeeze(x) without a dim", ["scores = torch.squeeze(out)"]),
    ]  # squeeze(0) removes the batch dim on purpose; a bare squeeze is not a site


def test_no_site_for_squeeze_0_or_a_bare_squeeze():
    source = "import torch\nsingle = model(x.unsqueeze(0)).squeeze(0)\nalready = y.squeeze()\n"
    assert mutate("squeeze-drops-batch", source) == []


def test_sites_in_the_clean_programs():
    assert sites_in("data/sequence_batches", "squeeze-drops-batch") == 2


def test_a_fix_other_than_the_undo_passes(bughunt, tmp_path):
    assert_another_fix_passes(bughunt, tmp_path, "data/sequence_batches", "squeeze-drops-batch",
                              "squeeze() without a dim", [("self.head(pooled).squeeze()", "self.head(pooled)[:, 0]")],
                              failing_prefix="with ")
