from adversarial import fake, fix

P, REMOVED, ON_MODULE = "cumulative/two_stage", "freeze removed", "requires_grad = False set on the module"
MODULE_FLAG = "    model.backbone.requires_grad = False\n"
OPTIMIZER = "    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)\n"
FORWARD = "        return self.head(self.backbone(x))\n"

CASES = [
    fake("freezes the backbone's Linear but not its BatchNorm affine parameters", P, ON_MODULE,
         (MODULE_FLAG, "    model.backbone.fc.requires_grad_(False)\n")),
    fake("freezes only the Linear's weight: its bias and the BatchNorm still train", P, ON_MODULE,
         (MODULE_FLAG, "    model.backbone.fc.weight.requires_grad = False\n")),
    fake("runs the backbone under no_grad in forward(): frozen in stage 1, and still frozen in stage 2",
         P, REMOVED, (FORWARD, "        with torch.no_grad():\n            features = self.backbone(x)\n"
                               "        return self.head(features)\n")),
    fix("Module.requires_grad_(False), the method that reaches every parameter", P, ON_MODULE,
        (MODULE_FLAG, "    model.backbone.requires_grad_(False)\n")),
    fix("freezes by parameter name", P, REMOVED,
        (OPTIMIZER, "    for name, param in model.named_parameters():\n"
                    "        if name.startswith(\"backbone.\"):\n"
                    "            param.requires_grad_(False)\n" + OPTIMIZER)),
    fix("gives the stage-1 optimizer only the head's parameters: the backbone gets gradients but is never "
        "stepped, and stage 2's zero_grad clears them", P, REMOVED,
        (OPTIMIZER, "    optimizer = torch.optim.Adam(model.head.parameters(), lr=1e-2)\n")),
]
