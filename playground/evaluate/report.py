"""The results table: pass rate per task, model and method, with mean tokens and seconds."""

from __future__ import annotations

from collections import defaultdict

from .runner import Attempt


def _row(label: tuple[str, str, str], group: list[Attempt]) -> str:
    passed = sum(a.passed for a in group)
    tokens = sum(a.tokens for a in group) / len(group)
    seconds = sum(a.seconds for a in group) / len(group)
    task, model, method = label
    return (f"| {task} | {model} | {method} | {passed}/{len(group)} | {100 * passed / len(group):.0f}% "
            f"| {tokens:.0f} | {seconds:.1f} |")


def table(attempts: list[Attempt]) -> str:
    """A Markdown table; an "all" row per model and method sums the tasks."""
    groups: dict[tuple[str, str, str], list[Attempt]] = defaultdict(list)
    for a in attempts:
        groups[(a.task, a.model, a.method)].append(a)
        groups[("all", a.model, a.method)].append(a)
    tasks = list(dict.fromkeys(a.task for a in attempts)) + ["all"]
    models = list(dict.fromkeys(a.model for a in attempts))
    methods = list(dict.fromkeys(a.method for a in attempts))
    lines = ["| task | model | prompt | passed | rate | mean tokens | s/item |",
             "|---|---|---|---:|---:|---:|---:|"]
    for task in tasks:
        for model in models:
            for method in methods:
                if (task, model, method) in groups:
                    lines.append(_row((task, model, method), groups[(task, model, method)]))
    return "\n".join(lines)
