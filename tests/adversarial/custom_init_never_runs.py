from adversarial import fake, fix

P, FORM = "industry/normalised_regression", "the apply() call left out"
MODEL = "    model = nn.Sequential(nn.Linear(6, 32), nn.LayerNorm(32), nn.ReLU(), nn.Linear(32, 1)).to(device)\n"

CASES = [
    fake("calls the init function on the model: it is a Sequential, not a Linear, so nothing happens",
         P, FORM, (MODEL, MODEL + "    init_weights(model)\n")),
    fake("initialises the first layer only",
         P, FORM, (MODEL, MODEL + "    init_weights(model[0])\n")),
    fake("Xavier for both weight matrices but the biases keep their default values",
         P, FORM, (MODEL, MODEL + "    nn.init.xavier_uniform_(model[0].weight)\n    nn.init.xavier_uniform_(model[3].weight)\n")),
    fix("the init function called on every module that modules() yields",
        P, FORM, (MODEL, MODEL + "    for module in model.modules():\n        init_weights(module)\n")),
    fix("apply() chained onto the construction",
        P, FORM, (MODEL, MODEL.replace(".to(device)\n", ".to(device).apply(init_weights)\n"))),
    fix("the two Linear layers initialised one by one",
        P, FORM, (MODEL, MODEL + "    init_weights(model[0])\n    init_weights(model[3])\n")),
]
