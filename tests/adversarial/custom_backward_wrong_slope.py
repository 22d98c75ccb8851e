from adversarial import fake, fix

P = "expert/custom_autograd"
DROPPED = "slope dropped: gradient 1 on both sides"
POSITIVE = "slope on the positive side"
TURNED = "test of the side turned around"
GRAD_DROPPED = "grad_input = torch.where(x >= 0, grad_output, grad_output)"
GRAD_POSITIVE = "grad_input = torch.where(x >= 0, grad_output * ctx.slope, grad_output)"
GRAD_TURNED = "grad_input = torch.where(x < 0, grad_output, grad_output * ctx.slope)"

CASES = [
    fake("hard-codes the default slope 0.1 in backward: wrong for the other slopes", P, DROPPED,
         (GRAD_DROPPED, "grad_input = torch.where(x >= 0, grad_output, grad_output * 0.1)")),
    fake("multiplies the input, not the incoming gradient, by the slope on the negative side", P, POSITIVE,
         (GRAD_POSITIVE, "grad_input = torch.where(x >= 0, grad_output, x * ctx.slope)")),
    fake("lets the model use autograd's own torch.where instead of the Function: training is right, but "
         "the Function itself (gradcheck, the probe) still has the wrong slope", P, TURNED,
         ("return LeakyReLUFunction.apply(x, self.slope)  # apply(), never forward() directly",
          "return torch.where(x >= 0, x, x * self.slope)")),
    fix("turns the test back around: x < 0 takes the slope", P, TURNED,
        (GRAD_TURNED, "grad_input = torch.where(x < 0, grad_output * ctx.slope, grad_output)")),
    fix("copies the gradient and scales the negative entries in place", P, DROPPED,
        (GRAD_DROPPED, "grad_input = grad_output.clone()\n        grad_input[x < 0] *= ctx.slope")),
    fix("multiplies the gradient by the local derivative, built with ones_like and full_like", P, POSITIVE,
        (GRAD_POSITIVE, "grad_input = grad_output * torch.where(x >= 0, torch.ones_like(x), "
                        "torch.full_like(x, ctx.slope))")),
    fix("adds the two sides' gradients, each masked by its side", P, TURNED,
        (GRAD_TURNED, "positive = (x >= 0).to(grad_output.dtype)\n"
                      "        grad_input = grad_output * positive + grad_output * ctx.slope * (1 - positive)")),
    fake("saves the output instead of the input, as torch's own ReLU does (with a positive slope its sign "
         "is the input's), but the model adds the residual into that output in place: backward fails",
         P, DROPPED,
        ("ctx.save_for_backward(x)  # tensors for backward go through save_for_backward\n"
         "        ctx.slope = slope  # a plain Python number can live on ctx directly\n"
         "        return torch.where(x >= 0, x, x * slope)",
         "ctx.slope = slope\n        y = torch.where(x >= 0, x, x * slope)\n"
         "        ctx.save_for_backward(y)\n        return y"),
        ("(x,) = ctx.saved_tensors", "(y,) = ctx.saved_tensors"),
        (GRAD_DROPPED, "grad_input = torch.where(y >= 0, grad_output, grad_output * ctx.slope)")),
]
