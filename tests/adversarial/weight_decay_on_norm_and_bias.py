from adversarial import fake, fix

P, FORM = "industry/normalised_regression", "'weight_decay': 0 left out of the no-decay group"
BUGGY = '    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay}]\n'
BUILD = "    optimizer = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2)\n"

CASES = [
    fake("gives up on the groups: one group, everything decayed",
         P, FORM, (BUILD, "    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)\n")),
    fake("sets weight_decay to 0 for the optimizer: now the weight matrices are not decayed either",
         P, FORM, (BUILD, "    optimizer = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2, weight_decay=0.0)\n"),
         (BUGGY, '    return [{"params": decay}, {"params": no_decay}]\n')),
    fake("switches to Adam, whose default decay is 0, keeping the weight_decay of the first group: "
         "Adam's decay is an L2 term in the gradient, not AdamW's decoupled one",
         P, FORM, (BUILD, BUILD.replace("AdamW", "Adam"))),
    fix("AdamW's default set to 0 for the groups that do not say",
        P, FORM, (BUILD, "    optimizer = torch.optim.AdamW(param_groups(model, weight_decay=0.1), lr=1e-2, weight_decay=0.0)\n")),
    fix("three groups: weights, biases, LayerNorm parameters, the last two without decay",
        P, FORM, (BUGGY, '    biases = [p for p in no_decay if p is model[0].bias or p is model[3].bias]\n'
                         '    norms = [p for p in no_decay if all(p is not b for b in biases)]\n'
                         '    return [{"params": decay, "weight_decay": weight_decay},\n'
                         '            {"params": biases, "weight_decay": 0.0}, {"params": norms, "weight_decay": 0.0}]\n')),
    fix("the no-decay group's weight_decay written as the integer 0",
        P, FORM, (BUGGY, '    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0}]\n')),
]
