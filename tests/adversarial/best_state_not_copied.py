from adversarial import fake, fix

P, FORM = "industry/normalised_regression", "the live state_dict() kept, not a copy"
BUGGY = "            best_state = model.state_dict()\n"

CASES = [
    fake("dict(...) of the state_dict: a new dict around the same live tensors",
         P, FORM, (BUGGY, "            best_state = dict(model.state_dict())\n")),
    fake("detach() in a comprehension: detached, but still sharing the weights' memory",
         P, FORM, (BUGGY, "            best_state = {k: v.detach() for k, v in model.state_dict().items()}\n")),
    fake("a comprehension that copies nothing",
         P, FORM, (BUGGY, "            best_state = {k: v for k, v in model.state_dict().items()}\n")),
    fix("copy.deepcopy of the state_dict",
        P, FORM, ("import torch\n", "import copy\n\nimport torch\n"),
        (BUGGY, "            best_state = copy.deepcopy(model.state_dict())\n")),
    fix("clone() of every tensor",
        P, FORM, (BUGGY, "            best_state = {k: v.clone() for k, v in model.state_dict().items()}\n")),
    fix("the state_dict of a deep copy of the whole model",
        P, FORM, ("import torch\n", "import copy\n\nimport torch\n"),
        (BUGGY, "            best_state = copy.deepcopy(model).state_dict()\n")),
]
