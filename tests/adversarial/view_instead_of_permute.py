from adversarial import fake, fix

P, FORM = "data/feature_maps", "view instead of permute"
BUGGY = "    return images.view(images.size(0), images.size(3), images.size(1), images.size(2))\n"

CASES = [
    fake("reshape instead of view: the same reinterpretation of the memory, only allowed on copies too",
         P, FORM, (BUGGY, "    return images.reshape(images.size(0), images.size(3), images.size(1), images.size(2))\n")),
    fake("swaps dims 1 and 3: (N, C, W, H), the right shape for square images, but the image is transposed",
         P, FORM, (BUGGY, "    return images.transpose(1, 3)\n")),
    fake("permutes with the spatial dims in the wrong order",
         P, FORM, (BUGGY, "    return images.permute(0, 3, 2, 1).contiguous()\n")),
    fix("movedim the channels from last to 1", P, FORM, (BUGGY, "    return images.movedim(-1, 1)\n")),
    fix("two transposes: (N, H, W, C) -> (N, C, W, H) -> (N, C, H, W)",
        P, FORM, (BUGGY, "    return images.transpose(1, 3).transpose(2, 3)\n")),
    fix("torch.permute, then a contiguous copy", P, FORM, (BUGGY, "    return torch.permute(images, (0, 3, 1, 2)).contiguous()\n")),
    fix("einsum spelling of the permutation", P, FORM, (BUGGY, "    return torch.einsum(\"nhwc->nchw\", images)\n")),
]
