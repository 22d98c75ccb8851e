"""Hand-written wrong variants of the clean programs with branchy logic, as data.

Each is one edit a learner could make while "fixing" an exercise: the program still runs and
looks right, but behaves differently from the reference on part of the declared space (some
on most of it, some on a few configurations, one or two nowhere that matters). The bench
(`detection_power.py`) measures on how much of the space each differs and whether verify
catches it. Each ``old`` text occurs exactly once in its program.
"""

from __future__ import annotations

from typing import NamedTuple


class Variant(NamedTuple):
    program: str
    name: str
    old: str
    new: str

    def apply(self, source: str) -> str:
        assert source.count(self.old) == 1, (self.program, self.name)
        return source.replace(self.old, self.new)


VARIANTS = (
    # ---- industry/early_stopping: a counter of bad epochs IN A ROW, the best weights put back
    Variant("industry/early_stopping", "counter decremented instead of reset",
            "bad_epochs = 0  # an improvement", "bad_epochs = max(bad_epochs - 1, 0)  # an improvement"),
    Variant("industry/early_stopping", "counter never reset",
            "bad_epochs = 0  # an improvement", "pass  # an improvement"),
    Variant("industry/early_stopping", "stops one bad epoch late",
            "if bad_epochs >= patience:", "if bad_epochs > patience:"),
    Variant("industry/early_stopping", "improvement must beat twice min_delta",
            "if val_loss < best_loss - min_delta:", "if val_loss < best_loss - 2 * min_delta:"),
    Variant("industry/early_stopping", "any improvement counts (min_delta ignored)",
            "if val_loss < best_loss - min_delta:", "if val_loss < best_loss:"),
    Variant("industry/early_stopping", "ties count as improvements (<=)",
            "if val_loss < best_loss - min_delta:", "if val_loss <= best_loss - min_delta:"),
    Variant("industry/early_stopping", "best weights put back only after an early stop",
            "    model.load_state_dict(best_state)  # keep",
            "    if bad_epochs >= patience:\n        model.load_state_dict(best_state)  # keep"),
    Variant("industry/early_stopping", "stop checked before the epoch is logged",
            '        log["val_loss"].append(val_loss)\n        log["bad_epochs"].append(bad_epochs)\n'
            "        if bad_epochs >= patience:\n            break\n",
            "        if bad_epochs >= patience:\n            break\n"
            '        log["val_loss"].append(val_loss)\n        log["bad_epochs"].append(bad_epochs)\n'),
    # ---- intermediate/checkpoint_best: save on improvement, reload the best
    Variant("intermediate/checkpoint_best", "ties saved too (>=)",
            "if val_acc > best_acc:", "if val_acc >= best_acc:"),
    Variant("intermediate/checkpoint_best", "checkpoint saved every epoch",
            "                best_acc, best_epoch = val_acc, epoch\n                torch.save(",
            "                best_acc, best_epoch = val_acc, epoch\n            if True:\n                torch.save("),
    Variant("intermediate/checkpoint_best", "best epoch not updated after the first",
            "best_acc, best_epoch = val_acc, epoch",
            "best_acc, best_epoch = val_acc, max(best_epoch, 0)"),
    Variant("intermediate/checkpoint_best", "improvement must beat the best by a point",
            "if val_acc > best_acc:", "if val_acc > best_acc + 0.01:"),
    # ---- industry/full_pipeline: the same pattern inside a pipeline with a random split
    Variant("industry/full_pipeline", "ties saved too (>=)",
            "if val_acc > best_val_acc:", "if val_acc >= best_val_acc:"),
    Variant("industry/full_pipeline", "checkpoint saved every epoch",
            "                best_val_acc, best_epoch = val_acc, epoch\n                torch.save(",
            "                best_val_acc, best_epoch = val_acc, epoch\n            if True:\n                torch.save("),
    Variant("industry/full_pipeline", "best judged by the last epoch's loss going down",
            "if val_acc > best_val_acc:",
            "if not history[:-1] or val_loss < history[-2][\"val_loss\"]:"),
    # ---- advanced/clip_and_accumulate: group boundaries, the smaller final group
    Variant("advanced/clip_and_accumulate", "the smaller final group never steps",
            "if (i + 1) % accum_steps == 0 or i + 1 == len(loader):", "if (i + 1) % accum_steps == 0:"),
    Variant("advanced/clip_and_accumulate", "the final group's loss divided by its own size",
            "loss = loss / accum_steps  # so",
            "loss = loss / min(accum_steps, len(loader) - i // accum_steps * accum_steps)  # so"),
    Variant("advanced/clip_and_accumulate", "gradients zeroed only at the start of an epoch",
            "if i % accum_steps == 0:", "if i == 0:"),
    Variant("advanced/clip_and_accumulate", "a step after every batch once the first group is done",
            "if (i + 1) % accum_steps == 0 or i + 1 == len(loader):",
            "if i + 1 >= accum_steps or i + 1 == len(loader):"),
    Variant("advanced/clip_and_accumulate", "norms logged only when clipping acts",
            "grad_norms.append(norm.item())", "grad_norms.extend([norm.item()] if norm > max_norm else [])"),
)
