from adversarial import fake, fix

P, METHOD, FUNCTION = "models/encoder_decoder", "h.relu_()", "torch.relu_(h)"
BUGGY = "deep = self.fc2(h.relu_())"
BUGGY_FN = "deep = self.fc2(torch.relu_(h))"

CASES = [
    fake("tidies up: applies the ReLU where h is made, so the skip connection now carries relu(h) too", P, METHOD,
         ("h = self.fc1(x)\n        " + BUGGY, "h = torch.relu(self.fc1(x))\n        deep = self.fc2(h)")),
    fake("swaps relu_ for an nn.ReLU(inplace=True): the same in-place ReLU, spelled as a module", P, FUNCTION,
         (BUGGY_FN, "deep = self.fc2(nn.ReLU(inplace=True)(h))")),
    fake("an out-of-place ReLU, detached: fc1 only learns through the skip connection", P, METHOD,
         (BUGGY, "deep = self.fc2(torch.relu(h).detach())")),
    fix("the out-of-place torch.relu", P, METHOD, (BUGGY, "deep = self.fc2(torch.relu(h))")),
    fix("nn.functional.relu", P, FUNCTION, (BUGGY_FN, "deep = self.fc2(nn.functional.relu(h))")),
    fix("keeps the in-place ReLU, on a copy of h", P, METHOD, (BUGGY, "deep = self.fc2(h.clone().relu_())")),
    fix("an nn.ReLU module registered in __init__", P, FUNCTION,
        ("self.fc2 = nn.Linear(hidden, hidden)", "self.fc2 = nn.Linear(hidden, hidden)\n        self.act = nn.ReLU()"),
        (BUGGY_FN, "deep = self.fc2(self.act(h))")),
]
