from adversarial import fake, fix

P, FORM = "diffusion/ddpm", "index t - 1"
BUGGY = "    abar = alphas_cumprod[t - 1].unsqueeze(1)  # reshape\n"

CASES = [
    fake("clamps t - 1 at 0 so step 0 no longer wraps to the last step: every other step is still one off",
         P, FORM, (BUGGY, "    abar = alphas_cumprod[(t - 1).clamp(min=0)].unsqueeze(1)\n")),
    fake("draws the training steps from 1 .. T instead, so t - 1 lands in range there: the model sees other "
         "timesteps and the probe still reads the wrong entries",
         P, FORM, ("t = torch.randint(0, num_steps, (x0.size(0),), device=device)",
                   "t = torch.randint(1, num_steps + 1, (x0.size(0),), device=device)")),
    fake("tries t + 1 instead and clamps it at the last step to stay in range: one step off the other way",
         P, FORM, (BUGGY, "    abar = alphas_cumprod[(t + 1).clamp(max=len(alphas_cumprod) - 1)].unsqueeze(1)\n")),
    fix("index t with None indexing for the new dim", P, FORM, (BUGGY, "    abar = alphas_cumprod[t][:, None]\n")),
    fix("torch.gather along dim 0", P, FORM, (BUGGY, "    abar = alphas_cumprod.gather(0, t).unsqueeze(1)\n")),
    fix("index_select, then a view to (N, 1)", P, FORM, (BUGGY, "    abar = alphas_cumprod.index_select(0, t).view(-1, 1)\n")),
]
