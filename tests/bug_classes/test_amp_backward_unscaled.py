"""amp-backward-unscaled: backward() on the raw loss while the scaler still unscales and steps."""

from __future__ import annotations

from .helpers import AMP, NOT_A_SCALER, forms, mutate, removed_lines


def test_scale_dropped_from_backward():
    [found] = mutate("amp-backward-unscaled", AMP)
    assert (found.form, found.scope) == ("loss.backward() without scaler.scale", "train")
    assert forms("amp-backward-unscaled", AMP) == [("loss.backward() without scaler.scale", ["loss.backward()"])]
    assert removed_lines(AMP, found) == ["scaler.scale(loss).backward()"]


def test_a_scaler_bound_to_gradscaler_is_recognised():
    source = AMP.replace("def train(model, loader, optimizer, scaler):",
                         'scaler = torch.amp.GradScaler("cuda")\ndef train(model, loader, optimizer, clip):')
    assert forms("amp-backward-unscaled", source) == [("loss.backward() without scaler.scale", ["loss.backward()"])]


def test_no_site_on_an_object_that_is_no_scaler():
    assert mutate("amp-backward-unscaled", NOT_A_SCALER) == []


def test_a_scaler_kept_on_self():
    source = """
    import torch
    class Trainer:
        def __init__(self):
            self.scaler = torch.cuda.amp.GradScaler()
        def step(self, loss, optimizer):
            self.scaler.scale(loss).backward()
            self.scaler.step(optimizer)
            self.scaler.update()
    """
    assert forms("amp-backward-unscaled", source) == [("loss.backward() without scaler.scale", ["loss.backward()"])]
