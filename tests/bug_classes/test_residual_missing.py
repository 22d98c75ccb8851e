"""residual-missing: a block's skip connection dropped."""

from __future__ import annotations

import pytest

from .helpers import assert_another_fix_passes, changed_lines, mutate


def test_forms():
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


def test_ignores_additions_that_are_not_skips():
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


@pytest.mark.slow
def test_another_correct_fix_passes(bughunt, tmp_path):
    assert_another_fix_passes(bughunt, tmp_path, "architectures/resnet_block", "residual-missing",
                              "residual addition removed",
                              [("        return torch.relu(out)", "        out += self.shortcut(x)\n        return torch.relu(out)")])


def test_no_site_for_a_positional_encoding_added_to_the_input():
    # seen in a transformer: x only gives the table its length; dropping x is no skip removed
    source = ("class PositionalEncoding(nn.Module):\n    def forward(self, x):\n"
              "        x = x + self.table[:, : x.size(1)]\n        return self.dropout(x)\n")
    assert mutate("residual-missing", source) == []
    block = source.replace("self.table[:, : x.size(1)]", "self.mlp(x)")
    assert [m.form for m in mutate("residual-missing", block)] == ["skip term dropped"]
