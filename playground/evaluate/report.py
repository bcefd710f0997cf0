"""The results table: pass rate per tier, task, model and method, with mean tokens, seconds (mean, p50, p95 per
request) and candidates."""

from __future__ import annotations

import math
from collections import defaultdict

from .runner import Attempt

Key = tuple[str, str, str, str]  # tier, task, model, method


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of values lie (nearest rank: one of the values, never an interpolation)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]


def _row(key: Key, group: list[Attempt]) -> str:
    passed = sum(a.passed for a in group)
    tokens = sum(a.tokens for a in group) / len(group)
    seconds = [a.seconds for a in group]
    candidates = sum(a.candidates for a in group) / len(group)
    tier, task, model, method = key
    return (f"| {tier} | {task} | {model} | {method} | {passed}/{len(group)} | {100 * passed / len(group):.0f}% "
            f"| {tokens:.0f} | {sum(seconds) / len(seconds):.1f} | {percentile(seconds, 0.5):.1f} / "
            f"{percentile(seconds, 0.95):.1f} | {candidates:.1f} |")


def table(attempts: list[Attempt]) -> str:
    """A Markdown table; an "all" row per tier, model and method sums the tasks."""
    groups: dict[Key, list[Attempt]] = defaultdict(list)
    for a in attempts:
        groups[(a.tier, a.task, a.model, a.method)].append(a)
        groups[(a.tier, "all", a.model, a.method)].append(a)
    tiers = list(dict.fromkeys(a.tier for a in attempts))
    tasks = list(dict.fromkeys(a.task for a in attempts)) + ["all"]
    models = list(dict.fromkeys(a.model for a in attempts))
    methods = list(dict.fromkeys(a.method for a in attempts))
    lines = ["| tier | task | model | method | passed | rate | mean tokens | s/item | s p50 / p95 | candidates |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for key in ((t, k, m, x) for t in tiers for k in tasks for m in models for x in methods):
        if key in groups:
            lines.append(_row(key, groups[key]))
    return "\n".join(lines)


def checks_table(attempts: list[Attempt]) -> str:
    """How the pipeline's own checks did against the hidden tests, for the methods that ran them: coverage
    (answers whose verdict rests on running the code), false passes (the checks passed an answer the hidden
    tests fail) and false fails (the other way), with the time spent writing example calls. Repaired passes:
    chosen answers a repair turn made that the checks passed, and how many of them the hidden tests fail (the
    repair fitted what it was shown, not the task: the hidden tests are held back from the feedback)."""
    groups: dict[Key, list[Attempt]] = defaultdict(list)
    for a in attempts:
        if a.verdict:
            groups[(a.tier, a.task, a.model, a.method)].append(a)
            groups[(a.tier, "all", a.model, a.method)].append(a)
    if not groups:
        return ""
    lines = ["| tier | task | model | method | behaviour checked | checks pass | false passes | checks fail | "
             "false fails | repaired passes | of them false | calls s/item |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    order = {k: i for i, k in enumerate(dict.fromkeys(a.task for a in attempts))}
    for key in sorted(groups, key=lambda k: (k[0], order.get(k[1], len(order)), k[2], k[3])):
        group = groups[key]
        ran = [a for a in group if a.verdict in ("pass", "fail")]
        passes = [a for a in group if a.verdict == "pass"]
        fails = [a for a in group if a.verdict == "fail"]
        false_pass = sum(not a.passed for a in passes)
        false_fail = sum(a.passed for a in fails)
        repaired = [a for a in passes if a.repaired]
        overfit = sum(not a.passed for a in repaired)
        calls = sum(a.calls_seconds for a in group) / len(group)
        lines.append(f"| {' | '.join(key)} | {len(ran)}/{len(group)} ({100 * len(ran) / len(group):.0f}%) | "
                     f"{len(passes)} | {false_pass}{_share(false_pass, len(passes))} | {len(fails)} | "
                     f"{false_fail}{_share(false_fail, len(fails))} | {len(repaired)} | "
                     f"{overfit}{_share(overfit, len(repaired))} | {calls:.1f} |")
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    return f" ({100 * part / whole:.0f}%)" if whole else ""
