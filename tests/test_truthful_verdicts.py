"""A verdict is the truth about the candidate (DESIGN.md principle 8).

Fake fixes that move the work off the (virtual) GPU or out of autocast are refused and the
verdict says so; correct forms the library documents (class probabilities for
CrossEntropyLoss, modules registered under other names) pass; and every message names
something true of the candidate. The fixes here are written by hand, as a learner would.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from conftest import edit, make_exercise
from test_checks import obs, step, tensor

from bughunt.detector import checks

CLASSIFICATION = "training/classification_loop"
MIXED = "advanced/mixed_precision"
AUTO_DEVICE = 'device = torch.device("cuda" if torch.cuda.is_available() else "cpu")'


def verdict(bughunt, path):
    result = bughunt("verify", path, "--json")
    [entry] = json.loads(result.output)
    return result.exit_code, entry["message"]


# --- 1. the same work on the same devices and dtypes -------------------------------------


def test_a_loop_moved_to_the_cpu_is_not_fixed(bughunt, tmp_path):
    """The batch was left on the CPU; the learner "fixes" the device error by using the CPU."""
    path = make_exercise(tmp_path, CLASSIFICATION, "device-mismatch", "batch not moved")
    edit(path, "batch_x, batch_y = batch_x, batch_y.to(device)", "batch_x, batch_y = batch_x.to(device), batch_y.to(device)")
    edit(path, AUTO_DEVICE, 'device = torch.device("cpu")')
    code, message = verdict(bughunt, path)
    assert code == 1
    assert message.endswith("the model's parameters stay on the CPU during train(); the reference's are on cuda:0")


def test_dropping_every_move_is_not_a_fix(bughunt, tmp_path):
    path = make_exercise(tmp_path, CLASSIFICATION, "device-mismatch", "batch not moved")
    edit(path, "            batch_x, batch_y = batch_x, batch_y.to(device)\n", "")
    edit(path, "model = MLP(6, 16, 3).to(device)", "model = MLP(6, 16, 3)")
    code, message = verdict(bughunt, path)
    assert code == 1 and message.endswith("the model's parameters stay on the CPU during train(); the reference's are on cuda:0")


def test_moving_the_batch_with_cuda_or_the_models_device_is_a_fix(bughunt, tmp_path):
    for fix, line in (("cuda", "batch_x, batch_y = batch_x.cuda(), batch_y.cuda()"),
                      ("parameters", "batch_x, batch_y = batch_x.to(next(model.parameters()).device), batch_y.to(device)")):
        path = make_exercise(tmp_path / fix, CLASSIFICATION, "device-mismatch", "batch not moved")
        edit(path, "batch_x, batch_y = batch_x, batch_y.to(device)", line)
        assert verdict(bughunt, path) == (0, ""), fix


@pytest.mark.parametrize("how", ["disabled", "removed"])
def test_mixed_precision_turned_off_is_not_a_fix(bughunt, tmp_path, how):
    """The backward pass skipped the scaler; the learner turns mixed precision off instead of
    scaling the loss, so the unscaled backward is harmless and every step is taken."""
    path = make_exercise(tmp_path, MIXED, "amp-backward-unscaled", "loss.backward() without scaler.scale")
    if how == "disabled":
        edit(path, 'use_amp = device.type == "cuda"', "use_amp = False")
    else:
        edit(path, "            with torch.amp.autocast(device.type, enabled=use_amp):\n"
                   "                logits = model(x)  # float16 on a GPU\n"
                   "                loss = criterion(logits, y)  # autocast computes the loss in float32\n",
             "            logits = model(x)\n            loss = criterion(logits, y)\n")
    edit(path, 'scaler = torch.amp.GradScaler(device.type, enabled=device.type == "cuda")',
         "scaler = torch.amp.GradScaler(device.type, enabled=False)")
    code, message = verdict(bughunt, path)
    assert code == 1
    assert message.endswith("during train() the Linear layers compute in float32 without autocast; "
                            "the reference autocasts them to float16")


def test_a_returned_tensor_brought_back_to_the_cpu_is_named(bughunt, tmp_path):
    path = make_exercise(tmp_path, MIXED, "amp-update-missing", "scaler.update() removed")
    edit(path, "            total += loss.item() * x.size(0)\n", "            scaler.update()\n            total += loss.item() * x.size(0)\n")
    assert verdict(bughunt, path) == (0, "")
    edit(path, '"weight": model[0].weight}', '"weight": model[0].weight.cpu()}')
    code, message = verdict(bughunt, path)
    assert code == 1 and message.endswith("weight is on cpu instead of cuda:0")


# --- 5. correct forms the library documents ---------------------------------------------


def test_one_hot_class_probabilities_are_a_correct_target(bughunt, tmp_path):
    """CrossEntropyLoss takes class indices or class probabilities of the logits' shape."""
    path = make_exercise(tmp_path, CLASSIFICATION, "float-labels", "batch_y.float()")
    assert verdict(bughunt, path)[0] == 1
    edit(path, "loss = criterion(logits, batch_y.float())",
         "loss = criterion(logits, nn.functional.one_hot(batch_y, num_classes=3).float())")
    assert verdict(bughunt, path) == (0, "")


