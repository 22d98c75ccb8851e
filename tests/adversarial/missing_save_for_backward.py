from adversarial import fake, fix

P, FORM = "expert/custom_autograd", "save_for_backward() removed"
SLOPE = "        ctx.slope = slope  # a plain Python number can live on ctx directly\n"
UNPACK = "        (x,) = ctx.saved_tensors\n"
WHERE = "grad_input = torch.where(x >= 0, grad_output, grad_output * ctx.slope)"

CASES = [
    fake("nothing was saved, so backward() picks the side from the sign of grad_output instead of the input",
         P, FORM, (UNPACK, "        x = grad_output\n")),
    fake("silences the empty saved_tensors by treating every input as positive: the gradient is 1 everywhere",
         P, FORM, (UNPACK, "        x = torch.ones_like(grad_output)\n")),
    fix("saves the input (under another name in backward)",
        P, FORM, (SLOPE, SLOPE + "        ctx.save_for_backward(x)\n"),
        (UNPACK, "        (inp,) = ctx.saved_tensors\n"),
        (WHERE, "grad_input = torch.where(inp >= 0, grad_output, grad_output * ctx.slope)")),
    fix("saves only the boolean mask of the positive side, which is all backward() needs",
        P, FORM, (SLOPE, SLOPE + "        ctx.save_for_backward(x >= 0)\n"),
        (UNPACK, "        (positive,) = ctx.saved_tensors\n"),
        (WHERE, "grad_input = torch.where(positive, grad_output, grad_output * ctx.slope)")),
    fix("saves a copy of the output: with a positive slope y >= 0 exactly where x >= 0, and the copy "
        "is safe from the in-place residual add",
        P, FORM, ("        return torch.where(x >= 0, x, x * slope)",
                  "        y = torch.where(x >= 0, x, x * slope)\n        ctx.save_for_backward(y.clone())\n        return y")),
    fix("keeps the input on ctx as a plain attribute: not the recommended way (no in-place check), but "
        "the input is never modified in place here, so the same gradients",
        P, FORM, (SLOPE, SLOPE + "        ctx.x = x\n"), (UNPACK, "        x = ctx.x\n")),
]
