from adversarial import fake, fix

P, BACKBONE, FC = "intermediate/backbone_head", "skips self.backbone", "skips self.fc"
HEAD_CALL = "        return self.head(x)\n"
BN_CALL = "return torch.relu(self.bn(x))"

CASES = [
    fake("makes the head fit the raw pixels: Linear(16, classes) on the flattened image, no backbone",
         P, BACKBONE, ("self.head = nn.Linear(hidden, num_classes)", "self.head = nn.Linear(in_features, num_classes)"),
         (HEAD_CALL, "        return self.head(x.flatten(1))\n")),
    fake("runs the backbone but detaches its output: the backbone never trains", P, BACKBONE,
         (HEAD_CALL, "        return self.head(self.backbone(x).detach())\n")),
    fake("calls the backbone's Linear but skips its BatchNorm", P, BACKBONE,
         (HEAD_CALL, "        return self.head(torch.relu(self.backbone.fc(x.flatten(1))))\n")),
    fake("slices the 16 pixels down to the 12 features BatchNorm expects instead of projecting them", P, FC,
         (BN_CALL, "return torch.relu(self.bn(x[:, :12]))")),
    fix("names the features on their own line", P, BACKBONE,
        (HEAD_CALL, "        features = self.backbone(x)\n        return self.head(features)\n")),
    fix("composes the two in an nn.Sequential built on the fly (no new parameters)", P, BACKBONE,
        (HEAD_CALL, "        return nn.Sequential(self.backbone, self.head)(x)\n")),
    fix("restores the Linear with nn.functional.relu", P, FC,
        (BN_CALL, "return nn.functional.relu(self.bn(self.fc(x)))")),
    fix("calls forward() directly instead of the module (no hooks, same computation)", P, FC,
        (BN_CALL, "return torch.relu(self.bn.forward(self.fc.forward(x)))")),
]
