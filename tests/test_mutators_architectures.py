"""Mutators of the diffusion, transformer and architecture classes: every form, and only real sites."""

from __future__ import annotations

import json
import textwrap

import pytest
from conftest import edit, make_exercise

from bughunt.bug_catalog import get_class
from bughunt.bug_catalog.softmax_wrong_dim import wrong_dims
from bughunt.clean_programs import get_program
from bughunt.exercise import mutants
from bughunt.mutator import mutants_of


def mutate(bug_id: str, source: str):
    return mutants_of(textwrap.dedent(source), bug_id, get_class(bug_id).mutate)


def changed_lines(source: str, mutant) -> list[str]:
    before = set(textwrap.dedent(source).splitlines())
    return [line.strip() for line in mutant.source.splitlines() if line not in before]


def forms(bug_id: str, source: str) -> list[tuple[str, list[str]]]:
    return [(m.form, changed_lines(source, m)) for m in mutate(bug_id, source)]


# --- diffusion --------------------------------------------------------------------------

SCHEDULE = """
import torch

def linear_schedule(num_steps):
    betas = torch.linspace(1e-3, 0.2, num_steps)
    alphas = 1.0 - betas
    alphas_cumprod = torch.cumprod(alphas, dim=0)
    return betas, alphas, alphas_cumprod

def q_sample(x0, t, noise, alphas_cumprod):
    abar = alphas_cumprod[t].unsqueeze(1)
    return abar.sqrt() * x0 + (1.0 - abar).sqrt() * noise
"""


def test_schedule_index_shifted_both_ways_and_cumprod_forms():
    assert forms("noise-schedule-wrong-index", SCHEDULE) == [
        ("index t - 1", ["abar = alphas_cumprod[t - 1].unsqueeze(1)"]),
        ("index t + 1", ["abar = alphas_cumprod[t + 1].unsqueeze(1)"]),
        ("cumsum instead of cumprod", ["alphas_cumprod = torch.cumsum(alphas, dim=0)"]),
        ("cumprod of betas", ["alphas_cumprod = torch.cumprod(betas, dim=0)"]),
    ]


def test_schedule_index_needs_a_schedule_and_a_variable_step():
    source = """
    import torch
    a = features[t]
    b = alphas_cumprod[0]
    c = betas[:t]
    d = self.alphas.cumprod(0)
    """
    assert forms("noise-schedule-wrong-index", source) == [("cumsum instead of cumprod", ["d = self.alphas.cumsum(0)"])]


def test_missing_sqrt_forms_keep_precedence():
    found = forms("q-sample-missing-sqrt", SCHEDULE)
    assert found == [
        ("square root dropped", ["return abar * x0 + (1.0 - abar).sqrt() * noise"]),
        ("square root dropped", ["return abar.sqrt() * x0 + (1.0 - abar) * noise"]),
        ("1 - sqrt(x) instead of sqrt(1 - x)", ["return abar.sqrt() * x0 + (1.0 - abar.sqrt()) * noise"]),
    ]
    functional = "import torch\nx = torch.sqrt(1 - alphas_cumprod[t]) * eps + betas[t] ** 0.5 * z\n"
    assert forms("q-sample-missing-sqrt", functional) == [
        ("square root dropped", ["x = (1 - alphas_cumprod[t]) * eps + betas[t] ** 0.5 * z"]),
        ("1 - sqrt(x) instead of sqrt(1 - x)", ["x = (1 - torch.sqrt(alphas_cumprod[t])) * eps + betas[t] ** 0.5 * z"]),
        ("square root dropped", ["x = torch.sqrt(1 - alphas_cumprod[t]) * eps + betas[t] * z"]),
    ]


def test_missing_sqrt_ignores_roots_of_other_things():
    source = "import math\nscale = math.sqrt(d_k)\nstd = var.sqrt()\nnorm = grad ** 0.5\n"
    assert mutate("q-sample-missing-sqrt", source) == []


FLOW = """
def loss(model, x1, criterion):
    x0 = torch.randn_like(x1)
    t = torch.rand(x1.size(0), 1)
    x_t = (1 - t) * x0 + t * x1
    target = x1 - x0
    return criterion(model(x_t, t), target)
"""


