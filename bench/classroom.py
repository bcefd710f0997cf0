"""Classroom benchmark (prints figures; not a test; loopback only).

1. 1, 4, 8 and 16 concurrent gradio_client clients against `python app.py`: the in-process llama.cpp engine
   vs the llama-server engine (slots = clients, up to 8), same prompts: total tokens/s, time to first token
   p50/p95 (client side, from submit to the first update with a token), requests completed, and how much of
   the run every client still had a request to make (after that the batch drains: fewer slots decode);
   then a sustained load: every client asks again and again for 20 s, and the tokens streamed in those
   20 s count (a class that keeps asking; no drain). Checks are off (PLAYGROUND_CHECKS=0): this measures
   generation and serving.
2. A teaching step through HTTP (llama-server's /completion with n_probs) vs a plain generated token.
3. A second student's request with the same task template (the server's prompt cache) vs the first.
4. The 8-client target side by side: both apps up, sustained 20 s windows taken in turns, --pairs times;
   the median of the pairs' ratios (a ratio of two windows seconds apart, not minutes).

Run: `PYTHONPATH=. .venv/bin/python bench/classroom.py [--clients 1 4 8 16] [--requests 2] [--pairs 5]`
(~13 min on 2 cores; `--clients 8` ~9 min).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402

from bench.engines import LoadFigures, app_model, load, one_request, start_app  # noqa: E402
from playground import pipeline  # noqa: E402
from playground.engines.llama_server import LlamaServerEngine  # noqa: E402
from playground.params import GenerationParams  # noqa: E402
from playground.settings import get_settings  # noqa: E402
from playground.tasks import build_prompt  # noqa: E402
from playground.teach.sampling import KEEP  # noqa: E402

TOKENS = 128  # new tokens at most per answer: the translate example's answer is about 120
TARGET_TPS, TARGET_TTFT = 1.4, 0.5  # the targets at 8 clients: >= 1.4x tokens/s, <= 0.5x TTFT p95


class Figures(LoadFigures):
    """A batch's figures, with the sustained run's tokens/s and the counts of both runs."""

    sustained: float
SECONDS = 20.0  # the sustained load: every client asks again and again for this long


IN_PROCESS = {"PLAYGROUND_ENGINE": "llama-cpp"}


def server_env(clients: int, threads: int) -> dict[str, str]:
    """The llama-server app for `clients` at once: slots = clients, up to 8."""
    return {"PLAYGROUND_ENGINE": "llama-server", "PLAYGROUND_SLOTS": str(min(clients, 8)),
            **({"PLAYGROUND_THREADS": str(threads)} if threads else {})}


@contextmanager
def served(env: dict[str, str], clients: int) -> Iterator[str]:
    """`python app.py` with checks off and `env`, its model loaded and warm; yields its URL, then stops it."""
    proc, url = start_app({"PLAYGROUND_CHECKS": "0", **env})
    try:
        one_request(Client(url, verbose=False, analytics_enabled=False), 0)  # load the model
        # A class's server has been answering for a while: every slot has the task template in its cache.
        load(url, clients, 1, max_tokens=8)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def serve_and_load(env: dict[str, str], clients: list[int], requests: int) -> dict[int, Figures]:
    with served(env, max(clients)) as url:
        results: dict[int, Figures] = {}
        for n in clients:
            batch, kept = load(url, n, requests, max_tokens=TOKENS), load(url, n, 0, TOKENS, seconds=SECONDS)
            # the batch's figures, plus the sustained rate, both runs' counts, and the sustained run's error if
            # the batch had none
            results[n] = {**kept, **batch, "sustained": kept["tps"], "ok": batch["ok"] + kept["ok"],
                          "failed": batch["failed"] + kept["failed"]}
        return results


def concurrency(clients: list[int], requests: int, threads: int) -> dict[str, dict[int, Figures]]:
    results = {"llama-cpp (in-process)": serve_and_load(IN_PROCESS, clients, requests)}
    server: dict[int, Figures] = {}
    for n in clients:  # one app per slot count
        server |= serve_and_load(server_env(n, threads), [n], requests)
    results["llama-server (slots = clients, <= 8)"] = server
    return results


def side_by_side(pairs: int, clients: int = 8, threads: int = 0) -> list[tuple[float, float]]:
    """(in-process, llama-server) sustained tokens/s of `pairs` pairs of windows, taken in turns (ABBA...).

    Both apps stay up (the idle one costs ~0.03 of a core: Gradio's queue loop), so the two windows of a
    pair are seconds apart, not the minutes between the two halves of the table: on a shared host the
    speed drifts by 10-20% within minutes, as much as the difference being measured."""
    with served(IN_PROCESS, clients) as local, served(server_env(clients, threads), clients) as remote:
        rows = []
        for i in range(pairs):
            order = [local, remote] if i % 2 == 0 else [remote, local]
            tps = {url: load(url, clients, 0, TOKENS, seconds=SECONDS)["tps"] for url in order}
            rows.append((tps[local], tps[remote]))
        return rows


def teaching_and_cache(rounds: int = 5) -> dict[str, float]:
    """Median ms of a teaching step and of a plain token on the server; TTFT of a first and second request."""
    engine = LlamaServerEngine(get_settings().model, slots=1)  # the model the apps above loaded
    try:
        prompt = build_prompt("translate", "def add(a, b):\n    return a + b\n", engine.info,
                                         source="python", target="javascript")
        ids = engine.tokenize(prompt.text)
        steps, tokens = [], []
        for _ in range(rounds):
            ids = ids + [int(engine.next_distribution(ids, KEEP).ids[0])]  # the prompt is in the slot's cache now
            start = time.perf_counter()
            for _ in range(16):
                dist = engine.next_distribution(ids, KEEP)
                ids = ids + [int(dist.ids[0])]
            steps.append((time.perf_counter() - start) / 16 * 1000)
            params = GenerationParams(temperature=0.0, max_tokens=64, repeat_penalty=1.0)
            times = [time.perf_counter() for _ in engine.stream(prompt.text, params)]
            tokens.append((times[-1] - times[0]) / max(1, len(times) - 1) * 1000)
        firsts, seconds = [], []
        for round_ in range(rounds):
            engine.reset()  # the first student: nothing of the template in the cache
            fresh = pipeline.run("simplify", f"x{round_} = {round_}\n", language="python", engine=engine, checks=False,
                                 params=GenerationParams(temperature=0.0, max_tokens=16))
            again = pipeline.run("simplify", f"values{round_} = [v for v in range({round_ + 3})]\n", checks=False,
                                 language="python", engine=engine, params=GenerationParams(temperature=0.0,
                                                                                          max_tokens=16))
            firsts.append(fresh.stats.ttft_s)
            seconds.append(again.stats.ttft_s)
        return {"step": statistics.median(steps), "token": statistics.median(tokens),
                "first": statistics.median(firsts), "second": statistics.median(seconds),
                "cached": again.stats.cached_tokens, "prompt": again.stats.prompt_tokens}
    finally:
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 8, 16])
    parser.add_argument("--requests", type=int, default=2, help="requests per client")
    parser.add_argument("--pairs", type=int, default=5, help="8-client sustained windows side by side (0: none)")
    parser.add_argument("--server-threads", type=int, default=0, help="PLAYGROUND_THREADS for the server (0: cores)")
    args = parser.parse_args()
    print(f"Classroom benchmark: {os.cpu_count()} cores, translate example, {TOKENS} new tokens max, "
          f"temperature 0.7, {args.requests} request(s) per client, {app_model()}\n")
    results = concurrency(args.clients, args.requests, args.server_threads)
    print(f"| engine | clients | total tokens/s, {args.requests} each | all clients asking | total tokens/s, "
          f"sustained {SECONDS:.0f} s | TTFT p50 | TTFT p95 | completed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rows in results.items():
        for n, r in rows.items():
            print(f"| {name} | {n} | {r['tps']:.1f} | {r['all_busy']:.0%} of {r['wall']:.1f} s | "
                  f"{r['sustained']:.1f} | {r['p50']:.2f} s | {r['p95']:.2f} s | "
                  f"{r['ok']:.0f}/{r['ok'] + r['failed']:.0f} |")
    local, remote = results.values()
    for n in args.clients:
        tps, ttft = remote[n]["tps"] / local[n]["tps"], remote[n]["p95"] / max(local[n]["p95"], 1e-9)
        kept = remote[n]["sustained"] / local[n]["sustained"]
        goal = f" (targets >= {TARGET_TPS} and <= {TARGET_TTFT})" if n == 8 else ""
        print(f"{n:>2} clients: server / in-process total tokens/s {tps:.2f} ({args.requests} each), {kept:.2f} "
              f"(sustained), TTFT p95 {ttft:.2f}{goal}")
    for name, rows in results.items():
        for n, r in rows.items():
            if "error" in r:
                print(f"first failure ({name}, {n} clients): {r['error']}")
    if args.pairs:
        turns = side_by_side(args.pairs, threads=args.server_threads)
        ratios = [server / max(local, 1e-9) for local, server in turns]
        print(f"\n8 clients, sustained {SECONDS:.0f} s windows, the two apps taking turns (both up):\n")
        print("| pair | in-process tokens/s | llama-server tokens/s | ratio |\n|---:|---:|---:|---:|")
        for i, ((local_tps, server_tps), ratio) in enumerate(zip(turns, ratios, strict=True), 1):
            print(f"| {i} | {local_tps:.1f} | {server_tps:.1f} | {ratio:.2f} |")
        met = sum(r >= TARGET_TPS for r in ratios)
        print(f"median ratio {statistics.median(ratios):.2f} (lowest {min(ratios):.2f}, highest {max(ratios):.2f}); "
              f"{met} of {len(ratios)} pairs >= {TARGET_TPS}")
    t = teaching_and_cache()
    print("\n| llama-server, one slot | median |\n|---|---:|")
    print(f"| plain generated token | {t['token']:.1f} ms |")
    print(f"| teaching step (/completion, n_probs = {min(KEEP, 256)}) | {t['step']:.1f} ms |")
    print(f"| ratio step / plain token (target < 3) | {t['step'] / t['token']:.2f} |")
    print(f"| time to first token, first student (cache empty) | {t['first']:.3f} s |")
    print(f"| time to first token, second student, same template | {t['second']:.3f} s |")
    print(f"| ratio second / first | {t['second'] / t['first']:.2f} |")
    print(f"| prompt tokens reused from the cache (second) | {t['cached']:.0f} of {t['prompt']:.0f} |")


if __name__ == "__main__":
    main()
