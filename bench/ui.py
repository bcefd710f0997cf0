"""Benchmark of the web app (prints figures; not a test).

1. `python app.py` start to the first HTTP 200 (seconds).
2. Tokens/s seen by a streaming gradio_client vs the core pipeline directly, same request (ratio, target >= 0.9),
   in RUNS pairs; each pair's ratio is taken, so a slow moment of a shared machine affects both sides.
   Both count decoding only; the answer's checks after the last token are their own row.
3. Four clients at once: all complete? p50/p95 queue wait, total tokens/s.

Run: `PYTHONPATH=. .venv/bin/python bench/ui.py` (the model `python app.py` loads: PLAYGROUND_MODEL,
else the default; about three minutes on 2 cores with the bundled SmolLM2).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402

import playground  # noqa: E402
from bench.engines import app_model  # noqa: E402
from playground.tasks.examples import load_examples  # noqa: E402
from tests.browser import free_port  # noqa: E402

EXAMPLE = load_examples("translate")[0]
REQUEST = {"code": EXAMPLE.code, "source_language": EXAMPLE.language, "target_language": EXAMPLE.target,
           "temperature": 0.0, "top_p": 0.95, "top_k": 40, "max_tokens": 128, "repeat_penalty": 1.1, "seed": 1234}
RUNS = 10


def start_app() -> tuple[subprocess.Popen[bytes], str, float]:
    """Start app.py on a free port; return the process, its URL and seconds to the first HTTP 200."""
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return proc, url, time.perf_counter() - start
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited with status {proc.returncode}")
        time.sleep(0.05)


def client_tokens_per_s(url: str) -> tuple[float, float, float, float]:
    """Decode tokens/s as a streaming client sees it, the server's own figure, the seconds after the
    last token until the final update (the answer's checks in the sandbox, which the core figure leaves out),
    and tokens/s up to that final update (how this benchmark counted before the answers were checked).

    The client's decode runs from the first update with tokens to the first update with the final count:
    later updates carry the same tokens with the checks' progress and verdict, not decoding."""
    job = Client(url, verbose=False, analytics_enabled=False, download_files=False).submit(
        **REQUEST, api_name="/translate")
    seen: list[tuple[float, int]] = []
    for update in job:
        if update[0] and update[0]["stats"]["completion_tokens"]:
            seen.append((time.perf_counter(), update[0]["stats"]["completion_tokens"]))
    final = job.outputs()[-1][0]
    (t0, n0), last = seen[0], seen[-1]
    t1, n1 = next(s for s in seen if s[1] == last[1])
    return (n1 - n0) / (t1 - t0), final["stats"]["tokens_per_s"], last[0] - t1, (n1 - n0) / (last[0] - t0)


def direct_tokens_per_s() -> float:
    """The same request through playground.stream in this process."""
    params = playground.GenerationParams(**{k: REQUEST[k] for k in
                                            ("temperature", "top_p", "top_k", "max_tokens", "repeat_penalty", "seed")})
    result = playground.run("translate", EXAMPLE.code, language=EXAMPLE.language, target=EXAMPLE.target,
                            params=params)
    return result.stats.tokens_per_s


def concurrent(url: str, n: int = 4) -> dict[str, float]:
    """n clients submit at once: queue wait (submit to first update) per client, and total tokens/s."""
    clients = [Client(url, verbose=False, analytics_enabled=False, download_files=False) for _ in range(n)]
    waits: list[float] = []
    tokens: list[int] = []
    lock = threading.Lock()

    def one(c: Client) -> None:
        sent = time.perf_counter()
        job = c.submit(**{**REQUEST, "max_tokens": 96}, api_name="/translate")
        first = None
        for _ in job:
            first = first or time.perf_counter()
        result = job.outputs()[-1][0]
        with lock:
            waits.append((first or time.perf_counter()) - sent)
            tokens.append(result["stats"]["completion_tokens"] if result.get("done") else -1)

    start = time.perf_counter()
    threads = [threading.Thread(target=one, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    waits.sort()
    return {"completed": sum(1 for t in tokens if t > 0), "clients": n, "p50": statistics.median(waits),
            "p95": waits[min(len(waits) - 1, round(0.95 * (len(waits) - 1)))], "tokens_per_s": sum(tokens) / wall,
            "wall": wall}


def main() -> None:
    proc, url, startup = start_app()
    try:
        client_tokens_per_s(url), direct_tokens_per_s()  # warm-up: model load and prompt cache
        streamed, direct = [], []
        for i in range(RUNS):  # in pairs, each side first in turn, so a busy moment slows both sides alike
            if i % 2:
                direct.append(direct_tokens_per_s())
            streamed.append(client_tokens_per_s(url))
            if not i % 2:
                direct.append(direct_tokens_per_s())
        many = concurrent(url)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    seen = statistics.median(s[0] for s in streamed)
    server = statistics.median(s[1] for s in streamed)
    after = statistics.median(s[2] for s in streamed)
    with_checks = statistics.median(s[3] / d for s, d in zip(streamed, direct, strict=True))
    core = statistics.median(direct)
    ratios = sorted(s[0] / d for s, d in zip(streamed, direct, strict=True))
    quartiles = statistics.quantiles(ratios, n=4)
    rows = [
        ("App start to first HTTP 200", f"{startup:.1f} s"),
        ("Tokens/s, gradio_client streaming (server-side figure)", f"{seen:.1f} ({server:.1f})"),
        ("Tokens/s, core pipeline directly", f"{core:.1f}"),
        ("Last token to the final update (the answer's checks), median", f"{after:.2f} s"),
        ("Ratio client / core (target >= 0.9): median of the pairs' ratios", f"{statistics.median(ratios):.2f}"),
        ("  the same, quartiles of the pairs / lowest to highest",
         f"{quartiles[0]:.2f}-{quartiles[2]:.2f} / {ratios[0]:.2f}-{ratios[-1]:.2f}"),
        ("  the same with the client's time to the final update (checks included)", f"{with_checks:.2f}"),
        ("4 clients at once: completed", f"{many['completed']}/{many['clients']}"),
        ("4 clients: queue wait p50 / p95", f"{many['p50']:.1f} s / {many['p95']:.1f} s"),
        ("4 clients: total tokens/s", f"{many['tokens_per_s']:.1f} (in {many['wall']:.1f} s)"),
    ]
    print(f"Web app benchmark: translate {EXAMPLE.name}, {REQUEST['max_tokens']} new tokens max, "
          f"temperature 0, median of {RUNS}, {app_model()}, {os.cpu_count()} cores\n")
    print("| Measure | Value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
