"""Verification is behavioural: any correct fix passes, wrong fixes and hostile programs fail."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import edit, make_exercise


def verdict(bughunt, path, *extra):
    result = bughunt("verify", path, "--json", *extra)
    [entry] = json.loads(result.output)
    return result.exit_code, entry["message"]


def test_labels_made_long_in_the_loop_or_where_they_are_made(bughunt, tmp_path):
    for fix in ("loop", "data"):
        path = make_exercise(tmp_path / fix, "training/classification_loop", "float-labels",
                             "randint(..., dtype=torch.float32)")
        assert verdict(bughunt, path)[0] == 1
        if fix == "loop":
            edit(path, "loss = criterion(logits, batch_y)", "loss = criterion(logits, batch_y.long())")
        else:
            edit(path, "dtype=torch.float32)", "dtype=torch.float32).long()")
        assert verdict(bughunt, path) == (0, ""), fix


def test_a_dataset_exercise_must_fix_the_dataset_itself(bughunt, tmp_path):
    """In the Dataset program the labels the loader yields are part of the behaviour."""
    path = make_exercise(tmp_path, "data/dataset_loader", "float-labels", "dtype=torch.float")
    edit(path, "loss = criterion(model(features), labels)", "loss = criterion(model(features), labels.long())")
    code, message = verdict(bughunt, path)
    assert code == 1 and message.endswith("first_y has dtype torch.float32 instead of torch.int64")


def test_zero_grad_at_the_end_of_the_step_instead_of_the_start(bughunt, tmp_path):
    path = make_exercise(tmp_path, "training/classification_loop", "missing-zero-grad", "zero_grad() removed")
    code, message = verdict(bughunt, path)
    assert code == 1 and "gradient norm" in message
    edit(path, "            optimizer.step()\n", "            optimizer.step()\n            model.zero_grad()\n")
    assert verdict(bughunt, path) == (0, "")


def test_eval_called_by_the_caller_instead_of_inside_validate(bughunt, tmp_path):
    path = make_exercise(tmp_path, "intermediate/train_val", "missing-eval-dropout", "eval() removed")
    code, message = verdict(bughunt, path)
    assert code == 1 and "during validate() the Dropout layers run in training mode" in message
    edit(path, "        val_loss, val_acc = validate(", "        model.eval()\n        val_loss, val_acc = validate(")
    assert verdict(bughunt, path) == (0, "")


def test_squeezing_the_targets_at_the_loss(bughunt, tmp_path):
    path = make_exercise(tmp_path, "training/classification_loop", "target-shape", "randint size (n, 1)")
    edit(path, "loss = criterion(logits, batch_y)", "loss = criterion(logits, batch_y.squeeze(1))")
    assert verdict(bughunt, path) == (0, "")


def test_a_bare_squeeze_is_caught_by_a_batch_of_one(bughunt, tmp_path):
    path = make_exercise(tmp_path, "training/classification_loop", "target-shape", "randint size (n, 1)")
    edit(path, "loss = criterion(logits, batch_y)", "loss = criterion(logits, batch_y.squeeze())")
    code, message = verdict(bughunt, path)
    assert code == 1 and message.startswith("with batch_size=1,")


def test_removing_dropout_is_not_a_fix(bughunt, tmp_path):
    path = make_exercise(tmp_path, "intermediate/train_val", "missing-eval-dropout", "eval() removed")
    edit(path, "nn.Dropout(p=0.5), ", "")
    code, message = verdict(bughunt, path)
    assert code == 1 and message.startswith("with ")


def test_the_same_file_gets_the_same_verdict_every_time(bughunt, tmp_path):
    buggy = make_exercise(tmp_path, "models/conditioning", "missing-zero-grad", "zero_grad() removed")
    fixed = make_exercise(tmp_path, "intermediate/backbone_head", "missing-eval-batchnorm", "eval() removed")
    edit(fixed, "def evaluate(model, loader, device):\n", "def evaluate(model, loader, device):\n    model.eval()\n")
    first = [verdict(bughunt, buggy) for _ in range(3)] + [verdict(bughunt, fixed) for _ in range(3)]
    assert len(set(first[:3])) == 1 and first[0][0] == 1
    assert set(first[3:]) == {(0, "")}
    # and in a fresh process, as a learner runs it
    out = subprocess.run([sys.executable, "-m", "bughunt", "verify", str(buggy), "--json"],
                         capture_output=True, text=True, check=False)
    assert (out.returncode, json.loads(out.stdout)[0]["message"]) == first[0]


def test_a_program_that_hangs_times_out(bughunt, tmp_path):
    path = make_exercise(tmp_path, "training/classification_loop", "missing-zero-grad", "zero_grad() removed")
    edit(path, "    model.train()\n", "    model.train()\n    while True:\n        pass\n")
    code, message = verdict(bughunt, path, "--timeout", "2")
    assert code == 1 and message.endswith("the program timed out after 2 s")


def test_a_program_that_exits_early_is_not_fixed(bughunt, tmp_path):
    path = make_exercise(tmp_path, "training/classification_loop", "missing-zero-grad", "zero_grad() removed")
    edit(path, "    model.train()\n", "    import os\n    os._exit(0)\n")
    assert verdict(bughunt, path) == (1, "with batch_size=1, epochs=1, seed=0: the program exited early with code 0")
    edit(path, "    os._exit(0)\n", "    raise SystemExit(0)\n")
    code, message = verdict(bughunt, path)
    assert code == 1 and "the program called sys.exit(0)" in message


def test_output_and_missing_main(bughunt, tmp_path):
    path = make_exercise(tmp_path, "models/encoder_decoder", "forward-skips-backbone", "skips self.encoder")
    edit(path, "        return self.decoder(x)", "        print('x' * 10_000_000)\n        return self.decoder(z)")
    assert verdict(bughunt, path) == (0, "")  # printing is fine; the output is discarded
    edit(path, "def main(", "def run(")
    code, message = verdict(bughunt, path)
    assert code == 1 and "the exercise must define main()" in message


def test_warming_runs_every_configuration_a_fix_needs():
    from bughunt.clean_programs import get_program
    from bughunt.grading import verifier

    program = get_program("training/classification_loop")
    source = program.source()
    with verifier() as session:
        session.warm(program, source)  # returns at once: the reference's worker runs them meanwhile
        reference = session._references[source]
        warmed = list(reference._pending)
        assert len(warmed) >= program.max_examples and not reference._cache
        assert session.verify(program, source, source.replace("# ", "#  "), "<fixed>", shrink=False).fixed
        assert list(reference._cache) == warmed and not reference._pending  # exactly what the fix needed


def test_a_worker_does_not_run_the_main_script_again(tmp_path):
    """multiprocessing would import the parent's main script in every child; the installed
    `bughunt` command's script imports the whole CLI, which made each worker start slower."""
    marker, script = tmp_path / "imports.txt", tmp_path / "entry.py"
    script.write_text(textwrap.dedent(f"""
        with open({str(marker)!r}, "a") as f:
            f.write("imported\\n")
        if __name__ == "__main__":
            from bughunt.detector.runner import Worker
            worker = Worker("def main(**kw):\\n    return 1\\n", "x.py", 60)
            assert worker.load_error is None
            worker.close()
    """))
    subprocess.run([sys.executable, str(script)], check=True, timeout=120)
    assert marker.read_text() == "imported\n"


def test_spare_workers_started_ahead_serve_the_next_verification():
    from bughunt.clean_programs import get_program
    from bughunt.detector import runner
    from bughunt.grading import verifier

    program = get_program("training/classification_loop")
    source = program.source()
    with verifier(spares=True) as session:
        assert session.verify(program, source, source, "first.py", shrink=False).fixed
        for closer in list(runner._CLOSING):
            closer.join(30)  # the spares are started in the background after a verdict
        waiting = {key: list(found) for key, found in runner._SPARES.items() if found}
        assert {observed for observed, _ in waiting} == {True, False}
        buggy = source.replace("optimizer.zero_grad()", "pass")
        assert not session.verify(program, source, buggy, "second.py", shrink=False).fixed  # a spare ran it
        taken = {observed for (observed, _), found in waiting.items()
                 if found[0] not in runner._SPARES.get((observed, _), [])}
        assert taken == {True}  # the observed spare ran it; a bug told at once needs no unobserved run
    assert not any(runner._SPARES.values())  # closing the session closes the spares
