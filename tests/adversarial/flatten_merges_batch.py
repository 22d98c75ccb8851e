from adversarial import fake, fix

P, VIEW, FLATTEN = "architectures/small_cnn", "view(-1)", "flatten()"
BUGGY = "flat = features.view(-1)"
BUGGY_FLAT = "flat = features.flatten()"

CASES = [
    fake("views the flat data as (64, N) and transposes to the expected (N, 64): samples' features mix",
         P, VIEW, (BUGGY, "flat = features.view(64, -1).t()")),
    fake("flattens channels-last: the right shape, but each classifier weight meets another feature",
         P, FLATTEN, (BUGGY_FLAT, "flat = features.permute(0, 2, 3, 1).reshape(x.size(0), -1)")),
    fake("sums over the batch and gives every sample the same features, shaped (N, 64)", P, VIEW,
         (BUGGY, "flat = features.sum(dim=0).view(1, -1).expand(x.size(0), -1)")),
    fix("torch.flatten from dim 1", P, VIEW, (BUGGY, "flat = torch.flatten(features, start_dim=1)")),
    fix("view with the batch size read from the tensor", P, FLATTEN,
        (BUGGY_FLAT, "flat = features.view(features.size(0), -1)")),
    fix("view(-1, 64): the images are always 8x8, so each sample has 16 * 2 * 2 features", P, VIEW,
        (BUGGY, "flat = features.view(-1, 64)")),
    fix("an nn.Flatten module registered in __init__", P, FLATTEN,
        ("self.classifier = nn.Linear(", "self.flatten = nn.Flatten()\n        self.classifier = nn.Linear("),
        (BUGGY_FLAT, "flat = self.flatten(features)")),
]
