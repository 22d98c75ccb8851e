"""flatten-merges-batch: a flatten or view that folds the batch dim in with the features."""

from __future__ import annotations

import pytest

from .helpers import assert_another_fix_passes, forms, mutate


def test_forms():
    source = """
    import torch
    import torch.nn as nn
    a = x.flatten(1)
    b = torch.flatten(self.pool(x), start_dim=1)
    c = x.view(x.size(0), -1)
    d = feats.reshape(len(feats), -1)
    e = nn.Flatten()
    f = x.flatten(1, 2)
    g = x.view(y.size(0), -1)
    h = x.flatten(0)
    """
    assert forms("flatten-merges-batch", source) == [
        ("flatten() without start_dim", ["a = x.flatten()"]),
        ("reshape(-1)", ["a = x.reshape(-1)"]),
        ("flatten() without start_dim", ["b = torch.flatten(self.pool(x))"]),
        ("reshape(-1)", ["b = self.pool(x).reshape(-1)"]),
        ("view(-1)", ["c = x.view(-1)"]),
        ("flatten()", ["c = x.flatten()"]),
        ("reshape(-1)", ["d = feats.reshape(-1)"]),
        ("flatten()", ["d = feats.flatten()"]),
        ("nn.Flatten(0)", ["e = nn.Flatten(0)"]),
    ]


def test_no_site_for_inner_flattens_other_batches_or_a_full_flatten():
    source = "import torch\nf = x.flatten(1, 2)\ng = x.view(y.size(0), -1)\nh = x.flatten(0)\n"
    assert mutate("flatten-merges-batch", source) == []


@pytest.mark.slow
def test_another_correct_fix_passes(bughunt, tmp_path):
    assert_another_fix_passes(bughunt, tmp_path, "architectures/small_cnn", "flatten-merges-batch", "flatten()",
                              [("flat = features.flatten()", "flat = torch.flatten(features, start_dim=1)")])
