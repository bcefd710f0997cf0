"""The tutor's hints on the evaluation's Debug items (prints figures; not a test).

For each item (its buggy code, as a student would paste it, without an error message; the item's known fix says
where the bug is): the ladder's fix (the Debug answer, checked), step 1 and step 2 with the model's words, timed;
and where the item's tests raise an exception on the buggy code (run in the sandbox), that traceback explained.
- where to look: step 1's line is a line the known fix changes (and how many of those lines were the model's
  answer to "which line?", asked when the fix changed nothing and nothing failed); with a call: step 1 names a call
  that shows the problem;
- leaks: step 2's model words that gave a fix away (replaced by the facts), and steps 1-2 as shown that still
  hold a line of the known fix or code that makes the program pass (should be 0);
- sure: the ladder rests on a fix that passed its checks;
- time to the first hint (the ladder: the fix, the runs that find the call, a guessed line; and step 1) against
  the answer alone (the fix as the Debug tab gives it), and to step 2 after it (the model's example calls when
  step 1 had no call, and the model's words), p50 and p95;
- explanations: the exception and the line named (and whether the model's own words named them), reproduced.

Run: `PYTHONPATH=. .venv/bin/python bench/hints.py [--basic N] [--hard N] [--model qwen2.5-coder-1.5b]` (all 62
items by default, ~30 min on 2 cores with the default model; `--hard -1` leaves a tier out).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.checks import Expect, plan_checks, run_checks  # noqa: E402
from playground.checks.debug import line_text  # noqa: E402
from playground.engines import Engine, load_engine  # noqa: E402
from playground.evaluate.dataset import load_items  # noqa: E402
from playground.explain_error import explain_error  # noqa: E402
from playground.hints import changed_lines, climb, leaks  # noqa: E402
from playground.params import GenerationParams  # noqa: E402
from playground.settings import get_settings  # noqa: E402
from playground.tasks import Request  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Tally:
    items: int = 0
    where: int = 0
    guessed: int = 0  # step 1's line was the model's answer to "which line?" (no change, no failure, no error)
    guessed_right: int = 0
    with_call: int = 0  # step 1 names a call that shows the problem (a failing check, or one the fix answers otherwise)
    call_by_2: int = 0  # a call was found by step 2 (the model's example calls, when nothing cheaper gave one)
    sure: int = 0
    leaked_words: int = 0
    leaks_shown: int = 0
    first_s: list[float] = field(default_factory=list)
    second_s: list[float] = field(default_factory=list)
    answer_s: list[float] = field(default_factory=list)
    errors: int = 0  # items whose tests raise an exception on the buggy code (not a wrong value)
    named: int = 0  # explanations that name the exception and the line it happened on
    named_by_model: int = 0  # of them, the model's own words did (no facts put first)
    reproduced: int = 0
    explain_s: list[float] = field(default_factory=list)


def run_tier(tier: str, count: int, model: str) -> Tally:
    engine = load_engine(get_settings().engine, model)
    settings = get_settings()
    tally = Tally()
    for item in load_items("debug", tier=tier)[:count or None]:
        request = Request.build("debug", item.code, language="python", params=GenerationParams(
            temperature=0.0, candidates=settings.candidates, policy=settings.policy))
        one, ladder = climb(request, 1, engine)  # the ladder (the fix, the calls, a guessed line) and step 1
        called_at_1 = bool(ladder.call)
        two, ladder = climb(request, 2, engine, ladder)  # finding a call with the model's example calls if need be
        known_lines, known_fixed = changed_lines(item.code, item.solution)
        known = replace(ladder, changed=known_lines or ladder.changed, fixed_lines=known_fixed)
        tally.items += 1
        tally.where += one.line in known_lines
        guessed = ladder.guessed is not None and one.line == ladder.guessed and not ladder.changed
        tally.guessed += guessed
        tally.guessed_right += guessed and one.line in known_lines
        tally.with_call += called_at_1
        tally.call_by_2 += bool(ladder.call)
        tally.sure += ladder.sure
        tally.leaked_words += two.leaked
        tally.leaks_shown += sum(leaks(known, h.text) or leaks(ladder, h.text) for h in (one, two))
        tally.first_s.append(one.seconds)
        tally.second_s.append(two.seconds)
        tally.answer_s.append(ladder.fix.stats.total_s)  # the Debug answer alone, as the tab would give it
        print(f"  {tier}/{item.name}: line {one.line}{' (guessed)' if guessed else ''} (known fix: "
              f"{list(known_lines)}), call {ladder.call or '-'}{'' if called_at_1 else ' (at step 2)'}, sure "
              f"{ladder.sure}, leaked words {int(two.leaked)}, first hint {one.seconds:.1f} s, second "
              f"{two.seconds:.1f} s (answer {ladder.fix.stats.total_s:.1f} s)", flush=True)
        print(f"      1: {one.text[:150]!r}\n      2: {two.text[:150]!r}", flush=True)
        explain(item.code, item.tests, item.function, engine, tally, f"{tier}/{item.name}")
    return tally


def explain(code: str, tests: str, function: str, engine: Engine, tally: Tally, name: str) -> None:
    """The item's real error, as a student would paste it: the traceback of the first test that raises on the
    buggy code (run in the sandbox), explained; does the explanation name the exception and its line?"""
    plan = plan_checks(code, language="python", answer="python", expect=Expect.OWN_CHECKS, tests=tests)
    raised = next((i for i in run_checks(plan, code).items if i.error and i.line and not i.error.startswith(
        ("AssertionError", "not run"))), None)
    if raised is None:
        return
    exception = raised.error.split(":")[0].strip()
    call = raised.name.removeprefix(">>> ").removeprefix("assert ")
    traceback = (f'Traceback (most recent call last):\n  File "main.py", line 40, in <module>\n    {call}\n'
                 f'  File "main.py", line {raised.line}, in {function}\n    {line_text(code, raised.line)}\n'
                 f"{raised.error}")
    said = explain_error(code, traceback, "python", engine)
    ok = exception in said.text and f"line {raised.line}" in said.text
    tally.errors += 1
    tally.named += ok
    tally.named_by_model += ok and not said.added
    tally.reproduced += said.reproduced
    tally.explain_s.append(said.seconds)
    print(f"      error {exception} at line {raised.line}: named {ok} (facts added {said.added}), reproduced "
          f"{said.reproduced}: {said.text[:140]!r}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--basic", type=int, default=0, help="the first N basic items (default: all)")
    parser.add_argument("--hard", type=int, default=0, help="the first N hard items (default: all)")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    args = parser.parse_args()
    os.environ.setdefault("PLAYGROUND_DATA_DIR", str(ROOT / ".bench-data"))
    started = time.time()
    rows = [(tier, run_tier(tier, n, args.model)) for tier, n in (("basic", args.basic), ("hard", args.hard))
            if n >= 0]
    print(f"\nmodel {args.model}, {os.cpu_count()} cores, up to {get_settings().candidates} answers per fix "
          f"({get_settings().policy}), greedy hints; {time.time() - started:.0f} s in all\n")
    print("| tier | items | where to look | of them guessed by the model (right) | a call at step 1 (by step 2) | "
          "sure | step 2's words leaked (replaced) | leaks shown | first hint p50 / p95 | the answer alone p50 / p95 | "
          "step 2 p50 / p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for tier, t in rows:
        n = t.items
        print(f"| {tier} | {n} | {t.where}/{n} ({100 * t.where / n:.0f}%) | {t.guessed} ({t.guessed_right}) | "
              f"{t.with_call} ({t.call_by_2})/{n} | {t.sure}/{n} | {t.leaked_words} of {n} | {t.leaks_shown} | "
              f"{statistics.median(t.first_s):.1f} / {percentile(t.first_s, 0.95):.1f} s "
              f"| {statistics.median(t.answer_s):.1f} / {percentile(t.answer_s, 0.95):.1f} s "
              f"| {statistics.median(t.second_s):.1f} / {percentile(t.second_s, 0.95):.1f} s |")
    print("\n| tier | items whose tests raise | explanation names exception and line | by the model's own words | "
          "reproduced in the sandbox | seconds p50 / p95 |")
    print("|---|---:|---:|---:|---:|---:|")
    for tier, t in rows:
        if t.errors:
            print(f"| {tier} | {t.errors} | {t.named}/{t.errors} | {t.named_by_model}/{t.errors} | "
                  f"{t.reproduced}/{t.errors} | {statistics.median(t.explain_s):.1f} / "
                  f"{percentile(t.explain_s, 0.95):.1f} s |")


if __name__ == "__main__":
    main()
