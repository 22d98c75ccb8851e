from adversarial import fake, fix

P, FORM = "advanced/clip_and_accumulate", "norm_type=inf: the largest entry, not the L2 norm"
BUGGY = '                norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm, norm_type=float("inf"))\n'

CASES = [
    fake("norm_type=1: the sum of absolute values, which clips far more",
         P, FORM, (BUGGY, "                norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm, norm_type=1)\n")),
    fake("the L2 norm, but with a bound ten times larger so that less is clipped",
         P, FORM, (BUGGY, "                norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=10 * max_norm)\n")),
    fake("measures the L2 norm for the log but clips nothing",
         P, FORM, (BUGGY, "                norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in model.parameters()]))\n")),
    fix("norm_type=2 written out",
        P, FORM, (BUGGY, "                norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm, norm_type=2)\n")),
    fix("the total L2 norm and the rescaling written by hand",
        P, FORM, (BUGGY, "                norm = torch.stack([p.grad.norm() for p in model.parameters()]).norm()\n"
                         "                scale = (max_norm / (norm + 1e-6)).clamp(max=1.0)\n"
                         "                for p in model.parameters():\n"
                         "                    p.grad.mul_(scale)\n")),
    fix("torch.nn.utils spelled out, the parameters as a list, max_norm by position",
        P, FORM, (BUGGY, "                norm = torch.nn.utils.clip_grad_norm_(list(model.parameters()), max_norm)\n")),
]
