"""The evaluation sets in examples/eval/<task>.toml: one list of items per task."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parents[2] / "examples" / "eval"
TASK_ORDER = ("complete", "debug", "translate", "simplify")
TIERS = ("basic", "hard")  # basic: examples/eval/*.toml; hard: examples/eval/hard/*.toml


@dataclass(frozen=True)
class Item:
    """One evaluation item: the input code, how to check an answer, and a reference answer."""

    task: str
    name: str
    function: str
    code: str
    solution: str
    tests: str = ""  # Python asserts (complete, debug, simplify)
    cases: tuple[tuple[list[object], object], ...] = ()  # [arguments], expected (translate)
    bug: str = ""  # debug: what the planted bug is


def _cases(text: str) -> tuple[tuple[list[object], object], ...]:
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return tuple((list(args), expected) for args, expected in rows)


@cache
def load_items(task: str, root: Path = EVAL_DIR, tier: str = "basic") -> tuple[Item, ...]:
    """The items of a task's evaluation set in one tier, in file order."""
    folder = root if tier == "basic" else root / tier
    data = tomllib.loads((folder / f"{task}.toml").read_text("utf-8"))
    return tuple(
        Item(task=task, name=e["name"], function=e["function"], code=e["code"].strip("\n") + "\n",
             solution=e["solution"], tests=e.get("tests", ""), cases=_cases(e.get("cases", "")),
             bug=e.get("bug", ""))
        for e in data["items"]
    )
