"""The sandbox, from the outside: every escape attempt ends as a failed check with a reason, within its limits,
nothing appears on the host, and the next check works. Real wasmtime (CPython-WASI) and QuickJS."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from playground.checks import run_checks, run_snippet
from playground.checks.sandbox import Limits, get_sandbox
from playground.tasks import get_task
from playground.verdict import Verdict

pytestmark = pytest.mark.sandbox
MARKER = Path("/tmp/playground-escape-marker")
OK_CODE = "def f(x: int) -> int:\n    return x + 1\n"
OK_TESTS = "assert f(1) == 2"


def verdict_of(code: str, tests: str, language: str = "python") -> Verdict:
    plan = get_task("complete").plan("x = 1\n" if language == "python" else "", language=language, tests=tests)
    return run_checks(plan, code)


def assert_next_check_works(language: str = "python") -> None:
    if language == "python":
        verdict = verdict_of(OK_CODE, OK_TESTS)
    else:
        verdict = verdict_of("function f(x) { return x + 1; }", "assert(f(1) === 2)", "javascript")
    assert verdict.status == "pass", verdict.items


@pytest.fixture(scope="module", autouse=True)
def listener() -> object:
    """A real socket on the host that sandboxed code tries to reach."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[object] = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True)
    thread.start()
    yield server, accepted
    server.close()


PYTHON_ESCAPES = [
    ("read a host file", "def f():\n    return open('/etc/passwd').read()\n", "assert f()",
     r"PermissionError|Capabilities"),
    ("write a host file", f"def f():\n    open('{MARKER}', 'w').write('x')\n    return 1\n", "assert f() == 1",
     r"PermissionError|Capabilities|No such file"),
    ("list the host's root", "import os\ndef f():\n    return os.listdir('/')\n", "assert 'etc' in f()",
     r"AssertionError|PermissionError|FileNotFoundError"),
    ("open a socket", "import socket\ndef f(port):\n    socket.create_connection(('127.0.0.1', port))\n    return 1\n",
     "assert f(PORT) == 1", r"AttributeError: module '_socket'|OSError|Not supported"),
    ("a raw socket", "import socket\ndef f(port):\n    s = socket.socket()\n    s.connect(('127.0.0.1', port))\n"
     "    return 1\n", "assert f(PORT) == 1", r"OSError|Not supported"),
    ("os.system", "import os\ndef f():\n    return os.system('touch /tmp/x')\n", "assert f() == 0", r"AttributeError"),
    ("subprocess", "import subprocess\ndef f():\n    return subprocess.run(['ls']).returncode\n", "assert f() == 0",
     r"OSError|AttributeError|ModuleNotFoundError|not supported|Errno"),
    ("fork", "import os\ndef f():\n    return os.fork()\n", "assert f() >= 0", r"AttributeError"),
    ("an endless loop", "def f():\n    while True:\n        pass\n", "assert f()", r"CPU limit|time limit"),
    ("deep recursion", "import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n + 1)\n", "assert f(0)",
     r"RecursionError|stack limit|crashed|CPU limit|time limit"),  # time: a busy machine's cores
    ("a memory bomb", "def f():\n    return len(bytearray(1 << 30))\n", "assert f()", r"MemoryError"),
    ("a 100 MB print", "def f():\n    print('x' * 100_000_000)\n    return 1\n", "assert f() == 1", r"OutputLimit"),
    ("sys.exit", "import sys\ndef f():\n    sys.exit(3)\n", "assert f() is None", r"SystemExit"),
    ("a __del__ that loops", "class A:\n    def __del__(self):\n        while True:\n            pass\n"
     "def f():\n    a = A()\n    del a\n    return 1\n", "assert f() == 1", r"CPU limit|time limit"),
    ("a huge integer", "def f():\n    return 10 ** 10 ** 9\n", "assert f() > 0", r"CPU limit|time limit|MemoryError"),
    ("exit at load", "import os\nos._exit(0)\n", OK_TESTS, r"not run|exited"),
]


