"""Engines benchmark (prints figures; not a test; loopback only).

1. Concurrency: 1, 2, 4 and 8 concurrent gradio_client clients against `python app.py`, once with the
   in-process llama.cpp engine and once with the OpenAI engine talking to a local
   `python -m llama_cpp.server` (bundled model, same prompts): total tokens/s, p50/p95 time to first token.
2. ctransformers vs llama.cpp decode tokens/s on the same GPT-2-architecture weights (written by
   tests/ggml_gpt2.py as GGML for ctransformers and as GGUF for llama.cpp, which no longer reads GGML).

Run: `PYTHONPATH=. .venv/bin/python bench/engines.py [--requests 2] [--clients 1 2 4 8]` (about 5 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NotRequired, TypedDict

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402

from playground.engines import Engine, get_engine_class  # noqa: E402
from playground.models import resolve  # noqa: E402
from playground.params import GenerationParams  # noqa: E402
from playground.settings import get_settings  # noqa: E402
from playground.tasks.examples import load_examples  # noqa: E402
from tests.ggml_gpt2 import write_gguf_gpt2, write_gpt2  # noqa: E402
from tests.llama_server import LlamaServer, free_port  # noqa: E402

EXAMPLE = load_examples("translate")[0]
MAX_TOKENS = 48


class LoadFigures(TypedDict):
    """What load() measured (the first failure's message too, if any request failed)."""

    tps: float
    p50: float
    p95: float
    ok: int
    failed: int
    wall: float
    all_busy: float
    error: NotRequired[str]


class GPT2Shape(TypedDict):
    """The size arguments of tests/ggml_gpt2.py's writers."""

    n_ctx: int
    n_embd: int
    n_head: int
    n_layer: int
    scale: float


def app_model() -> str:
    """The file name of the model `python app.py` loads here (PLAYGROUND_MODEL, else the default)."""
    return resolve(get_settings().model).name


def start_app(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """app.py on a free loopback port with extra environment; returns the process and its URL."""
    port = free_port()
    full = {**os.environ, **env, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1"}
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=full, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(1200):
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited with status {proc.returncode}")
        time.sleep(0.1)
    raise SystemExit("app.py did not start")


def one_request(client: Client, seed: int, max_tokens: int = MAX_TOKENS,
                seen: Callable[[int], None] | None = None) -> tuple[float, int, str]:
    """(time to first token, completion tokens, error) for one streamed translate request.

    `seen` is told the answer's token count so far at every look (for a count at a moment in time)."""
    start, first = time.perf_counter(), None
    job = client.submit(code=EXAMPLE.code, source_language=EXAMPLE.language, target_language=EXAMPLE.target,
                        temperature=0.7, top_p=0.95, top_k=40, max_tokens=max_tokens, repeat_penalty=1.1,
                        seed=seed, api_name="/translate")
    while not job.done():  # look every 10 ms: gradio_client's own iterator polls every 1 ms, a core's worth
        if (outputs := job.outputs()) and outputs[-1][0] and (count := outputs[-1][0]["stats"]["completion_tokens"]):
            first = first or time.perf_counter()
            if seen:
                seen(int(count))
        time.sleep(0.01)
    record = job.outputs()[-1][0] if job.outputs() else None
    if not record or record.get("error"):
        return 0.0, 0, str(record)[:160]
    return (first or time.perf_counter()) - start, int(record["stats"]["completion_tokens"]), ""


def load(url: str, clients: int, requests: int, max_tokens: int = MAX_TOKENS,
         seconds: float | None = None) -> LoadFigures:
    """`clients` threads, each its own gradio_client doing `requests` requests back to back.

    The clients connect (fetch the app's config, as a page load does) before the clock starts: this
    measures a class pressing Generate with the page already open, not page loads. `all_busy` is the share
    of the wall time before the first client finished: after it, fewer requests are in flight (a closed
    batch drains; a class keeps asking). With `seconds`, each client asks again and again instead, and
    `tps` counts the tokens streamed in the first `seconds` (finished answers and the part of those in
    flight), the sustained rate; the answers in flight at the end still finish and count as completed."""
    ttfts: list[float] = []
    tokens, errors, finished = [0], [], []
    live = [0] * clients  # tokens of each client's answer in flight
    lock, stop = threading.Lock(), threading.Event()
    connected = [Client(url, verbose=False, analytics_enabled=False, download_files=False) for _ in range(clients)]

    def worker(n: int) -> None:
        i = 0
        while (i < requests) if seconds is None else not stop.is_set():
            ttft, count, error = one_request(connected[n], seed=100 * n + i, max_tokens=max_tokens,
                                             seen=lambda c: live.__setitem__(n, c))
            with lock:
                (errors.append(error) if error else ttfts.append(ttft))
                tokens[0] += count
                live[n] = 0
            i += 1
        finished.append(time.perf_counter())

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    window = None  # tokens/s in the first `seconds`
    if seconds is not None:
        time.sleep(seconds)
        with lock:
            window = (tokens[0] + sum(live)) / seconds
        stop.set()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    q = statistics.quantiles(ttfts, n=20) if len(ttfts) > 1 else ttfts * 19
    figures: LoadFigures = {
        "tps": tokens[0] / wall if window is None else window,
        "p50": statistics.median(ttfts) if ttfts else 0.0, "p95": q[18] if q else 0.0,
        "ok": len(ttfts), "failed": len(errors), "wall": wall, "all_busy": (min(finished) - start) / wall}
    if errors:
        figures["error"] = errors[0]
    return figures


def concurrency(client_counts: list[int], requests: int) -> dict[str, dict[int, LoadFigures]]:
    results: dict[str, dict[int, LoadFigures]] = {}
    with LlamaServer(threads=os.cpu_count() or 1) as server:
        setups = {
            "llama-cpp (in-process)": {"PLAYGROUND_ENGINE": "llama-cpp"},
            "openai -> llama_cpp.server": {
                "PLAYGROUND_ENGINE": "openai", "PLAYGROUND_OPENAI_BASE_URL": server.base_url,
                "PLAYGROUND_OPENAI_CONCURRENCY": str(max(client_counts)),
                "PLAYGROUND_OPENAI_TEMPLATE_MODEL": "default"},
        }
        for name, env in setups.items():
            proc, url = start_app(env)
            try:
                one_request(Client(url, verbose=False, analytics_enabled=False), 0)  # load the model first
                results[name] = {n: load(url, n, requests) for n in client_counts}
            finally:
                proc.terminate()
                proc.wait(30)
    return results


def decode_rate(engine: Engine, params: GenerationParams) -> tuple[float, float]:
    """(decode tokens/s, seconds to first token) for one 64-token greedy answer."""
    start, first, count = time.perf_counter(), 0.0, 0
    for chunk in engine.stream("The quick brown fox jumps over the lazy dog. " * 4, params):
        count += chunk.n_tokens
        first = first or time.perf_counter()
    end = time.perf_counter()
    return (count - 1) / (end - first), first - start


def ctransformers_vs_llama_cpp(runs: int = 2) -> dict[str, tuple[float, float]]:
    """Same weights (GPT-2 architecture, 768 wide, 6 layers, F32) in both formats.

    Returns (best decode tokens/s of `runs`, first token of the first run = a cold prompt evaluation).
    """
    # scale=0: every logit is 0, so greedy decoding never picks end-of-text and runs the full 64 tokens.
    shape: GPT2Shape = {"n_ctx": 1024, "n_embd": 768, "n_head": 12, "n_layer": 6, "scale": 0.0}
    params = GenerationParams(temperature=0.0, max_tokens=64, repeat_penalty=1.0)
    with tempfile.TemporaryDirectory() as tmp:
        ggml = write_gpt2(Path(tmp) / "bench-gpt2.ggml.bin", **shape)
        gguf = write_gguf_gpt2(Path(tmp) / "bench-gpt2.gguf", **shape)
        engines = {"ctransformers 0.2.27 (GGML file)": get_engine_class("ctransformers")(str(ggml), model_type="gpt2"),
                   "llama-cpp-python (GGUF file)": get_engine_class("llama-cpp")(str(gguf), n_ctx=1024)}
        out = {}
        for name, engine in engines.items():
            rates = [decode_rate(engine, params) for _ in range(runs)]  # later runs reuse the prompt's cache
            out[name] = (max(r[0] for r in rates), rates[0][1])
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--requests", type=int, default=2, help="requests per client")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; translate example, {MAX_TOKENS} new tokens max, temperature 0.7, "
          f"{args.requests} request(s) per client\n")
    results = concurrency(args.clients, args.requests)
    print("| engine | clients | total tokens/s | TTFT p50 | TTFT p95 | ok/failed |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rows in results.items():
        for n, r in rows.items():
            print(f"| {name} | {n} | {r['tps']:.1f} | {r['p50']:.2f} s | {r['p95']:.2f} s | "
                  f"{r['ok']:.0f}/{r['failed']:.0f} |")
    for name, rows in results.items():
        for n, r in rows.items():
            if "error" in r:
                print(f"first failure ({name}, {n} clients): {r['error']}")
    print("\n| back end, same GPT-2 weights (768 wide, 6 layers, F32) | decode tokens/s | "
          "cold prompt (~180 byte tokens) |")
    print("|---|---:|---:|")
    for name, (tps, ttft) in ctransformers_vs_llama_cpp().items():
        print(f"| {name} | {tps:.1f} | {ttft:.2f} s |")


if __name__ == "__main__":
    main()
