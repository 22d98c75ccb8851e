from adversarial import fake, fix

P, FORM = "industry/normalised_regression", "statistics of the whole data set"
BUGGY = "    mean, std = x.mean(dim=0), x.std(dim=0)  # compute it\n"

CASES = [
    fake("the statistics of the training and validation splits put back together: the whole data set again",
         P, FORM, (BUGGY, "    both = torch.cat([x_train, x_val])\n    mean, std = both.mean(dim=0), both.std(dim=0)\n")),
    fake("the mean of the training split, but the std still of every row",
         P, FORM, (BUGGY, "    mean, std = x_train.mean(dim=0), x.std(dim=0)\n")),
    fake("the generator's true centre and scale instead of measured statistics",
         P, FORM, (BUGGY, "    mean, std = torch.full((6,), 3.0), torch.full((6,), 2.0)\n")),
    fix("the training split's statistics, dim given by position",
        P, FORM, (BUGGY, "    mean, std = x_train.mean(0), x_train.std(0)\n")),
    fix("torch.std_mean over the training split",
        P, FORM, (BUGGY, "    std, mean = torch.std_mean(x_train, dim=0)\n")),
    fix("the mean as a sum over the training rows, the std as the root of their variance",
        P, FORM, (BUGGY, "    mean = x_train.sum(dim=0) / len(x_train)\n    std = x_train.var(dim=0).sqrt()\n")),
]
