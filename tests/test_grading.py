"""Grading is the one owner of verification: one default timeout, every verifying command takes --timeout."""

from __future__ import annotations

import re

import pytest

from bughunt import grading
from bughunt.workspace import Entry, Workspace, sha256

VERIFYING = ["generate", "verify", "hint", "watch", "stats", "selfcheck"]


@pytest.mark.parametrize("command", VERIFYING)
def test_every_verifying_command_takes_timeout_with_graders_default(bughunt, command):
    text = bughunt(command, "--help").output
    assert "--timeout" in text
    shown = re.search(r"default: (\d+)", text[text.index("--timeout"):].replace("\n", " "))
    assert shown and float(shown.group(1)) == grading.DEFAULT_TIMEOUT


def test_verifier_uses_the_default_or_the_given_timeout():
    with grading.verifier() as session:
        assert session.timeout == grading.DEFAULT_TIMEOUT
    with grading.verifier(7) as session:
        assert session.timeout == 7


def test_an_empty_workspace_is_one_error_for_every_command(bughunt, tmp_path):
    Workspace.open(tmp_path / "ws", create=True).save()
    for args in (["verify", "--workspace"], ["watch", "--workspace"]):
        result = bughunt(*args, str(tmp_path / "ws"))
        assert result.exit_code == 2 and "has no exercises" in result.output


def test_keep_edits_copies_only_what_the_learner_wrote(tmp_path):
    workspace = Workspace.open(tmp_path, create=True)
    workspace.add(Entry("a.py", "training/classification_loop", 1, sha256("generated\n")), "generated\n")
    assert workspace.keep_edits("a.py", "new text\n") is None  # as generated: nothing to keep
    (tmp_path / "a.py").write_text("my fix\n")
    backup = workspace.keep_edits("a.py", "new text\n")
    assert backup == tmp_path / "a.py.bak" and backup.read_text() == "my fix\n"
    assert workspace.keep_edits("a.py", "my fix\n") is None  # what is written there already
    assert workspace.keep_edits("absent.py", "x") is None


def test_an_error_raised_while_ctrl_c_was_handled_counts_as_ctrl_c():
    from bughunt.errors import interrupted

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise AssertionError  # what Hypothesis may raise when interrupted inside its engine
    except AssertionError as exc:
        assert interrupted(exc)
    assert not interrupted(ValueError("a bug of bughunt's own"))
