from adversarial import fake, fix

P, FORM = "industry/normalised_regression", "shuffle=True, drop_last=True copied onto the evaluation loader"
BUGGY = "    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=batch_size, shuffle=True, drop_last=True)\n"

CASES = [
    fake("takes shuffle off but keeps drop_last: the last incomplete batch is still lost",
         P, FORM, (BUGGY, "    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=batch_size, drop_last=True)\n")),
    fake("keeps shuffle and drops drop_last: every sample is read, but in a random order that uses the "
         "random numbers the training loader's shuffle should get",
         P, FORM, (BUGGY, "    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=batch_size, shuffle=True)\n")),
    fake("validates one sample at a time so drop_last has nothing to drop, still shuffled",
         P, FORM, (BUGGY, "    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=1, shuffle=True, drop_last=True)\n")),
    fix("both flags set to False explicitly",
        P, FORM, (BUGGY, "    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=batch_size, shuffle=False, drop_last=False)\n")),
    fix("the whole validation split in one batch",
        P, FORM, (BUGGY, "    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=len(x_val))\n")),
    fix("the batch size given by position",
        P, FORM, (BUGGY, "    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size)\n")),
]
