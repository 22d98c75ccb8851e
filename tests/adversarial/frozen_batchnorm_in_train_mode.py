from adversarial import fake, fix

P, BEFORE, NO_CALL = "cumulative/two_stage", "model.backbone.eval() before model.train()", "model.backbone.eval without the call"
ORDER = ("    if backbone_frozen:\n        model.backbone.eval()  # the frozen BatchNorm keeps its running statistics\n"
         "    model.train()\n")
ATTRIBUTE = "        model.backbone.eval  # as it stands\n"

CASES = [
    fake("sets the BatchNorm's momentum to 0 so its running statistics stay put: it still normalizes with "
         "each batch's statistics", P, NO_CALL, (ATTRIBUTE, "        model.backbone.bn.momentum = 0.0\n")),
    fake("puts the backbone's Linear in eval mode, not its BatchNorm", P, NO_CALL,
         (ATTRIBUTE, "        model.backbone.fc.eval()\n")),
    fake("puts the backbone in eval mode in both stages: the finetuning stage no longer updates BatchNorm",
         P, BEFORE, (ORDER, "    model.train()\n    model.backbone.eval()\n")),
    fix("calls eval() after model.train()", P, BEFORE,
        (ORDER, "    model.train()\n    if backbone_frozen:\n        model.backbone.eval()\n")),
    fix("train(False) on the backbone", P, NO_CALL, (ATTRIBUTE, "        model.backbone.train(False)\n")),
    fix("puts every BatchNorm of the backbone in eval mode, the usual idiom for frozen statistics", P, NO_CALL,
        (ATTRIBUTE, "        for module in model.backbone.modules():\n"
                    "            if isinstance(module, nn.BatchNorm1d):\n"
                    "                module.eval()\n")),
    fix("one line: the model trains, the backbone follows the flag", P, BEFORE,
        (ORDER, "    model.train()\n    model.backbone.train(not backbone_frozen)\n")),
]
