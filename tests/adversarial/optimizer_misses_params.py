from adversarial import fake, fix

P, FORM = "cumulative/two_stage", "the head's parameters only"
BUGGY = "    optimizer = torch.optim.Adam(model.head.parameters(), lr=1e-3)  # build it\n"

CASES = [
    fake("swaps the head for the backbone: now the head stops learning in stage 2",
         P, FORM, (BUGGY, "    optimizer = torch.optim.Adam(model.backbone.parameters(), lr=1e-3)\n")),
    fake("adds the backbone's Linear layer but forgets its BatchNorm's weight and bias",
         P, FORM, (BUGGY, "    optimizer = torch.optim.Adam([*model.head.parameters(), *model.backbone.fc.parameters()], lr=1e-3)\n")),
    fake("every parameter, but with stage 1's learning rate",
         P, FORM, (BUGGY, "    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)\n")),
    fix("two parameter groups with the same learning rate",
        P, FORM, (BUGGY, "    optimizer = torch.optim.Adam([{\"params\": model.backbone.parameters()},\n"
                         "                                  {\"params\": model.head.parameters()}], lr=1e-3)\n")),
    fix("the head's and the backbone's parameters in one list, head first",
        P, FORM, (BUGGY, "    optimizer = torch.optim.Adam(list(model.head.parameters()) + list(model.backbone.parameters()), lr=1e-3)\n")),
    fix("the trainable parameters, filtered after the unfreeze: that is all of them",
        P, FORM, (BUGGY, "    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)\n")),
]
