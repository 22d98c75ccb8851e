from adversarial import fake, fix

P, SWAPPED, UNPACKED = "models/film_conv", "beta scales, gamma shifts", "unpacked as beta, gamma"
RETURN_SWAPPED = "return (1 + beta) * h + gamma"
UNPACK = "beta, gamma = self.proj(cond).chunk(2, dim=1)"
RETURN = "return (1 + gamma) * h + beta"
COND = "models/conditioning"
COND_RETURN = "return self.beta(cond) * out + self.gamma(cond)"

CASES = [
    fake("unpacks in the right order but drops the 1 +: a zero prediction no longer leaves h unchanged",
         P, UNPACKED, (UNPACK, "gamma, beta = self.proj(cond).chunk(2, dim=1)"), (RETURN, "return gamma * h + beta")),
    fake("splits the projection into interleaved columns instead of two halves", P, UNPACKED,
         (UNPACK, "gamma, beta = self.proj(cond).view(cond.size(0), -1, 2).unbind(dim=2)")),
    fake("shifts before scaling", P, SWAPPED, (RETURN_SWAPPED, "return (1 + gamma) * (h + beta)")),
    fake("swaps the roles and adds the 1 + of the convolutional FiLM, which this one does not have", COND, SWAPPED,
         (COND_RETURN, "return (1 + self.gamma(cond)) * out + self.beta(cond)")),
    fix("keeps the swapped unpacking and swaps the roles in the formula instead", P, UNPACKED,
        (RETURN, "return (1 + beta) * h + gamma")),
    fix("torch.addcmul(shift, scale, h) with the halves sliced by hand and indexed to (N, C, 1, 1)", P, SWAPPED,
        ("gamma = gamma.unsqueeze(-1).unsqueeze(-1)\n        beta = beta.unsqueeze(-1).unsqueeze(-1)\n"
         "        " + RETURN_SWAPPED,
         "params = self.proj(cond)\n        channels = params.size(1) // 2\n"
         "        scale, shift = params[:, :channels, None, None], params[:, channels:, None, None]\n"
         "        return torch.addcmul(shift, 1 + scale, h)")),
    fix("expands (1 + gamma) * h into h * gamma + h", P, SWAPPED, (RETURN_SWAPPED, "return h * gamma + h + beta")),
    fix("the scale and shift layers swap attribute names: the first Linear made (the scale's initial values) "
        "is still the one that scales", COND, SWAPPED,
        ("self.gamma = nn.Linear(cond_dim, out_dim)  # scale\n        self.beta = nn.Linear(cond_dim, out_dim)  # shift",
         "self.beta = nn.Linear(cond_dim, out_dim)  # scale\n        self.gamma = nn.Linear(cond_dim, out_dim)  # shift")),
]
