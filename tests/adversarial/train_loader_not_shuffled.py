from adversarial import fake, fix

P, FORM = "industry/normalised_regression", "shuffle=True left out"
BUGGY = "    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size)\n"
IMPORT = "from torch.utils.data import DataLoader, TensorDataset\n"

CASES = [
    fake("shuffles the training tensors once, before the loader: every epoch then repeats that order",
         P, FORM, (BUGGY, "    perm = torch.randperm(len(x_train))\n"
                          "    x_train, y_train = x_train[perm], y_train[perm]\n" + BUGGY)),
    fake("a random permutation drawn once and given as the sampler: the same order every epoch",
         P, FORM, (BUGGY, "    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size,\n"
                          "                              sampler=torch.randperm(len(x_train)).tolist())\n")),
    fake("puts shuffle=True on the validation loader instead",
         P, FORM, ("    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=batch_size)\n",
                   "    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=batch_size, shuffle=True)\n")),
    fix("a RandomSampler over the training set, which is what shuffle=True builds",
        P, FORM, (IMPORT, "from torch.utils.data import DataLoader, RandomSampler, TensorDataset\n"),
        (BUGGY, "    train_set = TensorDataset(x_train, y_train)\n"
                "    train_loader = DataLoader(train_set, batch_size=batch_size, sampler=RandomSampler(train_set))\n")),
    fix("shuffle given by position, after the batch size",
        P, FORM, (BUGGY, "    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size, True)\n")),
    fix("shuffle=True with drop_last spelled out as False",
        P, FORM, (BUGGY, "    train_loader = DataLoader(TensorDataset(x_train, y_train), shuffle=True, drop_last=False,\n"
                         "                              batch_size=batch_size)\n")),
]
