from adversarial import fake, fix

P, FORM = "models/residual_mlp", "plain list instead of nn.ModuleList"
BUGGY = "        self.blocks = [ResidualBlock(dim, 2 * dim) for _ in range(depth)]\n"
MODEL = "    model = ResidualMLP(4, 16, depth, num_classes=3).to(device)\n"
OPT = "    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)\n"

CASES = [
    fake("keeps the plain list and moves the blocks to the device by hand: the device error goes away, "
         "but the optimizer never sees the blocks",
         P, FORM, (MODEL, MODEL + "    for block in model.blocks:\n        block.to(device)\n")),
    fake("keeps the plain list, moves the blocks and hands their parameters to the optimizer too: it "
         "trains, but the model still does not own them (parameters(), state_dict(), n_params)",
         P, FORM, (MODEL, MODEL + "    for block in model.blocks:\n        block.to(device)\n"),
         (OPT, "    optimizer = torch.optim.Adam(list(model.parameters()) + [p for b in model.blocks for p in b.parameters()], lr=1e-2)\n")),
    fake("an nn.ModuleList of one block repeated depth times: the blocks share their weights",
         P, FORM, (BUGGY, "        self.blocks = nn.ModuleList([ResidualBlock(dim, 2 * dim)] * depth)\n")),
    fix("nn.Sequential of the blocks, still iterated in forward()",
        P, FORM, (BUGGY, "        self.blocks = nn.Sequential(*[ResidualBlock(dim, 2 * dim) for _ in range(depth)])\n")),
    fix("an empty nn.ModuleList filled by append() in a loop",
        P, FORM, (BUGGY, "        self.blocks = nn.ModuleList()\n        for _ in range(depth):\n"
                         "            self.blocks.append(ResidualBlock(dim, 2 * dim))\n")),
    fix("keeps the list for iteration and registers every block with add_module() under its own name",
        P, FORM, (BUGGY, BUGGY + "        for i, block in enumerate(self.blocks):\n"
                         "            self.add_module(f\"block{i}\", block)\n")),
]
