"""Strong tests for the loop; nothing checks the learning-rate schedule."""
import torch

from tinyclf.data import make_loader
from tinyclf.model import build_model
from tinyclf.run import fit
from tinyclf.train import Config, evaluate, pick_device, run_epoch


def test_loss_goes_down():
    _, history = fit(Config(epochs=3))
    assert history[-1]["loss"] < history[0]["loss"]
    assert history[-1]["acc"] > 0.7


def test_evaluation_is_deterministic():
    config = Config()
    net = build_model(config)
    batches = make_loader(64, config, shuffle=False)
    device = torch.device("cpu")
    assert evaluate(net, batches, device) == evaluate(net, batches, device)
    assert not net.training


def test_training_changes_every_parameter():
    config = Config()
    torch.manual_seed(0)
    net = build_model(config)
    before = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    run_epoch(net, make_loader(32, config), torch.nn.CrossEntropyLoss(), opt, torch.device("cpu"))
    assert all(not torch.equal(b, p) for b, p in zip(before, net.parameters()))


def test_fit_runs_on_the_available_device():
    net, _ = fit(Config(epochs=1))
    assert next(net.parameters()).device.type == pick_device().type


def test_predict_gives_one_class_per_row():
    config = Config()
    net = build_model(config)
    from tinyclf.train import predict
    numeric, category, _ = next(iter(make_loader(8, config)))
    assert predict(net, numeric, category, torch.device("cpu")).shape == (8,)
