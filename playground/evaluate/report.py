"""The results table: pass rate per tier, task, model and method, with mean tokens, seconds and candidates."""

from __future__ import annotations

from collections import defaultdict

from .runner import Attempt

Key = tuple[str, str, str, str]  # tier, task, model, method


def _row(key: Key, group: list[Attempt]) -> str:
    passed = sum(a.passed for a in group)
    tokens = sum(a.tokens for a in group) / len(group)
    seconds = sum(a.seconds for a in group) / len(group)
    candidates = sum(a.candidates for a in group) / len(group)
    tier, task, model, method = key
    return (f"| {tier} | {task} | {model} | {method} | {passed}/{len(group)} | {100 * passed / len(group):.0f}% "
            f"| {tokens:.0f} | {seconds:.1f} | {candidates:.1f} |")


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
    lines = ["| tier | task | model | method | passed | rate | mean tokens | s/item | candidates |",
             "|---|---|---|---|---:|---:|---:|---:|---:|"]
    for key in ((t, k, m, x) for t in tiers for k in tasks for m in models for x in methods):
        if key in groups:
            lines.append(_row(key, groups[key]))
    return "\n".join(lines)
