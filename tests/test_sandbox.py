"""The sandbox programs run in (bughunt/detector/sandbox.py): what a program can see and reach
inside it, that the attacks of tests/hostile_cases.py are real ones (they work without it), and
that verify goes on without it, saying so once, where it is off."""

from __future__ import annotations

import glob
import json
import os
import shutil
import site
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import bughunt
from bughunt.detector import sandbox

from conftest import apply_patch, make_exercise
from hostile_cases import CASES, TIMEOUT, inject

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux's")

PACKAGE = Path(bughunt.__file__).resolve().parent
CLEAN = PACKAGE / "clean_programs" / "training" / "classification_loop.py"
OFF_LINE = "bughunt: isolation is off here ({}): exercises can read your files and reach the network"

# What a program does in a fresh worker's sandbox; it prints what it saw as JSON.
PROBE = r'''
import ctypes, errno, json, os, shutil, socket, subprocess, sys, tempfile
import torch
from bughunt.detector import sandbox

package, secret, host, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
scratch = tempfile.mkdtemp(prefix="bughunt-run-")
read, write = os.pipe()
if os.fork():
    os.close(write)
    with os.fdopen(read) as answer:
        print(answer.read())
    shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0)
os.close(read)


def attempt(action):
    try:
        result = action()
        return "ok" if result is None or hasattr(result, "close") else result
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error))


def connect(address):
    def go():
        socket.create_connection(address, timeout=3).close()
    return attempt(go)


seen = {}
try:
    sandbox.enter(scratch)
except sandbox.Unavailable as refusal:
    os.write(write, json.dumps({"refused": str(refusal)}).encode())
    os._exit(0)
libc = ctypes.CDLL(None, use_errno=True)
home = os.path.expanduser("~")
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
server = socket.create_server(("127.0.0.1", 0))
seen.update({
    "uid": os.getuid(),
    "root": sorted(os.listdir("/")),
    "package": attempt(lambda: sorted(os.listdir(package))),
    "package's folder": attempt(lambda: sorted(os.listdir(os.path.dirname(package)))),
    "secret": attempt(lambda: open(secret).read()),
    "home": attempt(lambda: sorted(os.listdir(home))),
    "proc": sorted(p for p in os.listdir("/proc") if p.isdigit()),
    "pid": os.getpid(),
    "parent": os.getppid(),
    "init": open("/proc/1/cmdline", "rb").read().split(b"\0")[0].decode(),
    "outside": connect((host, port)) if host else None,
    "bughunt's loopback": connect(("127.0.0.1", port)),
    "own loopback": connect(server.getsockname()),
    "scratch": attempt(lambda: open(os.path.join(scratch, "written"), "w").close()),
    "/tmp": attempt(lambda: open("/tmp/written", "w").close()),
    "/usr": attempt(lambda: open("/usr/written", "w")),
    "/": attempt(lambda: open("/written", "w")),
    "site-packages": attempt(lambda: open(os.path.join(os.path.dirname(os.path.dirname(torch.__file__)), "x"), "w")),
    "remount /usr": "ok" if libc.mount(None, b"/usr", None, 32 | 4096, None) == 0 else errno.errorcode[ctypes.get_errno()],
    "unmount /usr": "ok" if libc.umount2(b"/usr", 2) == 0 else errno.errorcode[ctypes.get_errno()],
    "capabilities": [status["CapEff"].strip(), status["CapBnd"].strip()],
    "no_new_privs": status["NoNewPrivs"].strip(),
    "python": attempt(lambda: subprocess.run([sys.executable, "-c", "import torch; print(torch.ones(2).sum().item())"],
                                             capture_output=True, text=True, timeout=120).stdout.strip()),
})
os.write(write, json.dumps(seen).encode())
os._exit(0)
'''


def _host_address() -> str:
    """This machine's address on a network other than loopback, or '' when it has none."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent, a route is chosen
            address = probe.getsockname()[0]
    except OSError:
        return ""
    return "" if address.startswith("127.") else address


def _as_uid_1000() -> list[str]:
    """A command prefix that runs as uid 1000 in a user namespace: the path a non-root user takes."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1) to run as another user")
    return ["unshare", "--user", "--map-user=1000", "--map-group=1000"]


@pytest.fixture(scope="module")
def listener():
    server = socket.create_server(("0.0.0.0", 0))
    yield server.getsockname()[1]
    server.close()


