"""Load and soak test of the web app (prints figures; bounded in count and time; loopback only).

1. Load: N concurrent gradio_client clients (default 8) send requests for S seconds (default 120)
   to a fresh `python app.py`; every request must be answered (or queued, with its position).
2. Soak: G sequential generations (default 300); RSS of the app after warm-up vs at the end.

Run: `PYTHONPATH=. .venv/bin/python bench/load.py [--clients 8] [--seconds 120] [--soak 300]`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gradio_client import Client  # noqa: E402

from bench.ui import start_app  # noqa: E402
from playground.tasks.examples import load_examples  # noqa: E402

MAX_REQUESTS = 2000  # a hard bound on the load phase, whatever the duration
TASKS = ("simplify", "debug", "translate", "complete")


@dataclass
class RequestResult:
    """What one request saw."""

    ok: bool
    seconds: float
    queue_wait: float
    max_position: int | None
    tokens: int
    error: str = ""


@dataclass
class Monitor:
    """Samples the app's resident memory once a second."""

    pid: int
    samples: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as fh:
            line = next(x for x in fh if x.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    def run(self) -> None:
        while not self.stop.wait(1.0):
            self.samples.append(self.rss_mb())


def request(client: Client, task: str, rng: random.Random, max_tokens: int) -> RequestResult:
    example = rng.choice(load_examples(task))
    args: dict[str, object] = {"code": example.code, "source_language": example.language,
                               "temperature": 0.7, "max_tokens": max_tokens, "seed": rng.randint(0, 9999)}
    if task == "translate":
        args["target_language"] = example.target
    if task == "debug":
        args["error_message"] = example.error
    if task == "complete":
        args["suffix"] = example.suffix
    start = time.perf_counter()
    first: float | None = None
    position: int | None = None
    try:
        job = client.submit(**args, api_name=f"/{task}")
        while not job.done():
            status = job.status()
            if status.rank is not None:
                position = max(position or 0, status.rank + 1)
            if first is None and job.outputs():
                first = time.perf_counter()
            time.sleep(0.05)
        record = job.outputs()[-1][0]
        first = first or time.perf_counter()
        ok = bool(record) and record.get("done", True) and not record.get("error")
        tokens = record["stats"]["completion_tokens"] if record else 0
        return RequestResult(ok, time.perf_counter() - start, first - start, position, tokens,
                       "" if ok else str(record)[:200])
    except Exception as exc:  # a failed request is a figure, not a crash of the benchmark
        return RequestResult(False, time.perf_counter() - start, 0.0, position, 0, f"{type(exc).__name__}: {exc}"[:200])


def load_phase(url: str, clients: int, seconds: float) -> list[RequestResult]:
    outcomes: list[RequestResult] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        rng = random.Random(n)
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        while time.perf_counter() < deadline and len(outcomes) < MAX_REQUESTS:
            outcome = request(client, TASKS[n % len(TASKS)], rng, max_tokens=48)
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def soak_phase(url: str, count: int, monitor: Monitor) -> tuple[float, float, int]:
    client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    rng = random.Random(0)
    warm = max(count // 10, 5)
    failures = 0
    after_warmup = monitor.rss_mb()
    for i in range(count):
        failures += not request(client, TASKS[i % len(TASKS)], rng, max_tokens=24).ok
        if i + 1 == warm:
            after_warmup = monitor.rss_mb()
    return after_warmup, monitor.rss_mb(), failures


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else (values[0] if values else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--soak", type=int, default=300)
    args = parser.parse_args()
    proc, url, _ = start_app()
    monitor = Monitor(proc.pid)
    sampler = threading.Thread(target=monitor.run, daemon=True)
    sampler.start()
    try:
        # One request first, so the model is loaded before the clock starts.
        request(Client(url, verbose=False, analytics_enabled=False), "simplify", random.Random(1), 8)
        rss_start = monitor.rss_mb()
        started = time.perf_counter()
        outcomes = load_phase(url, args.clients, args.seconds)
        elapsed = time.perf_counter() - started
        rss_load_end = monitor.rss_mb()
        soak = soak_phase(url, args.soak, monitor) if args.soak else None
    finally:
        monitor.stop.set()
        proc.terminate()
        proc.wait(timeout=30)
    ok = [o for o in outcomes if o.ok]
    waits = [o.queue_wait for o in ok]
    queued = [o for o in outcomes if o.max_position]
    print(f"Load: {args.clients} concurrent gradio_client clients for {args.seconds:.0f} s against app.py "
          "(bundled model, 48 new tokens max, temperature 0.7)")
    print(f"  requests                      {len(outcomes)}")
    print(f"  failed                        {len(outcomes) - len(ok)}")
    for o in [o for o in outcomes if not o.ok][:5]:
        print(f"    failure: {o.error}")
    largest = max((o.max_position or 0) for o in outcomes) if outcomes else 0
    print(f"  saw a queue position          {len(queued)} (largest position {largest})")
    print(f"  wait to first update p50/p95  {pct(waits, 50):.2f} s / {pct(waits, 95):.2f} s")
    print(f"  request time p50/p95          {pct([o.seconds for o in ok], 50):.2f} s / "
          f"{pct([o.seconds for o in ok], 95):.2f} s")
    print(f"  total tokens/s                {sum(o.tokens for o in ok) / elapsed:.1f}")
    print(f"  app RSS before/after load     {rss_start:.0f} MB / {rss_load_end:.0f} MB "
          f"(max {max(monitor.samples or [rss_load_end]):.0f} MB)")
    if soak:
        warm, end, failures = soak
        print(f"Soak: {args.soak} sequential generations")
        print(f"  failed                        {failures}")
        print(f"  RSS after warm-up / at end    {warm:.0f} MB / {end:.0f} MB "
              f"(growth {100 * (end - warm) / warm:.1f}%, target < 10%)")


if __name__ == "__main__":
    main()
