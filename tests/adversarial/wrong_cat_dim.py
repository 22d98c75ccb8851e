from adversarial import fake, fix

P, FORM = "models/conditioning", "dim=0"
BUGGY = "x = torch.cat([x_a, x_b], dim=0)"

CASES = [
    fake("concatenates on dim 0, then reshapes to the expected shape: rows of different samples mix",
         P, FORM, (BUGGY, "x = torch.cat([x_a, x_b], dim=0).reshape(x_a.size(0), -1)")),
    fake("concatenates on the right dim but in the wrong order: each weight meets another feature",
         P, FORM, (BUGGY, "x = torch.cat([x_b, x_a], dim=1)")),
    fix("the last dim, which is dim 1 for these 2-D inputs", P, FORM, (BUGGY, "x = torch.cat([x_a, x_b], dim=-1)")),
    fix("torch.hstack of a tuple", P, FORM, (BUGGY, "x = torch.hstack((x_a, x_b))")),
]
