"""Camouflage: seeded, meaning-preserving rewrites; the fingerprint that tells exercises apart."""

from __future__ import annotations

import textwrap

from bughunt.camouflage import camouflage, normalised

SOURCE = textwrap.dedent('''
    import torch
    import torch.nn.functional as F

    def helper(x):
        return x

    def train(model, loader, optimizer, device):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            logits = model(x)
            h = torch.relu(logits)
            total += h.size(0) + logits.shape[1] + model.total
        return {"total": total}

    def main(batch_size=8, seed=0):
        optimizer = torch.optim.SGD([], lr=0.1, momentum=0.9)
        return train(None, [], optimizer, "cpu")
''')


def test_same_seed_same_text_and_seeds_differ():
    assert camouflage(SOURCE, 3) == camouflage(SOURCE, 3)
    assert len({camouflage(SOURCE, seed) for seed in range(20)}) > 10


def test_vocabulary_parameters_attributes_and_keys_stay():
    for seed in range(30):
        text = camouflage(SOURCE, seed, {"batch_size": range(1, 17)})
        assert "def train(model, loader, optimizer, device):" in text
        assert "model.total" in text and '{"total": ' in text and "def main(" in text
        assert "optimizer.zero_grad(" in text
        compile(text, "camouflaged", "exec")


def test_neutral_rewrites_keep_numbers_and_vary_changes_them():
    for seed in range(10):
        assert "lr=0.1, momentum=0.9" in camouflage(SOURCE, seed, vary=False)
    assert any("lr=0.1, momentum=0.9" not in camouflage(SOURCE, seed) for seed in range(10))


def test_main_defaults_come_from_the_parameter_ranges():
    defaults = {camouflage(SOURCE, seed, {"batch_size": range(2, 5)}).split("batch_size=")[1][0] for seed in range(30)}
    assert defaults <= {"2", "3", "4"} and len(defaults) > 1


def test_fingerprint_ignores_names_comments_and_layout_only():
    renamed = SOURCE.replace("total", "running").replace("            h = ", "            # a comment\n            h = ")
    assert normalised(renamed.replace('{"running": ', '{"total": ').replace("model.running", "model.total")) == normalised(SOURCE)
    assert normalised(SOURCE.replace("lr=0.1", "lr=0.2")) != normalised(SOURCE)
    assert normalised(SOURCE.replace("torch.relu(logits)", "F.relu(logits)")) != normalised(SOURCE)


SPELLINGS = textwrap.dedent('''
    import torch
    import torch.nn.functional as F

    def f(q, k, v, x, y, xs):
        scores = torch.matmul(q, k.transpose(-2, -1)) * 0.5
        attn = F.softmax(scores, dim=-1)
        out = torch.matmul(attn, v).transpose(1, 2)
        w = q @ k.transpose(-2, -1) / 3.0
        z = torch.log_softmax(w, -1) + w.softmax(dim=-1) - 2.0 * torch.matmul(q, k.transpose(2, 3))
        p = -torch.matmul(q, q.transpose(-1, -2)) ** 2 + (q @ k.transpose(-2, -1)).sum(dim=-1, keepdim=True)
        m = x[:, None] + x.unsqueeze(0) + y[..., None].sum(dim=1, keepdim=True).mean(0)
        c = torch.cat([x, x], dim=0).float()[:3] + torch.stack(xs, 1).sum(1).long()
        a, b = torch.cat(xs, 0).chunk(2, dim=0)
        return scores, attn, out, w, z, p, m, c, a @ b.T, torch.relu(x).size(0), x.shape[1]
''')


def _outputs(source: str):
    import torch

    namespace: dict = {}
    exec(compile(source, "spellings", "exec"), namespace)
    generator = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, 4, 5, generator=generator) for _ in range(3))
    x, y = torch.randn(3, 4, generator=generator), torch.randn(3, 4, generator=generator)
    xs = [torch.randn(3, 4, generator=generator) for _ in range(4)]
    return namespace["f"](q, k, v, x, y, xs)


def test_every_spelling_computes_exactly_what_the_original_does():
    import torch

    expected = _outputs(SPELLINGS)
    texts = {camouflage(SPELLINGS, seed, vary=False) for seed in range(60)}
    for text in texts:
        for want, got in zip(expected, _outputs(text), strict=True):
            if isinstance(want, torch.Tensor):
                assert want.dtype == got.dtype and torch.equal(want, got), text
            else:
                assert want == got, text
    spelled = "\n".join(texts)
    for form in ("(attn @ v).transpose", "q @ k.transpose", "torch.matmul(q, k.transpose", "(q @ k.transpose(2, 3))",
                 "(q @ q.transpose", "F.softmax(scores, -1)", "scores.softmax(dim=-1)", "w.log_softmax(dim=-1)",
                 "torch.softmax(w, dim=-1)", "x[None]", "x.unsqueeze(1)", "y.unsqueeze(-1)", "transpose(-1, -2)",
                 "transpose(3, 2)", ".sum(dim=1).to(torch.long)", "torch.cat([x, x], 0).to(torch.float)",
                 "torch.stack(xs, dim=1)", "chunk(2, 0)", "torch.matmul(a, b.T)", "x.relu().shape[0]"):
        assert form in spelled, form
