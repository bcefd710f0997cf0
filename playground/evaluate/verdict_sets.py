"""The sets that measure the checks themselves (examples/verdicts/): does a verdict tell right from wrong?

- debug.toml: small functions with one runtime error each, as novices write them, with a right fix and a wrong
  one (unchanged, or still raising the reported error), and the calls that show both; four are the page's own
  Debug examples (`page = true`).
- javascript.toml: JavaScript functions with a right and a wrong Python translation and a right and a wrong
  JavaScript simplification, and ordinary calls on which the wrong ones differ.
bench/verdicts.py reports how the checks judge them; tests/test_verdicts.py checks the sets themselves.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

VERDICTS_DIR = Path(__file__).resolve().parents[2] / "examples" / "verdicts"


def _code(text: str) -> str:
    return text.strip("\n") + "\n" if text.strip() else ""


@dataclass(frozen=True)
class DebugFix:
    """A buggy function, the error it gives, and a right and a wrong fix of it."""

    name: str
    function: str
    error: str
    code: str
    right: str
    wrong: str
    wrong_kind: str  # "unchanged" or "partial"
    edge_only: bool  # the bug shows only on edge inputs (empty, zero, a missing key)
    tests: str
    ordinary: tuple[str, ...]  # calls a person would make
    reported: tuple[str, ...]  # calls on which the code raises the reported error
    page: bool = False  # one of the page's own Debug examples


@dataclass(frozen=True)
class Translation:
    """A JavaScript function with right and wrong Python translations and JavaScript simplifications."""

    name: str
    function: str
    code: str
    python_right: str
    python_wrong: str
    js_right: str
    js_wrong: str
    calls: tuple[str, ...]


def debug_fixes(root: Path = VERDICTS_DIR) -> tuple[DebugFix, ...]:
    data = tomllib.loads((root / "debug.toml").read_text("utf-8"))
    return tuple(DebugFix(e["name"], e["function"], e["error"], _code(e["code"]), _code(e["right"]), _code(e["wrong"]),
                          e["wrong_kind"], bool(e["edge_only"]), _code(e.get("tests", "")), tuple(e["ordinary"]),
                          tuple(e["reported"]), bool(e.get("page", False))) for e in data["items"])


def translations(root: Path = VERDICTS_DIR) -> tuple[Translation, ...]:
    data = tomllib.loads((root / "javascript.toml").read_text("utf-8"))
    return tuple(Translation(e["name"], e["function"], _code(e["code"]), _code(e["python_right"]),
                             _code(e["python_wrong"]), _code(e["js_right"]), _code(e["js_wrong"]), tuple(e["calls"]))
                 for e in data["items"])
