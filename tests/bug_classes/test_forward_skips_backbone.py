"""forward-skips-backbone: forward() feeds the input straight to the head."""

from __future__ import annotations

from .helpers import changed_lines, mutate


def test_nested_and_two_statement_forms():
    source = """
    class A(nn.Module):
        def forward(self, x):
            return self.head(self.backbone(x))
    class B(nn.Module):
        def forward(self, x):
            z = self.encoder(x)
            return self.decoder(z)
    class C(nn.Module):
        def helper(self, x):
            return self.head(self.backbone(x))
    """
    found = [(m.scope, changed_lines(source, m)) for m in mutate("forward-skips-backbone", source)]
    assert found == [("A.forward", ["return self.head(x)"]), ("B.forward", ["return self.decoder(x)"])]


def test_no_site_outside_forward_or_with_one_call():
    source = """
    class C(nn.Module):
        def helper(self, x):
            return self.head(self.backbone(x))
        def forward(self, x):
            return self.head(x)
    """
    assert mutate("forward-skips-backbone", source) == []


REASSIGNED = """
class GPTBlock(nn.Module):
    def forward(self, idx):
        tok = self.wte(idx)
        idx = self.pos(idx)
        return self.head(tok)
"""


def test_no_skip_to_a_variable_bound_again_before_the_use():
    # seen on a GPT model: `idx` is rebound before the head reads `tok`, so self.head(idx)
    # would feed it something else than the input the skipped layer took
    assert [m.form for m in mutate("forward-skips-backbone", REASSIGNED)] == []
    intact = REASSIGNED.replace("        idx = self.pos(idx)\n", "")
    assert [m.form for m in mutate("forward-skips-backbone", intact)] == ["skips self.wte"]
    # `tok` itself rebound: the head still skips the embedding (and what came after it)
    tok_rebound = REASSIGNED.replace("idx = self.pos(idx)", "tok = self.norm(tok)")
    assert [(m.line, m.form) for m in mutate("forward-skips-backbone", tok_rebound)] == [(5, "skips self.wte"), (6, "skips self.wte")]
