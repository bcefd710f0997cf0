"""Repair from the checks vs fresh samples, at equal budget, on the page's own examples (prints figures;
asserts nothing).

For each task's examples (examples/<task>/, what a new user clicks first) and each policy, the default model
(or --model) answers with up to --budget answers, at temperature 0 for the first: one answer alone, then
`fresh` (best of n: new samples), `repair` (follow-up turns with what failed) and `mixed` (both in turn).
Printed per task and policy: answers that pass their checks, answers generated per request (mean), tokens
and seconds per request (p50, p95), side by side in one run so the machine's load is shared alike; then each
example's verdict per policy.

Run: `PYTHONPATH=. .venv/bin/python bench/repair.py [--tasks debug,translate] [--budget 3] [--policies repair]`
(2 cores, default model: ~15 min for every task and policy).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import pipeline  # noqa: E402
from playground.engines import Engine, load_engine  # noqa: E402
from playground.params import GenerationParams, Policy  # noqa: E402
from playground.result import Result  # noqa: E402
from playground.tasks import TASKS, Request  # noqa: E402
from playground.tasks.examples import Example, load_examples  # noqa: E402

Row = tuple[str, int, int, float]  # verdict, answers generated, tokens, seconds


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def answer(engine: Engine, example: Example, params: GenerationParams) -> tuple[Result, float]:
    request = Request.build(example.task, example.code, language=example.language, target=example.target,
                            error=example.error, suffix=example.suffix, tests=example.tests, params=params)
    start = time.perf_counter()
    result = pipeline.run_request(request, engine=engine, checks=True)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", default=",".join(t for t in TASKS if t != "explain"))
    parser.add_argument("--budget", type=int, default=3)
    parser.add_argument("--policies", default="one," + ",".join(Policy),
                        help="comma-separated: one (a single answer), fresh, repair, mixed")
    parser.add_argument("--model", default="default")
    parser.add_argument("--max-tokens", type=int, default=384)
    args = parser.parse_args()
    engine = load_engine("llama-cpp", args.model)
    asked = args.policies.split(",")
    runs = [("1 answer", 1, Policy.FRESH)] * ("one" in asked) + [(f"{p} x{args.budget}", args.budget, p)
                                                                 for p in Policy if p in asked]
    print(f"model {engine.info.name}, budget {args.budget} answers, first answer greedy, "
          f"max {args.max_tokens} tokens\n")
    print("| task | policy | pass | answers/request | tokens p50 | s p50 | s p95 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    verdicts: dict[tuple[str, str], list[str]] = {}
    for task in args.tasks.split(","):
        examples = load_examples(task)
        for label, budget, policy in runs:
            params = GenerationParams(temperature=0.0, max_tokens=args.max_tokens, candidates=budget, policy=policy)
            rows: list[Row] = []
            for example in examples:
                result, seconds = answer(engine, example, params)
                status = result.checks.status if result.checks else "none"
                rows.append((status, max(len(result.attempts), 1), result.stats.completion_tokens, seconds))
                verdicts.setdefault((task, example.name), []).append(f"{label}: {status}"
                                                                     f" ({len(result.attempts)} answers)")
            passed = sum(r[0] == "pass" for r in rows)
            print(f"| {task} | {label} | {passed}/{len(rows)} | {statistics.mean(r[1] for r in rows):.1f} | "
                  f"{statistics.median(r[2] for r in rows):.0f} | {statistics.median(r[3] for r in rows):.1f} | "
                  f"{pct([r[3] for r in rows], 0.95):.1f} |", flush=True)
    print()
    for (task, name), seen in verdicts.items():
        print(f"{task}/{name}: " + "; ".join(seen))


if __name__ == "__main__":
    main()
