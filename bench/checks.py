"""Checked-answers benchmark (prints figures; asserts nothing).

1. The sandbox's start: compiling CPython-WASI with no cache vs loading the compiled module from the
   cache, and a fresh instance running one print().
2. One check (playground.check on a function with one >>> example), p50/p95 over 30 runs, Python and JavaScript.
3. Per task, over its examples with the bundled model at temperature 0: checks per answer, the time the
   checks of one answer take, and how many answers pass.
4. Best of 4 vs 1 candidate on the same examples: seconds per request and pass rate, side by side.

Run: `PYTHONPATH=. .venv/bin/python bench/checks.py [--rounds 30]` (~10 min on 2 cores).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import pipeline  # noqa: E402
from playground.checks import check  # noqa: E402
from playground.checks.sandbox import Sandbox, get_sandbox  # noqa: E402
from playground.engines import load_engine  # noqa: E402
from playground.params import GenerationParams  # noqa: E402
from playground.result import Status  # noqa: E402
from playground.tasks import TASKS  # noqa: E402
from playground.tasks.examples import load_examples  # noqa: E402

PY = 'def double(x):\n    """\n    >>> double(21)\n    42\n    """\n    return 2 * x\n'
JS = "function double(x) { return 2 * x; }\n"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def sandbox_start() -> None:
    with tempfile.TemporaryDirectory() as folder:
        cold = Sandbox(Path(folder))
        warm = Sandbox(Path(folder))
    print(f"sandbox start: compile {cold.load_s:.2f} s (cached: {cold.cached}), load from the cache "
          f"{1000 * warm.load_s:.1f} ms (cached: {warm.cached}); ratio {cold.load_s / warm.load_s:.0f}x")
    sandbox = get_sandbox()
    times = []
    for _ in range(10):
        start = time.perf_counter()
        sandbox.run(["python", "-c", "print(1)"], b"")
        times.append(time.perf_counter() - start)
    print(f"fresh instance + print(1): p50 {1000 * statistics.median(times):.0f} ms, "
          f"p95 {1000 * pct(times, 0.95):.0f} ms")


def one_check(rounds: int) -> None:
    for name, code, tests in (("python", PY, ""), ("javascript", JS, "assert(double(21) === 42)")):
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            verdict = check(code, language=name, tests=tests)
            times.append(time.perf_counter() - start)
        print(f"one check, {name:<10}: p50 {1000 * statistics.median(times):6.0f} ms, p95 "
              f"{1000 * pct(times, 0.95):6.0f} ms ({verdict.summary()})")


def checked_runs(engine: object, candidates: int) -> dict[str, list[tuple[int, float, float, str]]]:
    """Per task: (checks, seconds checking, seconds in all, status) per example."""
    params = GenerationParams(temperature=0.0, max_tokens=256, candidates=candidates)
    found: dict[str, list[tuple[int, float, float, str]]] = {}
    for task in TASKS:
        rows = []
        for example in load_examples(task):
            extra = {k: v for k, v in (("target", example.target), ("error", example.error),
                                       ("suffix", example.suffix)) if v}
            start, checking, since = time.perf_counter(), 0.0, None
            final = None
            for state in pipeline.stream(task, example.code, language=example.language, params=params,
                                         engine=engine, tests=example.tests, **extra):  # type: ignore[arg-type]
                now = time.perf_counter()
                if since is not None:
                    checking += now - since
                since = now if state.status is Status.CHECKING else None
                final = state
            assert final is not None
            total = final.checks.total if final.checks else 0
            status = final.checks.status if final.checks else "none"
            rows.append((total, checking, time.perf_counter() - start, status))
        found[task] = rows
    return found


def report(single: dict[str, list[tuple[int, float, float, str]]],
           best: dict[str, list[tuple[int, float, float, str]]]) -> None:
    print("\n| Task | Examples | Checks per answer | Checking per answer (p50) | Pass, 1 candidate | "
          "Pass, best of 4 | s/request, 1 | s/request, best of 4 | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for task in TASKS:
        one, four = single[task], best[task]
        t1, t4 = statistics.mean(r[2] for r in one), statistics.mean(r[2] for r in four)
        print(f"| {task} | {len(one)} | {statistics.mean(r[0] for r in one):.1f} | "
              f"{1000 * statistics.median(r[1] for r in one):.0f} ms | "
              f"{sum(r[3] == 'pass' for r in one)}/{len(one)} | {sum(r[3] == 'pass' for r in four)}/{len(four)} | "
              f"{t1:.1f} | {t4:.1f} | {t4 / t1:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    sandbox_start()
    one_check(args.rounds)
    engine = load_engine("llama-cpp", "default")
    single = checked_runs(engine, 1)
    best = checked_runs(engine, 4)
    report(single, best)


if __name__ == "__main__":
    main()
