import torch

from tinyclf.model import TabularNet


def test_logits_have_one_row_per_sample():
    net = TabularNet(n_numeric=5, n_categories=3, n_classes=2)
    logits = net(torch.randn(4, 5), torch.eye(3)[[0, 1, 2, 0]])
    assert logits.shape == (4, 2)