def test_probabilities_that_are_not_one_hot_still_differ(bughunt, tmp_path):
    path = make_exercise(tmp_path, CLASSIFICATION, "float-labels", "batch_y.float()")
    edit(path, "loss = criterion(logits, batch_y.float())",
         "loss = criterion(logits, torch.full_like(logits, 1 / 3))")
    code, message = verdict(bughunt, path)
    assert code == 1 and "dtype" not in message


def test_blocks_registered_with_add_module_are_the_same_parameters(bughunt, tmp_path):
    path = make_exercise(tmp_path, "models/residual_mlp", "plain-list-submodules", "plain list instead of nn.ModuleList")
    assert verdict(bughunt, path)[0] == 1
    edit(path, "        self.head = ", "        for i, block in enumerate(self.blocks):\n"
                                       "            self.add_module(f\"block{i}\", block)\n        self.head = ")
    assert verdict(bughunt, path) == (0, "")


def test_registering_only_some_blocks_is_not_a_fix(bughunt, tmp_path):
    path = make_exercise(tmp_path, "models/residual_mlp", "plain-list-submodules", "plain list instead of nn.ModuleList")
    edit(path, "        self.head = ", "        self.add_module(\"first\", self.blocks[0])\n        self.head = ")
    code, message = verdict(bughunt, path)
    assert code == 1 and "blocks.0" not in message  # the candidate has no such name


def test_parameters_pair_by_what_they_are():
    def param(role, order, shape=(2, 2)):
        return {**tensor(list(shape), [0.0] * math.prod(shape)), "role": role, "order": order}

    ref = {"blocks.0.fc.weight": param("Linear.weight", 0), "blocks.1.fc.weight": param("Linear.weight", 1),
           "head.bias": param("Linear.bias", 2, (2,))}
    renamed = {"head.bias": param("Linear.bias", 2, (2,)), "block1.fc.weight": param("Linear.weight", 1),
               "block0.fc.weight": param("Linear.weight", 0)}
    pairs, lost, extra = checks.pair(ref, renamed)
    assert sorted(pairs) == [("blocks.0.fc.weight", "block0.fc.weight"), ("blocks.1.fc.weight", "block1.fc.weight"),
                             ("head.bias", "head.bias")] and lost == extra == []
    fewer = {"block0.fc.weight": param("Linear.weight", 0), "head.bias": param("Linear.bias", 2, (2,))}
    assert checks.pair(ref, fewer)[1] == ["blocks.1.fc.weight"]
    wrong_shape = {**renamed, "block1.fc.weight": param("Linear.weight", 1, (3, 2))}
    assert checks.pair(ref, wrong_shape)[1] == ["blocks.1.fc.weight"]


# --- 6. messages that tell the truth -----------------------------------------------------


def test_a_deleted_dropout_is_not_reported_with_the_heads_old_name(bughunt, tmp_path):
    """Without the Dropout the head moves from index 3 to index 2 of the Sequential."""
    path = make_exercise(tmp_path, "intermediate/train_val", "missing-eval-dropout", "eval() removed")
    edit(path, "nn.Dropout(p=0.5), ", "")
    code, message = verdict(bughunt, path)
    assert code == 1 and message.startswith("with ")
    assert not re.search(r"\b3\.(weight|bias)\b", message.replace("the reference's 3.", ""))