@pytest.fixture(scope="module", params=["as this user", "as uid 1000 in a user namespace"])
def seen(request, tmp_path_factory, listener):
    secret = tmp_path_factory.mktemp("home") / "secret.txt"
    secret.write_text("the user's own file")
    host = _host_address()
    if host:
        socket.create_connection((host, listener), timeout=3).close()  # reachable from here
    prefix = _as_uid_1000() if request.param != "as this user" else []
    out = subprocess.run([*prefix, sys.executable, "-c", PROBE, str(PACKAGE), str(secret), host, str(listener)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert "refused" not in seen, seen
    seen["expected uid"] = 1000 if prefix else (65534 if os.geteuid() == 0 else os.geteuid())
    return seen


def _environment() -> set[str]:
    import torch

    folders = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.dirname(torch.__file__)), *site.getsitepackages()}
    return {p for e in folders for p in (e, os.path.realpath(e))}


def _on_the_way(name: str, folder: str) -> bool:
    """Whether ``folder/name`` is or leads to a folder of the Python environment."""
    path = os.path.join(folder, name)
    return any(p == path or p.startswith(path + "/") for p in _environment())


def test_the_file_system_is_the_environment_and_the_scratch_folder(seen):
    system = {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "sys", "tmp", "usr"}
    assert all(name in system or _on_the_way(name, "/") for name in seen["root"]), seen["root"]
    assert seen["package"] in ("ENOENT", []), "bughunt's package is visible"
    folder = seen["package's folder"]  # a checkout (editable install) shows only the way to its .venv
    if not any(str(PACKAGE.parent).startswith(e) for e in _environment()):  # not site-packages
        assert folder == "ENOENT" or all(_on_the_way(name, str(PACKAGE.parent)) for name in folder), folder
    assert seen["secret"] == "ENOENT"
    assert seen["home"] == "ENOENT" or all(_on_the_way(n, os.path.expanduser("~")) for n in seen["home"]), seen["home"]
    assert (seen["scratch"], seen["/tmp"]) == ("ok", "ok")
    assert (seen["/usr"], seen["/"], seen["site-packages"]) == ("EROFS", "EROFS", "EROFS")


def test_no_process_of_bughunt_is_visible(seen):
    assert (seen["proc"], seen["pid"], seen["parent"], seen["init"]) == (["1", "2"], 2, 0, "cat")


def test_only_an_own_loopback(seen):
    assert seen["own loopback"] == "ok"
    assert seen["bughunt's loopback"] == "ECONNREFUSED"  # a server on the machine's 127.0.0.1
    assert seen["outside"] in (None, "ENETUNREACH")  # the same server on the machine's own address


def test_the_program_cannot_undo_the_sandbox(seen):
    assert seen["uid"] == seen["expected uid"]
    assert seen["capabilities"] == ["0000000000000000", "0000000000000000"]
    assert seen["no_new_privs"] == "1"
    assert (seen["remount /usr"], seen["unmount /usr"]) == ("EPERM", "EPERM")


def test_a_new_interpreter_starts_in_the_sandbox(seen):
    assert seen["python"] == "2.0"


# --- without the sandbox: the hostile cases' attacks are real ---------------------------------

def _findable_from(tops: list[str], depths: tuple[str, ...]) -> bool:
    tail = ("clean_programs", "training", "classification_loop.py")
    return any(glob.glob(os.path.join(top or ".", depth, *tail)) for top in tops for depth in depths)


def _walking_up() -> list[str]:
    folder, tops = tempfile.gettempdir(), []
    while folder != os.path.dirname(folder):
        tops.append(folder)
        folder = os.path.dirname(folder)
    return [*tops, "/"]


# the answer without the sandbox, and whether this machine can show it (the attack finds the file)
WITHOUT = {
    "runs the clean program found through the editable install's finder":
        ("fixed", any(n.startswith("__editable__") and "bughunt" in n for n in sys.modules)),
    # this one needs the hooks to find the file, so the unobserved run (no hooks) refuses it even without
    # the sandbox: a second layer, tests/test_unobserved.py
    "runs the clean program found through the verifier's hook functions":
        ("behaves differently when verify does not observe it", True),
    "runs the clean program found by searching site-packages and sys.path":
        ("fixed", _findable_from(site.getsitepackages() + sys.path, ("*",))),
    "runs the clean program found by walking up from its folder":
        ("fixed", _findable_from(_walking_up(), ("*", "*/*", "*/*/*"))),
    "reads the workspace manifest and lists the other exercises": ("read the manifest", True),
    "looks for bughunt and the reference worker in /proc": ("command lines of bughunt", True),
    "deletes every file of the workspace": ("tampered: the program changed", True),
    "rewrites the workspace manifest": ("tampered: the program changed .bughunt/manifest.json (put back)", True),
}


