from adversarial import fake, fix

P, PATH, TARGET = "diffusion/flow_matching", "interpolation weights swapped", "target x0 - x1"
SWAPPED_PATH = "x_t = (1 - t) * x1 + t * x0  # combine the terms\n"
REVERSED = "target = x0 - x1  # combine the terms\n"
SAMPLE = "x = x + dt * model(x, t)"

CASES = [
    fake("reverses the target to match the swapped path: consistent, but the field carries data to noise",
         P, PATH, ("target = x1 - x0", "target = x0 - x1")),
    fake("keeps the reversed target and integrates backwards when sampling: the training losses and the "
         "learned field are not the reference's", P, TARGET, (SAMPLE, "x = x - dt * model(x, t)")),
    fake("keeps the swapped path and feeds the model 1 - t: the same family of paths, other times than "
         "the drawn ones", P, PATH, ("loss = criterion(model(x_t, t), target)", "loss = criterion(model(x_t, 1 - t), target)")),
    fix("the path as x0 plus t times the velocity", P, PATH, (SWAPPED_PATH, "x_t = x0 + t * (x1 - x0)\n")),
    fix("torch.lerp from noise to data", P, PATH, (SWAPPED_PATH, "x_t = torch.lerp(x0, x1, t)\n")),
    fix("negates the reversed difference", P, TARGET, (REVERSED, "target = -(x0 - x1)\n")),
    fix("x1.sub(x0), named velocity", P, TARGET,
        (REVERSED, "velocity = x1.sub(x0)\n            target = velocity\n")),
]