@pytest.mark.parametrize(("what", "code", "tests", "reason"), PYTHON_ESCAPES, ids=[e[0] for e in PYTHON_ESCAPES])
def test_python_escape_attempts_fail_with_a_reason(what: str, code: str, tests: str, reason: str,
                                                   listener: tuple[socket.socket, list[object]]) -> None:
    MARKER.unlink(missing_ok=True)
    port = listener[0].getsockname()[1]
    started = time.monotonic()
    verdict = verdict_of(code, tests.replace("PORT", str(port)))
    elapsed = time.monotonic() - started
    item = verdict.items[-1]
    assert verdict.status == "fail" and not item.passed, (what, item)
    assert __import__("re").search(reason, item.error), (what, item.error)
    assert elapsed < 3 * Limits().wall_s + 5, f"{what} took {elapsed:.1f} s"  # the limits held (a restart at most)
    assert not MARKER.exists() and not Path("/tmp/x").exists()
    assert listener[1] == [], "a connection reached the host"
    assert_next_check_works()


JS_ESCAPES = [
    ("an endless loop", "function f() { while (true) {} }", "assert(f())", r"time limit"),
    ("a memory bomb", "function f() { const a = []; while (true) a.push(new Array(1e6).fill(1)); }", "f()",
     r"out of memory|memory limit"),
    ("require", "function f() { return require('fs').readFileSync('/etc/passwd'); }", "f()", r"require"),
    ("process", "function f() { return process.exit(1); }", "f()", r"process"),
    ("fetch", "function f() { return fetch('http://127.0.0.1/'); }", "f()", r"fetch"),
    ("a flood of output", "function f() { for (let i = 0; i < 1e6; i++) console.log('x'.repeat(100)); return 1; }",
     "assert(f() === 1)", r"."),
]


@pytest.mark.parametrize(("what", "code", "tests", "reason"), JS_ESCAPES, ids=[e[0] for e in JS_ESCAPES])
def test_javascript_escape_attempts_fail_with_a_reason(what: str, code: str, tests: str, reason: str) -> None:
    started = time.monotonic()
    verdict = verdict_of(code, tests, "javascript")
    item = verdict.items[-1]
    if what == "a flood of output":  # QuickJS keeps only the cap; the program itself may still pass
        report = run_snippet(code, "javascript", "f()")
        assert "more characters not kept" in report.output and len(report.output) < 70_000
    else:
        assert verdict.status == "fail" and not item.passed and __import__("re").search(reason, item.error), item
    assert time.monotonic() - started < 15
    assert_next_check_works("javascript")


def test_a_fresh_instance_each_run_shares_nothing() -> None:
    first = run_snippet("import builtins\nbuiltins.leak = 42\n", "python", "1")
    second = run_snippet("x = 1\n", "python", "__import__('builtins').__dict__.get('leak')")
    assert first.ok and second.ok and second.value == ""  # None: the second run never saw the first's change


def test_the_compiled_module_is_cached_on_disk() -> None:
    sandbox = get_sandbox()
    assert sandbox.cache_path.is_file() and sandbox.cache_path.suffix == ".cwasm"


def test_output_near_the_cap_keeps_every_result() -> None:
    """A case that prints almost 64 KB still reports (its result line is longer than the output cap)."""
    code = "def f():\n    print('y' * 65000)\n    return [1] * 5000\n"
    verdict = verdict_of(code, "assert f()[0] == 1\nassert len(f()) == 5000")
    assert verdict.status == "pass", verdict.items
    big = run_snippet("def f():\n    return ['x' * 60000] * 100\n", "python", "f()")
    assert big.ok and "too large to show" in big.value


def test_javascript_stopped_by_the_time_limit_keeps_what_it_printed() -> None:
    report = run_snippet("function f() { console.log('before the loop'); while (true) {} }", "javascript", "f()")
    assert report.error.startswith("time limit") and "before the loop" in report.output
    assert run_snippet("function g() { return 2; }", "javascript", "g()").value == "2"  # the next run works
