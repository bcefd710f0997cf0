"""Run untrusted code (a model's answer plus our tests) in a throw-away subprocess.

Layers, strongest available first (`isolation()` says which one is in force):
- "namespaces" (root): a new network namespace with no interfaces (no network), a new mount
  namespace where /tmp, /var/tmp, /dev/shm and /run/lock are read-only and only the temporary
  work directory is writable, a new PID namespace (every process dies with the check), and the
  code runs as user nobody with no capabilities, so the rest of the disk is not writable either.
- "user-namespace" (unprivileged `unshare -rn`): no network; files as the calling user.
- "rlimits-only": no kernel isolation is available; only the layers below.
Always: `python -I -S` / `node` with a minimal environment, a fresh temporary directory as cwd,
a wall-clock timeout that kills the whole process group, resource limits (CPU seconds, file
size, open files, memory), and for Python an audit hook that refuses sockets, subprocesses,
ctypes and writes outside the work directory; for node its permission model (file reads only
inside the work directory, no child processes or workers).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TIMEOUT_S = 10.0
_NOBODY = "65534"
_HERE = Path(__file__).resolve().parent
_ERROR_LINE = re.compile(r"^[\w.]*(Error|Exception|Interrupt)\b")
# Inside the new mount namespace: make the world-writable directories read-only, then the work
# directory ($1) writable again, then drop to nobody without capabilities and run the command.
_MOUNT_SCRIPT = (
    'set -e; mount --make-rprivate /; '
    'for w in /tmp /var/tmp /dev/shm /run/lock; do if [ -d "$w" ]; then '
    'mount --bind "$w" "$w"; mount -o remount,bind,ro "$w"; fi; done; '
    'mount --bind "$1" "$1"; mount -o remount,bind,rw "$1"; cd "$1"; shift; '
    f'exec setpriv --reuid={_NOBODY} --regid={_NOBODY} --clear-groups --inh-caps=-all "$@"'
)


@dataclass(frozen=True)
class Grade:
    """An answer graded by a sandboxed run: passed, a short reason, and what the run printed."""

    passed: bool
    reason: str
    output: str = ""


def _prefix(mode: str, workdir: str) -> list[str]:
    if mode == "namespaces":
        return ["unshare", "--net", "--mount", "--pid", "--kill-child", "sh", "-c", _MOUNT_SCRIPT, "sh", workdir]
    if mode == "user-namespace":
        return ["unshare", "-rn", "--pid", "--kill-child"]
    return []


def _limits(cpu_s: int, memory: bool, mode: str) -> list[str]:
    """A prlimit prefix: CPU seconds, 4 MB per written file, 128 open files, 1 GiB of memory
    (Python only: V8 reserves more address space than it uses), 256 processes for nobody."""
    if shutil.which("prlimit") is None:
        return []
    args = ["prlimit", f"--cpu={cpu_s}", "--fsize=4000000", "--nofile=128"]
    args += ["--nproc=256"] if mode == "namespaces" else []  # per user: only sensible for nobody
    return [*args, "--as=1073741824", "--"] if memory else [*args, "--"]


def _spawn(cmd: list[str], workdir: str, stdin: str, timeout: float) -> tuple[int | None, str, str]:
    """Run cmd in its own process group; kill the group at the timeout. Returns (rc or None, out, err)."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": workdir}
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err


def _probe(mode: str, interpreter: str) -> bool:
    with tempfile.TemporaryDirectory(prefix="pg-probe-") as work:
        os.chmod(work, 0o777)
        cmd = [*_prefix(mode, work), interpreter, "-I", "-S", "-c", "print('ok')"]
        try:
            rc, out, _ = _spawn(cmd, work, "", 10)
        except OSError:
            return False
        return rc == 0 and out.strip() == "ok"


@cache
def _setup() -> tuple[str, str]:
    """The strongest isolation that works here, and a Python interpreter it can run."""
    pythons = list(dict.fromkeys([sys.executable, os.path.realpath(sys.executable),
                                  "/usr/bin/python3", "/usr/local/bin/python3"]))
    pythons = [p for p in pythons if os.access(p, os.X_OK)]
    modes = (["namespaces"] if os.geteuid() == 0 and shutil.which("setpriv") else []) + ["user-namespace"]
    for mode in modes if shutil.which("unshare") else []:
        for python in pythons:
            if _probe(mode, python):
                return mode, python
    return "rlimits-only", sys.executable


def isolation() -> str:
    """Which isolation layer is in force: "namespaces", "user-namespace" or "rlimits-only"."""
    return _setup()[0]


def _run(files: dict[str, str], command: list[str], timeout: float, memory: bool) -> Grade:
    """Write files into a fresh work directory and run command there; pass = exit 0 + the token."""
    mode, _ = _setup()
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="pg-eval-") as work:
        os.chmod(work, 0o777)  # nobody must be able to write its own scratch files here
        for name, text in files.items():
            Path(work, name).write_text(text, "utf-8")
        command = [part.replace("{work}", work) for part in command]
        cmd = [*_limits(int(timeout) + 1, memory, mode), *_prefix(mode, work), *command]
        rc, out, err = _spawn(cmd, work, token + "\n", timeout)
    if rc is None:
        return Grade(False, f"timeout after {timeout:g} s", out[-2000:])
    lines = out.rstrip("\n").split("\n")
    if rc == 0 and lines[-1] == token:
        return Grade(True, "pass", "\n".join(lines[:-1])[-2000:])
    return Grade(False, _reason(err, rc)[:300], (out + err)[-2000:])


def _reason(err: str, rc: int) -> str:
    """The line of stderr that says what went wrong (the exception, not node's version banner)."""
    lines = [line.strip() for line in err.strip().split("\n") if line.strip()]
    for line in reversed(lines):
        if _ERROR_LINE.match(line):
            return line
    return next((line for line in reversed(lines) if not line.startswith("Node.js v")), f"exit code {rc}")


def run_python_tests(solution: str, tests: str, timeout: float = TIMEOUT_S) -> Grade:
    """Run solution then the asserts in tests; passed when every assert holds."""
    _, python = _setup()
    files = {"solution.py": solution, "tests.py": tests,
             "runner.py": (_HERE / "runner_py.py").read_text("utf-8")}
    return _run(files, [python, "-I", "-S", "runner.py"], timeout, memory=True)


def _node_flags() -> list[str]:
    """node's permission model: v22+ spells it --permission, v20-21 --experimental-permission."""
    try:
        major = int(subprocess.run(["node", "--version"], capture_output=True, text=True,
                                   timeout=10).stdout.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return []
    if major >= 22:
        return ["--permission"]
    return ["--experimental-permission"] if major >= 20 else []


@cache
def node_command() -> list[str] | None:
    """The node command line (with its permission flags), or None if node is not installed."""
    node = shutil.which("node")
    return [node, "--no-warnings", "--max-old-space-size=128", *_node_flags()] if node else None


def run_node_cases(solution: str, function: str, cases: list[tuple[list[object], object]],
             timeout: float = TIMEOUT_S) -> Grade:
    """Run a JavaScript solution and call function on each case; passed when all results match."""
    node = node_command()
    if node is None:
        return Grade(False, "node is not installed: apt-get install nodejs")
    files = {"solution.js": solution, "runner.js": (_HERE / "runner_js.js").read_text("utf-8"),
             "cases.json": json.dumps({"name": function, "cases": cases})}
    reads = ["--allow-fs-read={work}"] if any("permission" in flag for flag in node) else []
    return _run(files, [*node, *reads, "runner.js"], timeout, memory=False)
