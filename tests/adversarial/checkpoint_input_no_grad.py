from adversarial import fake, fix

P = "advanced/grad_checkpointing"
REENTRANT, OMITTED, DETACH = "use_reentrant=True", "use_reentrant omitted", "h.detach() as input"
STAGE1 = "h = checkpoint(self.stage1, x, use_reentrant=True)"
STAGE2_DETACHED = "h = checkpoint(self.stage2, h.detach(), use_reentrant=False)"
BOTH = ("        h = checkpoint(self.stage1, x, use_reentrant=False)\n"
        "        h = checkpoint(self.stage2, h.detach(), use_reentrant=False)\n")

CASES = [
    fake("gives the detached tensor requires_grad back: stage2 trains, but nothing flows to stage1",
         P, DETACH, (STAGE2_DETACHED, "h = checkpoint(self.stage2, h.detach().requires_grad_(), use_reentrant=False)")),
    fake("decides stage1 is meant to stay fixed and leaves it out of the optimizer", P, REENTRANT,
         ("torch.optim.Adam(model.parameters(), lr=1e-2)",
          "torch.optim.Adam([*model.stage2.parameters(), *model.head.parameters()], lr=1e-2)")),
    fake("drops the checkpoint of stage2 instead, keeping the reentrant one on stage1", P, REENTRANT,
         ("h = checkpoint(self.stage2, h, use_reentrant=False)", "h = self.stage2(h)")),
    fix("use_reentrant=False on stage1, the mode PyTorch recommends", P, REENTRANT,
        (STAGE1, "h = checkpoint(self.stage1, x, use_reentrant=False)")),
    fix("keeps the reentrant checkpoint and makes its input require grad, the documented workaround",
        P, OMITTED, ("h = checkpoint(self.stage1, x)", "h = checkpoint(self.stage1, x.detach().requires_grad_(), use_reentrant=True)")),
    fix("checkpoint_sequential over the two stages, one segment each", P, DETACH,
        (BOTH, "        h = torch.utils.checkpoint.checkpoint_sequential(\n"
               "            nn.Sequential(self.stage1, self.stage2), 2, x, use_reentrant=False)\n")),
]
