from tinyclf.data import make_loader, make_table
from tinyclf.train import Config


def test_table_is_reproducible():
    first, second = make_table(10, 5, 3, seed=1), make_table(10, 5, 3, seed=1)
    assert all((a == b).all() for a, b in zip(first, second))


def test_loader_batches():
    numeric, category, target = next(iter(make_loader(40, Config(batch_size=8))))
    assert numeric.shape == (8, 5) and category.shape == (8, 3) and target.shape == (8,)
