"""Do the verdicts tell right from wrong? (prints figures; asserts nothing)

1. Debug (examples/verdicts/debug.toml): each buggy function's right fix and wrong fix, judged exactly as the
   Debug tab judges them (`playground.check(fix, against=buggy, expect=Expect.FIXED, error=...)`, with the default
   model writing example calls as the tab does, or without a model with --no-model). Reports the share of
   right fixes judged pass and of wrong fixes judged fail, per exception, and the page's own four examples.
2. JavaScript (examples/verdicts/javascript.toml): right and wrong Python translations and JavaScript
   simplifications of each function, checked against it (`check(answer, against=js, against_language=...)`):
   the share whose verdict rests on running the code, right ones passed, wrong ones passed (false passes).
3. With --answers: the default model translates each JavaScript function to Python and simplifies it, through
   the pipeline at its default settings; the share of those answers whose verdict rests on behaviour.

Run: `PYTHONPATH=. .venv/bin/python bench/verdicts.py [--no-model] [--answers] [--limit N]`
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.checks import CheckPlan, Expect, Verdict, check  # noqa: E402
from playground.derive import with_written_calls  # noqa: E402
from playground.engines import Engine, load_engine  # noqa: E402
from playground.evaluate.verdict_sets import debug_fixes, translations  # noqa: E402
from playground.params import GenerationParams  # noqa: E402
from playground.pipeline import run  # noqa: E402


def share(n: int, total: int) -> str:
    return f"{n}/{total} ({100 * n / total:.0f}%)" if total else "0/0"


def debug(engine: Engine | None, limit: int | None) -> None:
    items = debug_fixes()[:limit]
    rows: dict[str, list[tuple[str, str]]] = defaultdict(list)  # exception -> (right verdict, wrong verdict)
    warned, seconds, wrong_shown = 0, [], []

    def writer(plan: CheckPlan) -> CheckPlan:
        return with_written_calls(plan, engine) if engine is not None else plan

    for item in items:
        verdicts: list[Verdict] = []
        for fix in (item.right, item.wrong):
            start = time.perf_counter()
            verdicts.append(check(fix, against=item.code, expect=Expect.FIXED, error=item.error, tests=item.tests,
                                  write_calls=writer))
            seconds.append(time.perf_counter() - start)
        right, wrong = verdicts
        exception = item.error.strip().splitlines()[-1].split(":")[0]
        rows[exception].append((right.status, wrong.status))
        warned += bool(right.warnings)
        flag = "" if right.status == "pass" and wrong.status == "fail" else "   <-- "
        print(f"{item.name:24} right: {right.status:5} {right.sentence()[:70]:70} | wrong: {wrong.status}{flag}")
        if right.status != "pass" or wrong.status != "fail":
            wrong_shown.append(item.name)
    print()
    print("| exception | items | right fixes judged pass | wrong fixes judged fail |")
    print("|---|---:|---:|---:|")
    for exception, pairs in sorted(rows.items()):
        print(f"| {exception} | {len(pairs)} | {share(sum(r == 'pass' for r, _ in pairs), len(pairs))} | "
              f"{share(sum(w == 'fail' for _, w in pairs), len(pairs))} |")
    pairs = [p for group in rows.values() for p in group]
    print(f"| all | {len(pairs)} | {share(sum(r == 'pass' for r, _ in pairs), len(pairs))} | "
          f"{share(sum(w == 'fail' for _, w in pairs), len(pairs))} |")
    page = [(i, v) for i, v in zip(items, pairs, strict=True) if i.page]
    print(f"\nthe page's Debug examples: right fixes pass {share(sum(v[0] == 'pass' for _, v in page), len(page))}, "
          f"wrong fixes fail {share(sum(v[1] == 'fail' for _, v in page), len(page))}")
    print(f"right fixes passed with a warning row (an edge input still raises): {warned}")
    print(f"seconds per check: p50 {statistics.median(seconds):.2f}, max {max(seconds):.2f} "
          f"({'the model writes calls once per item, cached' if engine else 'no model'})")
    if wrong_shown:
        print("misjudged:", ", ".join(wrong_shown))


def javascript(engine: Engine | None, limit: int | None) -> None:
    items = translations()[:limit]

    def writer(plan: CheckPlan) -> CheckPlan:
        return with_written_calls(plan, engine) if engine is not None else plan

    print("\n| answers | checked | verdict rests on behaviour | judged pass |")
    print("|---|---:|---:|---:|")
    for label, field, language in (("Python translations, right", "python_right", "python"),
                                   ("Python translations, wrong", "python_wrong", "python"),
                                   ("JavaScript simplifications, right", "js_right", "javascript"),
                                   ("JavaScript simplifications, wrong", "js_wrong", "javascript")):
        verdicts = [check(getattr(item, field), language=language, against=item.code, against_language="javascript",
                          write_calls=writer) for item in items]
        behaviour = sum(v.behaviour > 0 and v.status in ("pass", "fail") for v in verdicts)
        passed = sum(v.status == "pass" for v in verdicts)
        print(f"| {label} | {len(verdicts)} | {share(behaviour, len(verdicts))} | {share(passed, len(verdicts))} |")
        if field.endswith("wrong") and passed:
            print("  false passes:", ", ".join(i.name for i, v in zip(items, verdicts, strict=True)
                                                if v.status == "pass"))


def answers(engine: Engine, limit: int | None) -> None:
    items = translations()[:limit]
    print("\n| the model's answers (default settings) | answers | verdict rests on behaviour | pass | s/request p50 |")
    print("|---|---:|---:|---:|---:|")
    for task, target in (("translate", "python"), ("simplify", None)):
        verdicts, seconds = [], []
        for item in items:
            start = time.perf_counter()
            result = run(task, item.code, language="javascript", target=target, engine=engine,
                         params=GenerationParams(temperature=0.0, max_tokens=256))
            seconds.append(time.perf_counter() - start)
            verdicts.append(result.checks)
        behaviour = sum(v is not None and v.behaviour > 0 and v.status in ("pass", "fail") for v in verdicts)
        passed = sum(v is not None and v.status == "pass" for v in verdicts)
        label = f"JavaScript -> {target or 'JavaScript'} ({task})"
        print(f"| {label} | {len(verdicts)} | {share(behaviour, len(verdicts))} | {share(passed, len(verdicts))} | "
              f"{statistics.median(seconds):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-model", action="store_true", help="judge without the model's example calls")
    parser.add_argument("--answers", action="store_true", help="also answer the JavaScript set with the model")
    parser.add_argument("--limit", type=int, default=None, help="only the first N items of each set")
    parser.add_argument("--model", default="default")
    args = parser.parse_args()
    engine = None if args.no_model and not args.answers else load_engine("llama-cpp", args.model)
    print(f"model for the example calls: {'none' if args.no_model else engine.info.name if engine else 'none'}")
    debug(None if args.no_model else engine, args.limit)
    javascript(None if args.no_model else engine, args.limit)
    if args.answers and engine is not None:
        answers(engine, args.limit)


if __name__ == "__main__":
    main()
