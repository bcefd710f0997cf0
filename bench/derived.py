"""Checks for code without examples: the same answers checked with and without the model's example calls
(prints figures; asserts nothing).

Reads answers an evaluation run saved (`python -m playground.evaluate --methods pipeline --out FILE.jsonl`),
and checks each one twice, as the pipeline would: (a) with what the code itself gives (its examples, its own
calls, inputs generated from type hints), today's checks without a model; (b) the same plus example calls
the model writes (playground/derive.py). Against the hidden tests, per tier and task:
- behaviour checked: answers whose verdict rests on running the code (pass or fail, not "parses" or "none");
- false passes: the checks pass an answer the hidden tests fail; false fails: the other way round;
- the time the model took to write the calls (once per input; later answers to it reuse them).

Run: `PYTHONPATH=. .venv/bin/python bench/derived.py FILE.jsonl [--model qwen2.5-coder-1.5b]`
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.checks import run_checks  # noqa: E402
from playground.derive import with_written_calls  # noqa: E402
from playground.engines import Engine, load_engine  # noqa: E402
from playground.evaluate.dataset import load_items  # noqa: E402
from playground.tasks import get_task  # noqa: E402

# (tier, task, passed the hidden tests, verdict without the model's calls, verdict with them, seconds writing them)
Row = tuple[str, str, bool, str, str, float]


def verdicts(task: str, original: str, answer: str, engine: Engine | None) -> tuple[str, float]:
    """(verdict, seconds the model spent writing calls) for one answer, with the model's calls if engine."""
    target = "javascript" if task == "translate" else None
    plan = get_task(task).plan(original, language="python", target=target)
    seconds = 0.0
    if engine is not None and plan.wanted:
        start = time.perf_counter()
        plan = with_written_calls(plan, engine)
        seconds = time.perf_counter() - start
    program = answer
    return run_checks(plan, program).status, seconds


def stats(group: list[Row], index: int) -> tuple[str, str, str]:
    """(behaviour checked, false passes, false fails) of a group of rows, by the verdict at index."""
    ran = [r for r in group if r[index] in ("pass", "fail")]
    passes = [r for r in group if r[index] == "pass"]
    fails = [r for r in group if r[index] == "fail"]
    false_pass = sum(not r[2] for r in passes)
    false_fail = sum(r[2] for r in fails)
    return (f"{len(ran)}/{len(group)} ({100 * len(ran) / len(group):.0f}%)",
            f"{false_pass} of {len(passes)} passes", f"{false_fail} of {len(fails)} fails")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("jsonl", nargs="+")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="the model that writes the calls")
    parser.add_argument("--method", default="pipeline", help="whose answers to check (default: pipeline)")
    args = parser.parse_args()
    engine = load_engine("llama-cpp", args.model)
    items = {}
    rows: list[Row] = []
    for path in args.jsonl:
        for line in Path(path).read_text("utf-8").splitlines():
            a = json.loads(line)
            if a["method"] != args.method or a["task"] == "complete":  # Complete has no original to compare with
                continue
            key = (a["tier"], a["task"])
            if key not in items:
                items[key] = {i.name: i for i in load_items(a["task"], tier=a["tier"])}
            item = items[key][a["item"]]
            before, _ = verdicts(a["task"], item.code, a["code"], None)
            after, seconds = verdicts(a["task"], item.code, a["code"], engine)
            rows.append((a["tier"], a["task"], a["passed"], before, after, seconds))
            print(f"{a['tier']}/{a['task']}/{a['item']}: hidden {'pass' if a['passed'] else 'fail'}, "
                  f"checks {before} -> {after} ({seconds:.1f} s)", file=sys.stderr, flush=True)
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row[0], row[1])].append(row)
        groups[(row[0], "all")].append(row)
    print(f"\nanswers of method {args.method!r}; calls written by {engine.info.name}\n")
    print("| tier | task | answers | behaviour checked: without -> with the model's calls | false passes | "
          "false fails | calls s/input |")
    print("|---|---|---:|---|---|---|---:|")
    for (tier, task), group in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] == "all", kv[0][1])):
        b, a = stats(group, 3), stats(group, 4)
        asked = [r[5] for r in group if r[5] > 0]
        mean = sum(asked) / len(asked) if asked else 0.0
        print(f"| {tier} | {task} | {len(group)} | {b[0]} -> {a[0]} | {b[1]} -> {a[1]} | {b[2]} -> {a[2]} | "
              f"{mean:.1f} |")


if __name__ == "__main__":
    main()
