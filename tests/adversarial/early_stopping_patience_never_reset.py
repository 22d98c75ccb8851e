from adversarial import fake, fix

P, REMOVED, EQ = "industry/early_stopping", "reset removed", "== instead of ="
BEST = "            best_state = copy.deepcopy(model.state_dict())\n"
COMPARE = "            bad_epochs == 0  # compare\n"
IF = "        if val_loss < best_loss - min_delta:\n"
ELSE = "        else:\n            bad_epochs += 1\n"

CASES = [
    fake("decrements the counter on an improvement instead of resetting it", P, REMOVED,
         (BEST, BEST + "            bad_epochs = max(bad_epochs - 1, 0)\n")),
    fake("resets the counter at the top of every epoch: it never reaches patience, so training never stops early",
         P, EQ, (COMPARE, ""), ("        log[\"lr\"].append(", "        bad_epochs = 0\n        log[\"lr\"].append(")),
    fake("resets on an improvement, but calls any decrease an improvement (min_delta dropped)", P, EQ,
         (COMPARE, "            bad_epochs = 0\n"), (IF, "        if val_loss < best_loss:\n")),
    fake("gives up on early stopping: the break is gone, every epoch runs", P, REMOVED,
         ("        if bad_epochs >= patience:\n            break\n", "")),
    fix("resets the counter first thing in the improvement branch", P, REMOVED,
        (IF, IF + "            bad_epochs = 0\n")),
    fix("computes 'improved' once and sets the counter with a conditional expression", P, EQ,
        (COMPARE, ""), (ELSE, ""),
        (IF, "        improved = val_loss < best_loss - min_delta\n"
             "        bad_epochs = 0 if improved else bad_epochs + 1\n        if improved:\n")),
    fix("counts the epochs since the best one instead of keeping a counter", P, REMOVED,
        (ELSE, ""), ("        log[\"val_loss\"].append(val_loss)\n",
                     "        bad_epochs = epoch - best_epoch\n        log[\"val_loss\"].append(val_loss)\n")),
]
