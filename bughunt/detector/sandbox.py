"""The sandbox a worker runs its program in: the Python environment and a scratch folder, nothing more.

Principles 3 and 6 of DESIGN.md: the program must reach neither bughunt (its package, the
clean programs) nor the reference worker, nor the user's files, nor the network. On Linux
every worker (candidate and reference alike) builds it from the kernel's namespaces as it
starts, for the cost of one fork and about twenty mount calls (10-40 ms):

- **mount namespace** whose root is a new, empty tmpfs holding read-only binds of what
  Python needs: /usr, /lib*, /etc, sys.prefix and sys.base_prefix, the site-packages
  folders, the folders of the modules already imported (the stdlib, torch, numpy), the CPU
  description in /sys; a fresh /tmp, /dev (null, zero, random...) and /dev/shm; the
  worker's scratch folder read-write. bughunt's package folder, where a bound folder holds
  it (a plain install in site-packages), is covered with an empty one. Nothing else exists:
  no home folder, no workspace, no clean program, no other worker's scratch folder.
- **PID namespace** with its own /proc: the program sees its own processes only, not
  bughunt's, the fork server's or the reference worker's (command lines, environment,
  memory). Its first process is `cat` reading a pipe that only the worker's outer process
  holds: the outer process (the one bughunt started) waits for the program and ends as it
  did; when it ends, `cat` ends, and the kernel ends whatever the program left running.
- **network namespace** with its own loopback, up: the distributed topic's gloo ranks talk
  over it; no other address exists, the machine's own 127.0.0.1 included.
- **user namespace**, for a user who is not root: it lets them build the rest; the program
  keeps their ids. Root needs none, and its programs run as nobody. Either way the program
  ends with no capabilities (bounding set emptied, no_new_privs), so it cannot remount or
  unmount what hides the rest.

Landlock is not used: the new root already lists everything there is, and landlock cannot
hide a folder (bughunt in site-packages) inside one it allows.

Where the kernel refuses (not Linux, a container that forbids namespaces) or
``BUGHUNT_SANDBOX=off`` is set, programs run without it and bughunt says so once per
command, on stderr. Everything the worker needs from bughunt must be imported before
``enter``: afterwards bughunt's files do not exist.
"""

from __future__ import annotations

import os
import sys
from typing import Optional

NOBODY = 65534  # the ids a root user's programs run under
SYSTEM = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc",
          "/sys/devices/system/cpu", "/sys/devices/system/node")
DEVICES = ("null", "zero", "full", "random", "urandom", "nvidia*")  # a GPU's nodes for BUGHUNT_DEVICE=native
HIDDEN_PACKAGES = ("bughunt",)

_off: Optional[str] = None  # why isolation is off in this process, once it is known
_warned = False


class Unavailable(Exception):
    """The kernel refused a step; str() says which and why."""


# --- the parent's side -------------------------------------------------------------------

def off_reason() -> Optional[str]:
    """Why workers started now run without the sandbox, or None when they run in it. Says it
    on stderr the first time it is not None (once per command)."""
    reason = _off
    if os.environ.get("BUGHUNT_SANDBOX", "").lower() in ("off", "0", "no", "false"):
        reason = "BUGHUNT_SANDBOX=off"
    elif not sys.platform.startswith("linux"):
        reason = f"no Linux namespaces on {sys.platform}"
    if reason is not None:
        _warn(reason)
    return reason


def refused(reason: str) -> None:
    """A worker could not build the sandbox: later workers of this command run without it."""
    global _off
    _off = reason
    _warn(reason)


def _warn(reason: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        print(f"bughunt: isolation is off here ({reason}): exercises can read your files and reach the network",
              file=sys.stderr, flush=True)


# --- the worker's side -------------------------------------------------------------------

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}


def enter(scratch: str) -> None:
    """Move this worker (a fresh, single-threaded process) into the sandbox, with ``scratch``
    as its only writable folder. Returns in the process that is to run the program; the
    process that waits for it outside never returns. Raises Unavailable when the kernel
    refuses a step: the raising process must then not run the program."""
    try:
        _enter(scratch)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise Unavailable(f"{exc.strerror or exc}{where}") from None