def test_flow_target_reversed_forms():
    assert forms("flow-target-reversed", FLOW) == [
        ("interpolation weights swapped", ["x_t = (1 - t) * x1 + t * x0"]),
        ("target x0 - x1", ["target = x0 - x1"]),
    ]


def test_flow_interpolation_in_other_orders():
    source = FLOW.replace("(1 - t) * x0 + t * x1", "x1 * t + x0 * (1.0 - t)").replace(
        "target = x1 - x0", "pass").replace("model(x_t, t), target", "model(x_t, t), x1 - x0")
    assert forms("flow-target-reversed", source) == [
        ("interpolation weights swapped", ["x_t = x0 * t + x1 * (1.0 - t)"]),
        ("target x0 - x1", ["return criterion(model(x_t, t), x0 - x1)"]),
    ]
    ema = "def update(avg, new, decay):\n    return decay * avg + (1 - decay) * new\n"
    assert [m.form for m in mutate("flow-target-reversed", ema)] == ["interpolation weights swapped"]
    unrelated = "def f(a, b, t):\n    return (1 - t) * a + s * b\n"
    assert mutate("flow-target-reversed", unrelated) == []


# --- transformers -----------------------------------------------------------------------

def test_attention_scale_forms_for_division_and_multiplication():
    source = """
    import math
    import torch
    def attention(q, k, v):
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        return scores
    def attention2(self, q, k):
        return torch.matmul(q, k.mT) * self.scale
    def attention3(query, key, d):
        logits = query @ key.transpose(-2, -1)
        logits = logits / d ** 0.5
        return logits
    """
    assert forms("attention-missing-scale", source) == [
        ("scale dropped", ["scores = q @ k.transpose(-2, -1)"]),
        ("divided by d_k, not sqrt(d_k)", ["scores = q @ k.transpose(-2, -1) / q.size(-1)"]),
        ("scale dropped", ["return torch.matmul(q, k.mT)"]),
        ("divided by the scale instead of multiplied", ["return torch.matmul(q, k.mT) / self.scale"]),
        ("scale dropped", []),
        ("divided by d_k, not sqrt(d_k)", ["logits = logits / d"]),
    ]
    assert "logits = logits" not in mutate("attention-missing-scale", source)[4].source


def test_attention_scale_only_on_scores_against_transposed_keys():
    source = """
    y = x @ w / 2
    z = (a @ b.T) * mask
    mean = total / count
    """
    assert mutate("attention-missing-scale", source) == []


@pytest.mark.parametrize("dim, wrong", [(-1, [-2]), (-2, [-1]), (0, [1]), (1, [0]), (2, [0, 1]), (-3, [-1, -2])])
def test_softmax_wrong_dims_never_alias_the_right_one(dim, wrong):
    assert wrong_dims(dim) == wrong
    for rank in range(1, 6):
        if -rank <= dim < rank:  # where the reference runs, each wrong dim is another axis or an error
            assert all(not (-rank <= w < rank) or w % rank != dim % rank for w in wrong)


