"""The evaluation sets in examples/eval/<task>.toml: one list of items per task."""

from __future__ import annotations

import ast
import json
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from ..tasks import get_task

EVAL_DIR = Path(__file__).resolve().parents[2] / "examples" / "eval"
TASK_ORDER = ("complete", "debug", "translate", "simplify", "explain")
# basic: examples/eval/*.toml (untyped, no examples); hard: examples/eval/hard/*.toml (typed, with >>> examples);
# hard-plain: the hard items with their type hints and >>> examples taken out, as most pasted code comes.
TIERS = ("basic", "hard", "hard-plain")
PLAIN = "-plain"


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
    if tier.endswith(PLAIN):
        return tuple(replace(item, code=plain(item.code)) for item in load_items(task, root, tier.removesuffix(PLAIN)))
    folder = root if tier == "basic" else root / tier
    data = tomllib.loads((folder / f"{get_task(task).eval_set or task}.toml").read_text("utf-8"))
    return tuple(
        Item(task=task, name=e["name"], function=e["function"], code=e["code"].strip("\n") + "\n",
             solution=e["solution"], tests=e.get("tests", ""), cases=_cases(e.get("cases", "")),
             bug=e.get("bug", ""))
        for e in data["items"]
    )


def plain(code: str) -> str:
    """The code without its type hints and the >>> examples of its docstrings (the prose stays); code that
    does not parse comes back unchanged."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        node.returns = None
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                arg.annotation = None
        doc = ast.get_docstring(node, clean=False)
        if doc is not None and ">>>" in doc:
            first = node.body[0]
            assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            indent = " " * (node.col_offset + 4)
            first.value.value = (doc[: doc.index(">>>")].rstrip() or "(examples removed)") + "\n" + indent
    return ast.unparse(tree) + "\n"
