"""A Hugging Face Space's install, end to end: a fresh virtualenv from pre-requirements.txt and requirements.txt
alone, `python app.py` started as a Space starts it (GRADIO_SERVER_NAME=0.0.0.0, port 7860, SPACE_ID set, no
PLAYGROUND_* settings), and a checked answer through the API with the default model.

The one difference from a Space: llama-cpp-python is not compiled again (~15 min). pip takes the wheel `make`
built from requirements.txt's own llama-cpp-python line (same settings, so the same portable build a Space
compiles) through PIP_FIND_LINKS, pinned to that version; everything else is installed by pip as a Space does."""

from __future__ import annotations

import importlib.metadata
import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.llama_server import free_port

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parent.parent
SPACE_PORT = 7860
CODE = '''def total(numbers):
    """
    >>> total([1, 2, 3])
    6
    """
    result = 0
    for n in numbers:
        result = result + n
    return result
'''


def portable_wheel() -> Path | None:
    """The llama-cpp-python wheel `make` built from requirements.txt's line, with its kernels for every CPU."""
    version = importlib.metadata.version("llama-cpp-python")
    builds = Path.home() / ".cache" / "pip" / "llama-builds"
    for wheel in sorted(builds.glob(f"portable-*/wheels/**/llama_cpp_python-{version}-*.whl"),
                        key=lambda p: p.stat().st_mtime, reverse=True):
        with zipfile.ZipFile(wheel) as archive:
            if "llama_cpp/lib/libggml-cpu-x64.so" in archive.namelist():
                return wheel
    return None


def wait_serving(app: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> str:
    """Wait until the app's page answers 200: "" then, else why not (it exited, or no answer in time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            return f"app.py exited ({app.returncode}): {log.read_text()[-3000:]}"
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return ""
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return f"app.py did not answer in {timeout:.0f} s: {log.read_text()[-3000:]}"


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_a_space_installs_from_requirements_alone_starts_and_answers_checked(tmp_path: Path) -> None:
    wheel = portable_wheel()
    if wheel is None:
        pytest.skip("no portable llama-cpp-python wheel in ~/.cache/pip/llama-builds (built by `make test`)")
    venv = tmp_path / "space"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (tmp_path / "pin.txt").write_text(f"llama-cpp-python=={importlib.metadata.version('llama-cpp-python')}\n")
    ours = ("PLAYGROUND_", "GRADIO_", "PIP_", "VIRTUAL_ENV", "GGML_", "PYTHON")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    pins = {"PIP_FIND_LINKS": str(wheel.parent), "PIP_CONSTRAINT": str(tmp_path / "pin.txt")}
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", "pre-requirements.txt"],
                             cwd=ROOT, env=clean, capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-3000:]
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", "requirements.txt"], cwd=ROOT,
                             env={**clean, **pins}, capture_output=True, text=True, timeout=1800)
    assert install.returncode == 0, install.stderr[-3000:]
    python = venv / "bin" / "python"
    where = "import llama_cpp, pathlib; print(pathlib.Path(llama_cpp.__file__).parent)"
    lib = subprocess.run([str(python), "-c", where], capture_output=True, text=True, check=True).stdout.strip()
    assert (Path(lib) / "lib" / "libggml-cpu-x64.so").exists(), "the Space got the portable build"

    port = SPACE_PORT if port_free(SPACE_PORT) else free_port()  # 7860 as on a Space, unless this machine uses it
    log = tmp_path / "app.log"
    env = {**clean, "GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_SERVER_PORT": str(port),
           "SPACE_ID": "teacher/playground", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as out:
        app = subprocess.Popen([str(python), "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        failure = wait_serving(app, url, log, 300)
        assert not failure, failure
        from gradio_client import Client

        answer = json.loads(Client(url, verbose=False).predict(code=CODE, source_language="python",
                                                              api_name="/simplify_code"))
        checks = answer["checks"]
        assert answer["code"].strip() and not answer["stopped"], answer
        assert checks["behaviour"] and checks["verdict"] in ("pass", "fail"), checks  # run in the sandbox
        assert any(item["origin"] == "example" for item in checks["items"]), checks
        assert app.poll() is None, "the app is still serving"
        assert "Illegal instruction" not in log.read_text()
    finally:
        app.terminate()
        app.wait(30)