@pytest.mark.parametrize("name", WITHOUT)
def test_without_the_sandbox_the_attack_works(bughunt, tmp_path, monkeypatch, name):
    expect, shown_here = WITHOUT[name]
    if not shown_here:
        pytest.skip("this installation does not put the clean program where the attack looks")
    case = next(c for c in CASES if c.name == name)
    path = make_exercise(tmp_path / "ws", *case.base)
    path.write_text(inject(path.read_text(), case, str(tmp_path / "ws")))
    monkeypatch.setenv("BUGHUNT_SANDBOX", "off")
    result = bughunt("verify", path, "--json", "--timeout", TIMEOUT)
    [entry] = json.loads(result.stdout)
    if expect == "fixed":
        assert (result.exit_code, entry["fixed"]) == (0, True), entry["message"]
    else:
        assert expect in entry["message"], entry["message"]


# --- verify without the sandbox ---------------------------------------------------------------

def _verify(folder: Path, *paths: Path, env: dict[str, str], prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    command = [*prefix, sys.executable, "-m", "bughunt", "verify", *map(str, paths), "--json", "--timeout", "20"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=folder, env={**os.environ, **env})


def _two_exercises(folder: Path) -> tuple[Path, Path]:
    return (make_exercise(folder, "training/classification_loop", "missing-zero-grad", "zero_grad() removed"),
            make_exercise(folder, "models/conditioning", "wrong-cat-dim", "dim=0"))


def test_isolation_off_is_said_once_per_command(tmp_path):
    paths = _two_exercises(tmp_path)
    off = _verify(tmp_path, *paths, env={"BUGHUNT_SANDBOX": "off"})
    assert off.stderr.splitlines() == [OFF_LINE.format("BUGHUNT_SANDBOX=off")]
    assert [v["fixed"] for v in json.loads(off.stdout)] == [False, False]
    on = _verify(tmp_path, *paths, env={})
    assert "isolation" not in on.stderr
    assert json.loads(on.stdout) == json.loads(off.stdout)


def test_a_kernel_that_refuses_leaves_verify_working(tmp_path):
    """A user namespace whose limit on network namespaces is 0: the worker's unshare fails."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1)")
    [path, _] = _two_exercises(tmp_path)
    script = 'echo 0 > /proc/sys/user/max_net_namespaces && exec "$@"'
    refused = _verify(tmp_path, path, env={}, prefix=("unshare", "--user", "--map-root-user", "sh", "-c", script, "sh"))
    assert refused.stderr.splitlines() == [OFF_LINE.format("unshare: No space left on device")]
    [entry] = json.loads(refused.stdout)
    assert "gradient norm" in entry["message"]


def test_isolation_off_when_asked(monkeypatch):
    monkeypatch.setattr(sandbox, "_warned", True)  # this process may have said it already
    monkeypatch.setenv("BUGHUNT_SANDBOX", "off")
    assert sandbox.off_reason() == "BUGHUNT_SANDBOX=off"
    monkeypatch.delenv("BUGHUNT_SANDBOX")
    monkeypatch.setattr(sandbox, "_off", None)
    assert sandbox.off_reason() is None


def test_the_distributed_programs_ranks_talk_over_the_sandboxs_loopback(bughunt, tmp_path):
    """Two gloo processes forked inside the sandbox meet over its own loopback: the reference
    runs, a fixed exercise is fixed and a buggy one is not."""
    buggy = make_exercise(tmp_path, "expert/distributed", "sampler-set-epoch-missing", "set_epoch() removed")
    fixed = make_exercise(tmp_path, "expert/distributed", "missing-zero-grad", "zero_grad() removed")
    apply_patch(bughunt("reveal", fixed, "--yes").output, fixed)
    result = bughunt("verify", buggy, fixed, "--json")
    verdicts = {Path(v["path"]).name: (v["fixed"], v["message"]) for v in json.loads(result.stdout)}
    assert verdicts[fixed.name] == (True, "")
    assert verdicts[buggy.name][0] is False and "isolation" not in result.output


def test_an_environment_in_tmp_with_bughunt_on_sys_path(tmp_path, listener):
    """A virtual environment under /tmp (where the sandbox puts a fresh tmpfs) that reaches torch
    and bughunt's checkout through a .pth file, as a develop install does: the environment is
    there, a new interpreter starts from it, bughunt is not."""
    import torch

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    own_site = subprocess.run([python, "-c", "import site; print(site.getsitepackages()[0])"], capture_output=True,
                              text=True, check=True).stdout.strip()
    torch_site = os.path.dirname(os.path.dirname(torch.__file__))
    Path(own_site, "elsewhere.pth").write_text(f"{torch_site}\n{PACKAGE.parent}\n")
    out = subprocess.run([python, "-c", PROBE, str(PACKAGE), str(tmp_path / "nothing"), "", str(listener)],
                         capture_output=True, text=True, timeout=300)
    seen = json.loads(out.stdout)
    assert (seen["python"], seen["package"], seen["site-packages"]) == ("2.0", "ENOENT", "EROFS"), seen
