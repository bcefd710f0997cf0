"""playground.restore: a rewrite keeps the imports, constants and helpers of the original it still uses."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import pytest

from playground import pipeline
from playground.engines import Chunk
from playground.lint import lint
from playground.params import GenerationParams
from playground.restore import restore_missing
from tests.fakes import FakeEngine

ORIGINAL = '''from typing import Dict, List
import math as m
import os

def total(xs: List[int]) -> int:
    """Sum of the numbers.

    >>> total([1, 2, 3])
    6
    """
    s = 0
    for x in xs:
        s += x
    return s
'''
ANSWER = "def total(xs: List[int]) -> int:\n    return sum(xs)\n"


def test_the_imports_the_answer_uses_come_back_at_its_top() -> None:
    code, names = restore_missing(ANSWER, ORIGINAL)
    assert names == ["List"]
    assert code == "from typing import Dict, List\n\n\n" + ANSWER  # the statement as the user wrote it
    assert not [f for f in lint(code) if "undefined name" in f.message]


@pytest.mark.parametrize(("answer", "expected"), [
    (ANSWER, ["List"]),
    ("def f(x):\n    return m.sqrt(x) + os.sep.count(x)\n", ["m", "os"]),  # aliases and plain imports
    ("def f():\n    return 1\n", []),  # nothing missing: unchanged
    ("def f(:\n", []),  # an answer that does not parse: unchanged
    ("def f(x):\n    return undefined_thing(x)\n", []),  # missing, but not imported by the original either
])
def test_only_what_is_missing_and_imported_by_the_original(answer: str, expected: list[str]) -> None:
    code, names = restore_missing(answer, ORIGINAL)
    assert names == expected
    assert (code == answer) == (not expected)


def test_they_go_after_a_docstring_and_future_imports() -> None:
    answer = '"""Totals."""\nfrom __future__ import annotations\nimport sys\n\n' + ANSWER
    code, _ = restore_missing(answer, ORIGINAL)
    assert code.splitlines()[:3] == ['"""Totals."""', "from __future__ import annotations",
                                     "from typing import Dict, List"]
    assert restore_missing(ANSWER, "def f(:\n") == (ANSWER, [])  # an original that does not parse


HELPERS = '''import re
from typing import Dict

UNITS: Dict[str, int] = {"s": 1, "m": 60}
PATTERN = re.compile(r"(\\d+)([sm])")


def _seconds(amount: str, unit: str) -> int:
    return int(amount) * UNITS[unit]


@staticmethod
def unused() -> None:
    pass


def parse(text: str) -> int:
    """Seconds in a duration.

    >>> parse("1m30s")
    90
    """
    return sum(_seconds(a, u) for a, u in PATTERN.findall(text))
'''


def test_constants_and_helpers_come_back_with_what_they_need_in_turn() -> None:
    answer = ("import math\n\ndef parse(text: str) -> int:\n"
              "    return sum(_seconds(a, u) for a, u in PATTERN.findall(text))\n")
    code, names = restore_missing(answer, HELPERS)
    assert names == ["PATTERN", "_seconds", "re", "UNITS", "Dict"]  # what those need, then what that needs
    assert not [f for f in lint(code) if "undefined name" in f.message]
    assert "unused" not in code  # only what the answer uses
    lines = code.splitlines()
    assert lines[:3] == ["import re", "from typing import Dict", "import math"]  # imports at the top
    assert code.index("UNITS: Dict") < code.index("def _seconds") < code.index("def parse")
    decorated = "def f():\n    return unused()\n"
    assert "@staticmethod\ndef unused" in restore_missing(decorated, HELPERS)[0]  # with its decorator


class Dropper(FakeEngine):
    """Answers with the function alone, its imports left out (what small models often do)."""

    def pieces(self, prompt: str, params: GenerationParams, stop: list[str] | None,
               cancel: threading.Event | None) -> Iterable[Chunk]:
        return [Chunk(line + "\n") for line in ANSWER.splitlines()] + [Chunk("```")]


@pytest.mark.parametrize("task", ["debug", "simplify"])
def test_the_pipeline_shows_and_checks_the_answer_with_its_imports(task: str) -> None:
    result = pipeline.run(task, ORIGINAL, language="python", engine=Dropper(), checks=True,
                          params=GenerationParams(temperature=0.0, max_tokens=64))
    assert result.answer.code.startswith("from typing import Dict, List\n")
    assert "uses List, which it left out: kept from the original" in result.notice
    assert result.checks is not None and result.checks.status == "pass"  # the >>> example ran in the sandbox
    js = pipeline.run("translate", ORIGINAL, language="python", target="javascript", engine=Dropper(), checks=False)
    assert "from typing" not in js.answer.code  # another language: nothing to keep