def test_softmax_wrong_dim_every_spelling():
    source = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    a = torch.softmax(scores, dim=-1)
    b = F.softmax(logits, 1)
    c = scores.softmax(-1)
    d = nn.Softmax(dim=1)
    e = F.log_softmax(logits, dim=1)
    f = F.softmax(logits, dim=d)
    g = nn.Softmax()
    """
    assert [lines for _, lines in forms("softmax-wrong-dim", source)] == [
        ["a = torch.softmax(scores, dim=-2)"],
        ["b = F.softmax(logits, 0)"],
        ["c = scores.softmax(-2)"],
        ["d = nn.Softmax(dim=0)"],
        ["e = F.log_softmax(logits, dim=0)"],
    ]


def test_mask_inverted_where_masks_are_used_and_made():
    source = """
    import torch
    import torch.nn.functional as F
    def attend(scores, tokens, mask, lengths, q, k, v, mha, x):
        pad_mask = tokens == 0
        causal_mask = torch.tril(torch.ones(4, 4, dtype=torch.bool))
        keep = ~pad_mask
        a = scores.masked_fill(~mask, float("-inf"))
        b = scores.masked_fill(pad_mask[:, None, :], float("-inf"))
        c = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
        d = mha(x, x, x, key_padding_mask=pad_mask, attn_mask=lengths)
    """
    assert forms("mask-inverted", source) == [
        ("masked_fill mask inverted", ["a = scores.masked_fill(mask, float(\"-inf\"))"]),
        ("masked_fill mask inverted", ["b = scores.masked_fill(~pad_mask[:, None, :], float(\"-inf\"))"]),
        ("attn_mask inverted", ["c = F.scaled_dot_product_attention(q, k, v, attn_mask=~keep)"]),
        ("key_padding_mask inverted", ["d = mha(x, x, x, key_padding_mask=~pad_mask, attn_mask=lengths)"]),
        ("mask built with the opposite comparison", ["pad_mask = tokens != 0"]),
        ("causal mask from torch.triu", ["causal_mask = torch.triu(torch.ones(4, 4, dtype=torch.bool))"]),
    ]  # attn_mask=lengths is not known to be boolean (a float mask cannot be inverted with ~)


def test_heads_split_and_merge_forms():
    source = """
    def split(self, x, n, length):
        return x.view(n, length, self.heads, self.d_k).transpose(1, 2)
    def merge(out, n, length, d_model):
        a = out.transpose(1, 2).contiguous().view(n, length, d_model)
        b = out.permute(0, 2, 1, 3).reshape(n, length, d_model)
        return a, b
    """
    assert forms("heads-merged-without-transpose", source) == [
        ("split without transpose", ["return x.view(n, length, self.heads, self.d_k)"]),
        ("split by viewing to (N, heads, L, d_k)", ["return x.view(n, self.heads, length, self.d_k)"]),
        ("merge without transpose", ["a = out.contiguous().view(n, length, d_model)"]),
        ("merge without transpose", ["b = out.reshape(n, length, d_model)"]),
    ]


def test_heads_mutator_ignores_other_transposes():
    source = """
    a = x.view(n, c, length).transpose(1, 2)
    b = x.transpose(1, 2).reshape(n, -1)
    c = x.view(n, length, h, d).transpose(2, 3)
    """
    assert mutate("heads-merged-without-transpose", source) == []


# --- architectures ----------------------------------------------------------------------

def test_residual_missing_forms():
    source = """
    class Block(nn.Module):
        def forward(self, x):
            identity = x
            out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            out += identity
            return torch.relu(out)
    class Proj(nn.Module):
        def forward(self, x):
            out = self.conv(x)
            out = out + self.shortcut(x)
            return out
    class Encoder(nn.Module):
        def forward(self, x, mask):
            x = self.norm1(x + self.attn(x, mask))
            x += self.ff(x)
            return torch.relu(self.fc(x) + x)
    """
    found = [(m.scope, m.form, changed_lines(source, m)) for m in mutate("residual-missing", source)]
    assert found == [
        ("Block.forward", "residual addition removed", []),
        ("Proj.forward", "residual addition removed", []),
        ("Encoder.forward", "skip term dropped", ["x = self.ff(x)"]),
        ("Encoder.forward", "skip term dropped", ["x = self.norm1(self.attn(x, mask))"]),
        ("Encoder.forward", "skip term dropped", ["return torch.relu(self.fc(x))"]),
    ]
    assert "out += identity" not in mutate("residual-missing", source)[0].source


def test_residual_missing_ignores_additions_that_are_not_skips():
    source = """
    class Film(nn.Module):
        def forward(self, x, cond):
            t_emb = self.time_mlp(cond)
            h = x + t_emb
            out = self.gamma(cond) * self.fc(x) + self.beta(cond)
            n, length, d = x.shape
            return h + self.pos[:length], out
    def train(total, loss):
        return total + loss.item()
    """
    assert mutate("residual-missing", source) == []


def test_shortcut_without_projection_forms():
    source = """
    import torch.nn as nn
    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.shortcut = nn.Identity()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride), nn.BatchNorm2d(cout))
        def forward(self, x):
            return torch.relu(self.body(x) + self.shortcut(x))
    class Plain(nn.Module):
        def __init__(self):
            super().__init__()
            self.shortcut = nn.Identity()
        def forward(self, x):
            return self.body(x) + self.shortcut(x)
    """
    assert forms("shortcut-without-projection", source) == [
        ("projection replaced by the identity", ["self.shortcut = nn.Identity()"]),
        ("self.shortcut(...) skipped", ["return torch.relu(self.body(x) + x)"]),
    ]  # Plain's shortcut is always the identity: no site


def test_shortcut_without_projection_uses_none_when_the_class_does():
    source = """
    class Block(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.downsample = None
            if cin != cout:
                self.downsample = nn.Conv2d(cin, cout, 1)
    """
    assert forms("shortcut-without-projection", source) == [
        ("projection replaced by the identity", ["self.downsample = None"])]


def test_flatten_merges_batch_forms():
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


# --- the clean programs carry the sites these classes are for -----------------------------

CLASSES = ("noise-schedule-wrong-index", "q-sample-missing-sqrt", "flow-target-reversed", "attention-missing-scale",
           "softmax-wrong-dim", "mask-inverted", "heads-merged-without-transpose", "residual-missing",
           "shortcut-without-projection", "flatten-merges-batch")


@pytest.mark.parametrize("bug_id", CLASSES)
def test_classes_are_documented_and_not_canonical(bug_id):
    bug = get_class(bug_id)
    assert not bug.canonical and len(bug.hints) == 2
    assert all(text.strip() for text in (bug.title, bug.symptom, bug.why, bug.fix, bug.guide))


@pytest.mark.parametrize("program, bugs", [
    ("diffusion/ddpm", {"noise-schedule-wrong-index", "q-sample-missing-sqrt"}),
    ("diffusion/flow_matching", {"flow-target-reversed"}),
    ("transformers/attention", {"attention-missing-scale", "softmax-wrong-dim", "mask-inverted",
                                "heads-merged-without-transpose"}),
    ("transformers/encoder_block", {"attention-missing-scale", "softmax-wrong-dim", "mask-inverted",
                                    "heads-merged-without-transpose", "residual-missing"}),
    ("architectures/resnet_block", {"residual-missing", "shortcut-without-projection", "flatten-merges-batch"}),
    ("architectures/small_cnn", {"flatten-merges-batch", "softmax-wrong-dim"}),
])
def test_programs_carry_their_topic_classes(program, bugs):
    assert bugs <= {m.bug for m in mutants(get_program(program))}


# --- any correct fix passes, not only the undone mutation (slow: they run verify) -----------

@pytest.mark.slow
@pytest.mark.parametrize("program, bug, form, old, new", [
    ("transformers/encoder_block", "attention-missing-scale", "scale dropped",
     "scores = torch.matmul(q, k.transpose(-2, -1))",
     "scores = torch.matmul(q, k.transpose(-2, -1)) / (d_model // self.num_heads) ** 0.5"),
    ("transformers/attention", "heads-merged-without-transpose", "merge without transpose",
     "out = out.contiguous().view(n, length, d_model)", "out = out.permute(0, 2, 1, 3).reshape(n, length, -1)"),
    ("diffusion/ddpm", "q-sample-missing-sqrt", "1 - sqrt(x) instead of sqrt(1 - x)",
     "(1.0 - abar.sqrt())", "torch.sqrt(1 - abar)"),
    ("architectures/resnet_block", "residual-missing", "residual addition removed",
     "        return torch.relu(out)", "        out += self.shortcut(x)\n        return torch.relu(out)"),
    ("architectures/small_cnn", "flatten-merges-batch", "flatten()",
     "flat = features.flatten()", "flat = torch.flatten(features, start_dim=1)"),
])
def test_other_correct_fixes_pass(bughunt, tmp_path, program, bug, form, old, new):
    path = make_exercise(tmp_path, program, bug, form)
    assert bughunt("verify", path).exit_code == 1
    edit(path, old, new)
    result = bughunt("verify", path, "--json")
    assert (result.exit_code, json.loads(result.output)[0]["message"]) == (0, "")