def _enter(scratch: str) -> None:
    import ctypes
    import platform

    libc = ctypes.CDLL(None, use_errno=True)

    def call(name: str, *args: object) -> None:
        if getattr(libc, name)(*args) != 0:
            errno = ctypes.get_errno()
            raise Unavailable(f"{name}: {os.strerror(errno)}")

    binds, links, hidden, devices = _PLAN or _plan()
    pivot_root = SYS_PIVOT_ROOT.get(platform.machine())
    cat = next((path for path in ("/usr/bin/cat", "/bin/cat") if os.access(path, os.X_OK)), None)
    if pivot_root is None or cat is None:
        raise Unavailable(f"no pivot_root number for {platform.machine()}" if cat else "no /usr/bin/cat")
    root = os.geteuid() == 0
    if root:  # root needs no user namespace; the program will run as nobody
        try:
            os.chown(scratch, NOBODY, NOBODY)
        except OSError:  # root of a user namespace without a nobody: go the unprivileged way
            root = False
    if root:
        call("unshare", CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET)
    else:  # the same ids inside: the user's own, mapped to themselves
        uid, gid = os.geteuid(), os.getegid()
        call("unshare", CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET)
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")

    init_r, init_w = os.pipe()
    _start_init(cat, init_r)  # the PID namespace's first process
    os.close(init_r)
    program = os.fork()  # the second: it runs the program
    if program:
        _pass_on(program, init_w)
    os.close(init_w)
    call("prctl", PR_SET_PDEATHSIG, 9, 0, 0, 0)
    _build_root(call, scratch, binds, links, hidden, devices)
    os.chdir(scratch)  # the new root is mounted there
    call("syscall", pivot_root, b".", b".")
    call("umount2", b".", MNT_DETACH)  # the old root, stacked under the new one
    os.chdir("/")
    call("mount", None, b"/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, None)
    _loopback_up()
    _drop_privileges(libc, root)
    os.chdir(scratch)


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _plan() -> tuple[list[str], dict[str, str], list[str], list[str]]:
    """What the new root holds: folders to bind (real paths, none inside another), symbolic
    links to recreate on the way to them, folders of bughunt to cover, and device nodes."""
    import glob
    import site
    import stat

    wanted = {*SYSTEM, sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
              os.path.dirname(sys.executable), *site.getsitepackages()}  # the stdlib: see the modules below
    if site.ENABLE_USER_SITE:
        wanted.add(site.getusersitepackages())
    hidden = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if "." in name or not isinstance(path, str) or not os.path.isabs(path):
            continue
        folder = os.path.dirname(path)
        if name in HIDDEN_PACKAGES:
            hidden.append(os.path.realpath(folder))
        elif not name.startswith("__") and name != "exercise":  # not a main script: a library's folder
            wanted.add(os.path.dirname(folder) if hasattr(module, "__path__") else folder)
    links: dict[str, str] = {}
    real = sorted({_resolve(p, links) for p in {os.path.normpath(p) for p in wanted if p} if os.path.exists(p)})
    binds: list[str] = []
    for path in real:  # sorted: a folder comes before what it holds
        if not any(_inside(path, b) for b in binds) and not any(_inside(path, h) for h in hidden):
            binds.append(path)
    hidden = [h for h in hidden if any(_inside(h, b) for b in binds)]  # the others are not there anyway
    devices = [path for pattern in DEVICES for path in sorted(glob.glob(f"/dev/{pattern}"))
               if stat.S_ISCHR(os.stat(path).st_mode)]
    return binds, links, hidden, devices


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _resolve(path: str, links: dict[str, str], depth: int = 0) -> str:
    """The real path of ``path``, noting each symbolic link met on the way."""
    current = "/"
    for part in path.strip("/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            current = os.path.dirname(current)
            continue
        step = os.path.join(current, part)
        if os.path.islink(step) and depth < 40:
            links[step] = os.readlink(step)
            step = _resolve(os.path.join(current, links[step]), links, depth + 1)
        current = step
    return current


def _build_root(call, scratch: str, binds: list[str], links: dict[str, str], hidden: list[str],  # type: ignore[no-untyped-def]
                devices: list[str]) -> None:
    """Mount the new root on ``scratch`` (still outside it: it becomes / with pivot_root)."""
    real_scratch = os.open(scratch, os.O_PATH | os.O_DIRECTORY)  # what the tmpfs below covers
    new = scratch.rstrip("/")

    def mount(source: Optional[str], target: str, kind: Optional[str], flags: int, data: Optional[str] = None) -> None:
        call("mount", source and source.encode(), target.encode(), kind and kind.encode(), flags,
             data and data.encode())

    def bind(source: str, target: str, flags: int) -> None:
        mount(source, target, None, MS_BIND | MS_REC)
        locked = os.statvfs(source).f_flag & MS_NOEXEC  # a flag the kernel keeps: restate it
        mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags | locked)

    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
    os.makedirs(new + "/tmp")
    if not any(_inside("/tmp", b) for b in binds):  # first: a virtual environment may be in /tmp
        mount("tmpfs", new + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    for link, target in links.items():
        if not any(_inside(link, b) for b in binds):
            os.makedirs(new + os.path.dirname(link), exist_ok=True)
            if not os.path.lexists(new + link):
                os.symlink(target, new + link)
    for path in binds:
        if os.path.isdir(path):
            os.makedirs(new + path, exist_ok=True)
        else:
            os.makedirs(new + os.path.dirname(path), exist_ok=True)
            open(new + path, "w").close()
        bind(path, new + path, MS_NOSUID | MS_NODEV)
    for path in hidden:
        mount("tmpfs", new + path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=555")

    os.makedirs(new + "/dev")
    mount("tmpfs", new + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755")
    for path in devices:
        open(new + path, "w").close()
        bind(path, new + path, MS_NOSUID)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{new}/dev/{name}")
    os.mkdir(new + "/dev/shm")
    mount("tmpfs", new + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    mount(None, new + "/dev", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC)

    os.makedirs(new + scratch, exist_ok=True)
    mount(f"/proc/self/fd/{real_scratch}", new + scratch, None, MS_BIND)
    os.close(real_scratch)
    os.makedirs(new + "/proc", exist_ok=True)  # mounted while the old /proc is still in view, as the kernel asks
    mount("proc", new + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def _loopback_up() -> None:
    import fcntl
    import socket
    import struct

    SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


def _drop_privileges(libc, root: bool) -> None:  # type: ignore[no-untyped-def]
    """No capability left, none to gain by exec: the mounts above cannot be undone."""
    import ctypes

    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # fails past the last capability: harmless
    if root:  # as root, the program would own half the system
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    if libc.capset(header, data) != 0 or libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise Unavailable(f"dropping capabilities: {os.strerror(ctypes.get_errno())}")


def _start_init(cat: str, stdin: int) -> None:
    """The PID namespace's first process: `cat`, reading a pipe that only the process outside
    holds open. Orphans of the program end up its children; it ends when the outside process
    does, and the kernel then ends every process left in the namespace. (Being first, it
    ignores signals sent from inside: the program could not kill itself if it were first.)"""
    os.posix_spawn(cat, ["cat"], {}, file_actions=[(os.POSIX_SPAWN_DUP2, stdin, 0)])  # a vfork: no copy


def _pass_on(program: int, init_w: int) -> None:
    """The worker as bughunt knows it, outside the namespaces: wait for the program and end as it
    did. Ending closes ``init_w``, which ends the namespace's first process and the rest."""
    import resource
    import signal

    _close_all_but(init_w)  # the pipe to bughunt: it sees the program end when the program does
    _, status = os.waitpid(program, 0)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # the program's own crash dumped already
            if number != signal.SIGKILL:
                signal.signal(number, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, [number])
            os.kill(os.getpid(), number)
        finally:
            os._exit(128 + number)
    os._exit(os.waitstatus_to_exitcode(status))


def _close_all_but(keep: int) -> None:
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)


# The fork server preloads this module after torch (see runner): the plan is made once there
# and every worker inherits it. The bughunt process itself, without torch, makes none.
_PLAN = _plan() if "torch" in sys.modules else None
