"""Start and stop a real llama-cpp-python server (`python -m llama_cpp.server`) on a loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from playground.catalog import SMALL_MODEL
from playground.engines.cpu_backend import environment
from playground.models import resolve


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """One server process serving a model (the small SmolLM2 unless named); use as a context manager."""

    def __init__(self, *extra: str, model: str | None = None, n_ctx: int = 2048, threads: int = 0) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.model_path = str(resolve(model or SMALL_MODEL))
        self.args = [
            sys.executable, "-m", "llama_cpp.server", "--model", self.model_path,
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(n_ctx),
            # Without this the server ends a streaming answer early whenever another request arrives.
            "--interrupt_requests", "false",
            "--n_threads", str(threads or os.cpu_count() or 1), *extra,
        ]
        self.api_key = extra[extra.index("--api_key") + 1] if "--api_key" in extra else ""
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkstemp(prefix="llama-server-", suffix=".log")[1])

    def start(self, timeout: float = 60.0) -> LlamaServer:
        """Start the process and wait until /v1/models answers."""
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT,
                                            # a portable build loads the CPU kernels GGML_BACKEND_PATH names
                                            env={**os.environ, **environment(), "PYTHONUNBUFFERED": "1"})
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text()[-2000:]
                raise RuntimeError(f"llama_cpp.server exited ({self.process.returncode}): {tail}")
            try:
                if httpx.get(self.base_url + "/models", headers=headers, timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not answer within {timeout:.0f} s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log.unlink(missing_ok=True)
