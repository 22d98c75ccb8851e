from adversarial import fake, fix

P, FORM = "cumulative/two_stage", "unfreeze removed"
OPT2 = "    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)  # a fresh optimizer for the new stage\n"

CASES = [
    fake("sets requires_grad on the module object: a plain attribute, the parameters stay frozen",
         P, FORM, (OPT2, "    model.backbone.requires_grad = True\n" + OPT2)),
    fake("unfreezes only the Linear weight: its bias and the BatchNorm's affine parameters stay frozen",
         P, FORM, (OPT2, "    model.backbone.fc.weight.requires_grad = True\n" + OPT2)),
    fake("unfreezes the BatchNorm but not the Linear layer of the backbone",
         P, FORM, (OPT2, "    for param in model.backbone.bn.parameters():\n        param.requires_grad = True\n" + OPT2)),
    fix("model.backbone.requires_grad_(True)", P, FORM, (OPT2, "    model.backbone.requires_grad_(True)\n" + OPT2)),
    fix("model.requires_grad_() on the whole model: the head already required gradients",
        P, FORM, (OPT2, "    model.requires_grad_()\n" + OPT2)),
    fix("unfreezes after building the optimizer, which already holds every parameter",
        P, FORM, (OPT2, OPT2 + "    for p in model.backbone.parameters():\n        p.requires_grad_(True)\n")),
]
