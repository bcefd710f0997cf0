"""The Tests task on the evaluation's functions: how many written tests are kept, how many planted bugs they
catch, beside the evaluation's own hand-written tests on the same code (prints figures; asserts nothing).

For each Translate and Simplify item of a tier (basic: short untyped functions; hard-plain: longer ones with
their type hints and examples removed), the model writes tests
through the pipeline (`pipeline.run("tests", ...)`, greedy); checks/suite.py keeps those that pass on the
code and scores them on planted bugs. The item's hidden tests (asserts, or the translate cases as asserts) are
scored the same way: a reference for what "strong" means on that code.

Run: `PYTHONPATH=. .venv/bin/python bench/tests_task.py [--limit 20] [--model qwen2.5-coder-1.5b]
[--examples default|on|off] [--tier basic|hard-plain]` (--examples: the prompt's few-shot example as the
model family's template says, always, or never).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.checks import keep_passing  # noqa: E402
from playground.engines import load_engine  # noqa: E402
from playground.evaluate.dataset import Item, load_items  # noqa: E402
from playground.params import GenerationParams  # noqa: E402
from playground.pipeline import run  # noqa: E402
from playground.prompting import load_template  # noqa: E402
from playground.tasks import base as task_base  # noqa: E402
from playground.tasks import get_task  # noqa: E402
from playground.verdict import Verdict  # noqa: E402


@dataclass
class Row:
    items: int = 0
    with_tests: int = 0
    passing: int = 0  # verdict pass: at least one test kept, and a planted bug caught (or none to plant)
    kept: int = 0
    written: int = 0
    planted: int = 0
    caught: int = 0
    alike: int = 0
    seconds: float = 0.0

    def add(self, verdict: Verdict | None, written: int, seconds: float) -> None:
        self.items += 1
        self.seconds += seconds
        self.written += written
        if verdict is None:
            return
        self.passing += verdict.status == "pass"
        strength = verdict.strength
        if strength is not None:
            self.with_tests += 1
            self.kept += strength.tests
            self.planted += strength.planted
            self.caught += strength.caught
            self.alike += len(strength.alike)

    def line(self, name: str) -> str:
        score = f"{self.caught}/{self.planted} ({100 * self.caught / self.planted:.0f}%)" if self.planted else "-"
        return (f"| {name} | {self.items} | {self.with_tests} | {self.passing} | {self.kept}/{self.written} | "
                f"{score} | {self.alike} | {self.seconds / max(self.items, 1):.1f} |")


def hidden_tests(item: Item) -> str:
    if item.tests.strip():
        return item.tests
    return "\n".join(f"assert {item.function}({', '.join(map(repr, args))}) == {expected!r}"
                     for args, expected in item.cases)


def _count_written(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip().startswith(("assert", ">>>")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--examples", choices=("default", "on", "off"), default="default")
    parser.add_argument("--tier", choices=("basic", "hard-plain"), default="basic",
                        help="basic: short untyped functions; hard-plain: longer ones, hints and examples removed")
    args = parser.parse_args()
    if args.examples != "default":
        shared = load_template("tests").get("examples", [])  # the examples every model family shares
        original = load_template

        def load(name: str, family: str = "") -> dict[str, Any]:
            template = original(name, family)
            return {**template, "examples": shared if args.examples == "on" else []} if name == "tests" else template

        # What the Tests prompt reads; tasks/base.py imports the name without re-exporting it.
        task_base.load_template = load  # type: ignore[attr-defined]
    engine = load_engine("llama-cpp", args.model)
    params = GenerationParams(temperature=0.0, seed=1, max_tokens=args.max_tokens)
    model, hidden = Row(), Row()
    for task in ("translate", "simplify"):
        for item in load_items(task, tier=args.tier)[: args.limit]:
            start = time.perf_counter()
            result = run("tests", item.code, language="python", engine=engine, params=params)
            model.add(result.checks, _count_written(result.answer.text), time.perf_counter() - start)
            start = time.perf_counter()
            reference = keep_passing(get_task("tests").plan(item.code, language="python"), hidden_tests(item))
            hidden.add(reference.verdict, _count_written(hidden_tests(item)), time.perf_counter() - start)
            s = result.checks.strength if result.checks else None
            print(f"{task}/{item.name}: {result.checks.summary() if result.checks else 'no checks'}"
                  f"{'' if s is None else f' (kept {s.tests}, alike {len(s.alike)})'}; hidden: "
                  f"{reference.verdict.summary()}", flush=True)
    print(f"\n{args.model}, greedy, {args.max_tokens} tokens, examples {args.examples}; {model.items} functions "
          f"({args.tier} Translate and Simplify items, Python)")
    print("| tests | functions | with a kept test | verdict pass | kept/written | planted bugs caught | "
          "left out (alike) | s/function |")
    print("|---|---|---|---|---|---|---|---|")
    print(model.line(f"written by {args.model}"))
    print(hidden.line("the evaluation's hidden tests"))


if __name__ == "__main__":
    main()