def test_final_parameters_are_named_as_the_candidate_names_them():
    def param(value, role, order):
        return {**tensor([1], [value]), "role": role, "order": order}

    ref = obs(params={"0.weight": param(1.0, "Linear.weight", 0), "3.weight": param(2.0, "Linear.weight", 1)})
    cand = obs(params={"0.weight": param(1.0, "Linear.weight", 0), "2.weight": param(2.5, "Linear.weight", 1)})
    assert checks.same_final_params(ref, cand) == (
        "after training, parameter 2.weight (the reference's 3.weight) differs from the reference (1 of 1 values, by up to 0.5)")


def test_gradients_cleared_between_backward_and_step_are_named_as_such(bughunt, tmp_path):
    path = make_exercise(tmp_path, CLASSIFICATION, "missing-zero-grad", "zero_grad() removed")
    edit(path, "            loss.backward()\n", "            loss.backward()\n            optimizer.zero_grad()\n")
    code, message = verdict(bughunt, path)
    assert code == 1
    assert message.endswith("the gradients of fc1.weight and 3 more are computed by backward(), "
                            "then cleared before optimizer step 1 reads them")


def test_gradients_never_computed_are_not_called_cleared():
    ref = obs(steps=[step()])
    cand = obs(steps=[step(missing=["backbone.weight"])])
    assert checks.grad_flow(ref, cand) == "backbone.weight get no gradient at optimizer step 1"


def test_requires_grad_switched_off_for_validation_is_named_truthfully(bughunt, tmp_path):
    path = make_exercise(tmp_path, "intermediate/train_val", "validation-without-no-grad", "with torch.no_grad() removed")
    code, message = verdict(bughunt, path)
    assert code == 1 and message.endswith("builds an autograd graph that nothing uses")
    edit(path, "    model.eval()\n    total, correct = 0.0, 0\n",
         "    model.eval()\n    model.requires_grad_(False)\n    total, correct = 0.0, 0\n")
    edit(path, "    n = len(loader.dataset)\n    return total / n", "    model.requires_grad_(True)\n    n = len(loader.dataset)\n    return total / n")
    code, message = verdict(bughunt, path)
    assert code == 1
    assert message.endswith("during validate() the model runs with gradient mode on (torch.is_grad_enabled() is True), "
                            "where the reference turns it off; no tensor there requires gradients, so no autograd graph "
                            "is recorded")


def test_a_magnitude_is_never_printed_as_nan():
    ref = obs(result={"w": tensor([3], [1.0, 2.0, 3.0])})
    with_nan = obs(result={"w": tensor([3], [1.0, float("nan"), 3.5])})
    assert checks.same_results(ref, with_nan) == "w differs from the reference (2 of 3 values, 1 of them nan where the reference's are not, by up to 0.5)"
    only_nan = obs(result={"w": tensor([3], [1.0, float("nan"), 3.0])})
    assert checks.same_results(ref, only_nan) == "w differs from the reference (1 of 3 values, 1 of them nan where the reference's are not)"
    shorter = obs(result={"w": {**tensor([3], [1.0, 2.0]), "shape": [3]}})
    assert checks.same_results(ref, shorter) == "w holds 2 values instead of 3"


# --- every message names something true of the candidate ---------------------------------


PARAMETER = re.compile(r"\b\w+(?:\.\w+)*\.(?:weight|bias|running_mean|running_var)\b")


def _candidate_names(observed):
    names = {checks._bare(k) for k in observed["params"]} | set(observed.get("unoptimized", {}))
    return names | {n for s in observed["steps"] for n in s["missing"]}


def _phases(observed):
    rows = [*observed["modes"], *observed["placement"], *observed["precision"], *observed["targets"]]
    return {row[0] for row in rows} | {s["phase"] for s in observed["steps"]} | {"main"}


def _has_nan(value):
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    return isinstance(value, float) and math.isnan(value)


