"""Hostile candidates: what a half-fixed or malicious exercise may do, and what bughunt must answer.

Each case injects code into a real exercise (the classification loop with `zero_grad()`
removed). tests/test_hostile.py runs every case; bench/hostile_table.py prints the
README's table with the time each took.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE = ("training/classification_loop", "missing-zero-grad", "zero_grad() removed")
TIMEOUT = "3"  # --timeout for every case: the hanging one shows the limit


@dataclass(frozen=True)
class Case:
    name: str  # what the program does
    where: str  # "top" or "end" of the module, or start of "train"; WORKSPACE is the workspace's path
    code: str
    expect: str  # a part of the one-line answer
    exit_code: int = 1
    base: tuple[str, str, str] = BASE  # the exercise it is injected into


CASES = (
    Case("loops forever", "train", "while True:\n    pass", "the program timed out after 3 s"),
    Case("allocates without bound", "train", "hog = []\nwhile True:\n    hog.append(torch.empty(2 ** 28))",
         "the program ran out of memory at line"),
    Case("prints 50 MB without a newline", "train", "print('x' * 50_000_000, end='')", "gradient norm"),
    Case("calls sys.exit(0)", "train", "import sys\nsys.exit(0)", "the program called sys.exit(0) at line"),
    Case("calls os._exit(0)", "train", "import os\nos._exit(0)", "the program exited early with code 0"),
    Case("segfaults", "train", "import ctypes\nctypes.string_at(0)", "the program was killed by signal SIGSEGV"),
    Case("kills itself", "train", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
         "the program was killed by signal SIGKILL"),
    Case("swallows every exception in main", "top",
         "_real_main = None\ndef _swallow(main):\n    def wrapped(**kw):\n        try:\n            return main(**kw)\n"
         "        except BaseException:\n            return None\n    return wrapped",
         "the optimizer updates 0 parameter tensors", base=("models/conditioning", "wrong-cat-dim", "dim=0")),
    Case("replaces Adam.step", "top", "torch.optim.Adam.step = lambda self, closure=None: None",
         "tampered: the program replaced torch.optim.Adam.step"),
    Case("removes torch's hooks", "top", "torch.nn.modules.module._global_forward_pre_hooks.clear()",
         "tampered: the program replaced torch's global module hooks"),
    Case("imports hypothesis", "top", "import hypothesis",
         "while loading, ModuleNotFoundError at line"),
    Case("imports bughunt to copy the reference", "train", "from bughunt.clean_programs import get_program",
         "ModuleNotFoundError at line"),
    Case("deletes every file of the workspace", "train",
         "import pathlib\nfor p in pathlib.Path(WORKSPACE).rglob('*'):\n    if p.is_file():\n        p.unlink()",
         "gradient norm"),  # in the sandbox the workspace is not there (tampering: test_sandbox.py)
    Case("rewrites the workspace manifest", "train",
         "import pathlib\nfor p in pathlib.Path(WORKSPACE).rglob('manifest.json'):\n    p.write_text('{}')",
         "gradient norm"),  # as above
    Case("leaves a child process running", "train",
         "import subprocess\nsubprocess.Popen(['sleep', '4242'])", "gradient norm"),
    Case("has a syntax error", "top", "def broken(:\n    pass", "syntax error at line", exit_code=2),
    Case("has no main()", "end", "del main", "the exercise must define main()"),
    # No path from the exercise to the reference (the sandbox): each of these runs bughunt's clean
    # program in place of its own code when it finds it, and so would be called fixed
    # (tests/test_sandbox.py shows they do with BUGHUNT_SANDBOX=off). In the sandbox nothing is found.
    Case("runs the clean program found through the editable install's finder", "end",
         "import os, sys\n"
         "for _finder in [m for n, m in list(sys.modules.items()) if n.startswith('__editable__')]:\n"
         "    for _dir, _, _files in os.walk(getattr(_finder, 'MAPPING', {}).get('bughunt', '/nonexistent')):\n"
         "        if 'classification_loop.py' in _files:\n"
         "            exec(open(os.path.join(_dir, 'classification_loop.py')).read(), globals())",
         "gradient norm"),
    Case("runs the clean program found through the verifier's hook functions", "end",
         "import os, torch\n"
         "for _hook in list(torch.nn.modules.module._global_forward_pre_hooks.values()):\n"
         "    _package = os.path.dirname(os.path.dirname(_hook.__code__.co_filename))\n"
         "    _path = os.path.join(_package, 'clean_programs', 'training', 'classification_loop.py')\n"
         "    if os.path.exists(_path):\n"
         "        exec(open(_path).read(), globals())",
         "gradient norm"),
    Case("runs the clean program found by searching site-packages and sys.path", "end",
         "import glob, os, site, sys\n"
         "for _top in site.getsitepackages() + sys.path:\n"
         "    for _path in glob.glob(os.path.join(_top or '.', '*', 'clean_programs', 'training', "
         "'classification_loop.py')):\n"
         "        exec(open(_path).read(), globals())",
         "gradient norm"),
    Case("runs the clean program found by walking up from its folder", "end",
         "import glob, os\n"
         "_dir, _found = os.path.dirname(os.path.abspath(__file__)), []\n"
         "while not _found:\n"
         "    for _depth in ('*', '*/*', '*/*/*'):\n"
         "        _found += glob.glob(os.path.join(_dir, _depth, 'clean_programs', 'training', 'classification_loop.py'))\n"
         "    if _dir == os.path.dirname(_dir):\n"
         "        break\n"
         "    _dir = os.path.dirname(_dir)\n"
         "if _found:\n"
         "    exec(open(sorted(_found)[0]).read(), globals())",
         "gradient norm"),
    Case("reads the workspace manifest and lists the other exercises", "top",
         "import os\n"
         "try:\n"
         "    _text = open(os.path.join(WORKSPACE, '.bughunt', 'manifest.json')).read()\n"
         "    _names = os.listdir(WORKSPACE)\n"
         "    raise RuntimeError(f'read the manifest ({len(_text)} bytes) and found {_names}')\n"
         "except OSError as _error:\n"
         "    raise RuntimeError(f'cannot read the workspace: {_error.strerror}') from None",
         "cannot read the workspace: No such file or directory"),
    Case("looks for bughunt and the reference worker in /proc", "top",
         "import os\n"
         "_seen = []\n"
         "for _pid in [p for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()]:\n"
         "    try:\n"
         "        _command = open(f'/proc/{_pid}/cmdline', 'rb').read()\n"
         "    except OSError:\n"
         "        continue\n"
         "    if b'bughunt' in _command or b'forkserver' in _command:\n"
         "        _seen.append(_pid)\n"
         "raise RuntimeError(f'can read {len(_seen)} command lines of bughunt' if _seen else 'no bughunt in /proc')",
         "no bughunt in /proc"),
)


def inject(text: str, case: Case, workspace: str) -> str:
    """The exercise text with ``case.code`` at the top or end of the module or of train()."""
    code = case.code.replace("WORKSPACE", repr(workspace))
    if case.where == "end":
        return text + "\n" + code + "\n"
    if case.where == "top":
        anchor = "import torch.nn as nn\n"
        text = text.replace(anchor, anchor + code + "\n", 1)
        if case.name.startswith("swallows"):
            text = text.replace('if __name__ == "__main__":', 'main = _swallow(main)\n\n\nif __name__ == "__main__":', 1)
        return text
    anchor = "    model.train()\n"
    indented = "".join(f"    {line}\n" for line in code.splitlines())
    return text.replace(anchor, anchor + indented, 1)
