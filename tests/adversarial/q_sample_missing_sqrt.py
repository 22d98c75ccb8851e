from adversarial import fake, fix

P, FORM = "diffusion/ddpm", "square root dropped"
BUGGY = "    return abar * x0 + (1.0 - abar).sqrt() * noise\n"

CASES = [
    fake("drops the other square root too, so both coefficients look alike",
         P, FORM, (BUGGY, "    return abar * x0 + (1.0 - abar) * noise\n")),
    fake("takes the root of abar but writes the noise coefficient as 1 - sqrt(abar)",
         P, FORM, (BUGGY, "    return abar.sqrt() * x0 + (1.0 - abar.sqrt()) * noise\n")),
    fake("keeps abar * x0 and rescales the result to unit variance instead",
         P, FORM, (BUGGY, "    return (abar * x0 + (1.0 - abar).sqrt() * noise) / (abar ** 2 + 1.0 - abar).sqrt()\n")),
    fix("torch.sqrt on both coefficients", P, FORM, (BUGGY, "    return torch.sqrt(abar) * x0 + torch.sqrt(1.0 - abar) * noise\n")),
    fix("** 0.5 instead of sqrt()", P, FORM, (BUGGY, "    return abar ** 0.5 * x0 + (1.0 - abar) ** 0.5 * noise\n")),
    fix("names the two standard deviations first",
        P, FORM, (BUGGY, "    signal_std, noise_std = abar.sqrt(), (1.0 - abar).sqrt()\n"
                         "    return signal_std * x0 + noise_std * noise\n")),
]