def untrue_claims(message, observed, source=""):
    """What ``message`` says of the candidate that its observation contradicts. Names given as
    the reference's (``the reference's 3.weight``) are claims about the reference."""
    text = message.split(": ", 1)[1] if message.startswith("with ") else message
    text = re.sub(r"the reference's [\w.:]+", "", text)
    wrong = []
    names = _candidate_names(observed)
    wrong += [f"no parameter {n}" for n in PARAMETER.findall(text) if n not in names]
    wrong += [f"no phase {p}" for p in re.findall(r"(?:during|in) (\w+)\(\)", text)
              if p not in _phases(observed) and f"def {p}(" not in source]
    wrong += [f"no step {n}" for n in re.findall(r"optimizer step (\d+)", text) if int(n) > len(observed["steps"])]
    if "on the CPU" in text and not any(row[2] == "cpu" for row in observed["placement"]):
        wrong.append("nothing on the CPU")
    if "without autocast" in text and not any(row[2] == "off" for row in observed["precision"]):
        wrong.append("everything autocasts")
    if "cleared" in text and not any(s.get("cleared") for s in observed["steps"]):
        wrong.append("no gradient cleared")
    if re.search(r"\bnan\b", text) and not _has_nan([observed["result"], observed["params"],
                                                       [s["grad"] for s in observed["steps"]]]):
        wrong.append("no nan")
    wrong += [f"kept {observed.get('kept_graphs', 0)} graphs, not {n}"
              for n in re.findall(r"keeps the autograd graphs of (\d+) earlier steps", text)
              if observed.get("kept_graphs", 0) < int(n)]
    wrong += [f"no target of {d}" for d in re.findall(r"targets of dtype (\S+)", text)
              if all(t[2] != d for t in observed["targets"])]
    return wrong


def _learner_candidates():
    """(program, name, source): hand-written fakes, and one mutant of each class in a few programs."""
    from bughunt.clean_programs import get_program
    from bughunt.exercise import mutants

    found = []
    loop = get_program(CLASSIFICATION).source()
    found.append((CLASSIFICATION, "cpu", loop.replace(AUTO_DEVICE, 'device = torch.device("cpu")')))
    found.append((CLASSIFICATION, "cleared", loop.replace("            loss.backward()\n",
                                                         "            loss.backward()\n            optimizer.zero_grad()\n")))
    train_val = get_program("intermediate/train_val").source()
    found.append(("intermediate/train_val", "no dropout", train_val.replace("nn.Dropout(p=0.5), ", "")))
    found.append(("intermediate/train_val", "frozen for validation", train_val.replace(
        "    with torch.no_grad():\n", "    model.requires_grad_(False)\n    if True:\n").replace(
        "    n = len(loader.dataset)\n", "    model.requires_grad_(True)\n    n = len(loader.dataset)\n")))
    found.append(("intermediate/train_val", "item() once per epoch", train_val.replace(
        "total += loss.item() * x.size(0)", "total += loss * x.size(0)").replace(
        "    return total / len(loader.dataset)\n", "    return total.item() / len(loader.dataset)\n")))
    mixed = get_program(MIXED).source()
    found.append((MIXED, "no autocast", mixed.replace('use_amp = device.type == "cuda"', "use_amp = False")))
    for program_id in ("intermediate/train_val", "models/residual_mlp", "cumulative/two_stage"):
        seen = set()
        for mutant in mutants(get_program(program_id)):
            if mutant.bug not in seen:
                seen.add(mutant.bug)
                found.append((program_id, f"{mutant.bug} ({mutant.form})", mutant.source))
    return found


def test_every_message_names_something_true_of_the_candidate():
    from bughunt.clean_programs import get_program
    from bughunt.detector.runner import Runner
    from bughunt.grading import verifier

    untrue, refused = [], 0
    with verifier() as session:
        for program_id, name, source in _learner_candidates():
            program = get_program(program_id)
            result = session.verify(program, program.source(), source, f"{program.name}.py", shrink=False)
            if result.fixed or not result.config:
                continue
            refused += 1
            runner = Runner(source, f"{program.name}.py", 60)
            try:
                observed = runner.collect(result.config)
            finally:
                runner.close()
            wrong = untrue_claims(result.message, observed, source)
            if wrong:
                untrue.append((program_id, name, result.message, wrong))
    assert refused >= 20
    assert untrue == [], "\n".join(map(str, untrue))


def test_the_rule_itself_notices_a_false_name():
    observed = {"params": {"0.weight": {}, "2.weight": {}}, "unoptimized": {}, "steps": [step()],
                "modes": [["train", "Linear", True, True]], "placement": [["train", "parameters", "cuda:0"]],
                "precision": [], "targets": [], "result": None}
    assert untrue_claims("with seed=0: no optimizer updates 3.weight", observed) == ["no parameter 3.weight"]
    assert untrue_claims("with seed=0: parameter 2.weight (the reference's 3.weight) differs", observed) == []
    assert untrue_claims("the model's parameters stay on the CPU during train()", observed) == ["nothing on the CPU"]
    assert untrue_claims("keeps the autograd graphs of 5 earlier steps alive at once", observed) == [
        "kept 0 graphs, not 5"]
