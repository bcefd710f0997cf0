"""The verdict of an answer's checks: rows of the Checks panel, shown the same way by the UI, CLI, API and eval."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

NO_CHECKS = "no checks: add >>> examples to the code or tests in the Tests box"
SYNTAX_ONLY = "parses; behaviour not checked"

# Where a check came from, as the Checks panel and --json say it (Item.origin), in the order a reader takes them:
# the calls a person wrote or would write first, inputs nobody chose last.
ORIGINS = {
    "example": "from the examples",
    "test": "from the tests",
    "input": "a call in the code",
    "program": "running the program",
    "model": "written by the model",
    "edge": "an edge case written by the model",
    "intended": "expected result written by the model",
    "generated": "generated",
    "error": "from the error",
    "syntax": "syntax",
    "mutants": "planted bugs",
    "claim": "an example in the explanation, run on the code",
    "unchanged": "the answer against your code",
}
READABLE = ("unchanged", "program", "example", "test", "input", "model", "edge", "intended", "error", "mutants",
            "claim", "syntax")


def rank(item: Item) -> int:
    """Where a row goes in the panel: failures first, then the readable calls before generated inputs."""
    order = [*READABLE, "generated"]
    return (0 if not item.passed and not item.timed_out else 2 if not item.warning else 1) * 100 + (
        order.index(item.origin) if item.origin in order else len(order))


def plainest(item: Item) -> tuple[int, int]:
    """The panel's order (rank), then the shortest call: the row a person takes in first."""
    return rank(item), len(item.name)


@dataclass(frozen=True)
class Item:
    """One row of the Checks panel."""

    name: str
    passed: bool
    expected: str = ""
    got: str = ""
    error: str = ""
    seconds: float = 0.0
    origin: str = "example"  # a key of ORIGINS
    warning: str = ""  # a passed check a person should look at ("still raises IndexError on `f([])`: intended?")
    timed_out: bool = False  # the machine was too busy to finish it: neither passed nor failed, not counted
    line: int = 0  # the line of the answer the error was raised on (0: none, or not known)

    @property
    def ran(self) -> bool:
        """Whether this check ran the code (a syntax check only reads it)."""
        return self.origin != "syntax"

    @property
    def readable(self) -> bool:
        """Whether a person wrote or would write this check (not an input generated from types)."""
        return self.origin in READABLE

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "expected": self.expected, "got": self.got,
                "error": self.error, "seconds": round(self.seconds, 4), "origin": self.origin,
                **({"warning": self.warning} if self.warning else {}),
                **({"timed_out": True} if self.timed_out else {}), **({"line": self.line} if self.line else {})}


@dataclass(frozen=True)
class Strength:
    """How strong written tests are: of the bugs planted in the code (checks/mutants.py), how many they catch."""

    tests: int
    planted: int
    caught: int
    missed: list[str] = field(default_factory=list)  # the bugs no test caught: "line 4: < → <="
    alike: list[str] = field(default_factory=list)  # changes left out: they behaved like the code on every probe
    probes: int = 0  # inputs the missed changes were tried on


    def sentence(self) -> str:
        tests = f"{self.tests} test{'s' if self.tests != 1 else ''}"
        if not self.planted:
            return f"{tests} pass; no bug could be planted"
        return f"{'these ' if self.tests != 1 else 'this '}{tests} catch{'es' if self.tests == 1 else ''} " \
               f"{self.caught} of {self.planted} planted bugs"

    def to_dict(self) -> dict[str, Any]:
        return {"tests": self.tests, "planted": self.planted, "caught": self.caught, "missed": list(self.missed),
                "alike": list(self.alike), "probes": self.probes}


class VerdictStatus(StrEnum):
    """A verdict, as the page colours it and `--json` writes it (the member is equal to its string)."""

    PASS = "pass"  # every check passed, and at least one ran the code
    FAIL = "fail"  # a check failed
    PARSES = "parses"  # the only checks read the syntax: nobody compared its behaviour
    NONE = "none"  # nothing to check (a note says why)


@dataclass(frozen=True)
class Verdict:
    """How one answer did on its checks (a value: its rows and notes are tuples, whatever sequence is given)."""

    items: Sequence[Item] = ()
    notes: Sequence[str] = ()  # what was not checked, and why
    candidate: int = 1
    candidates_tried: int = 1
    strength: Strength | None = None  # the Tests task: how many planted bugs the kept tests catch

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "notes", tuple(self.notes))

    @property
    def judged(self) -> list[Item]:
        """The checks that passed or failed (not the ones a busy machine could not finish)."""
        return [i for i in self.items if not i.timed_out]

    def failed_runs(self) -> list[Item]:
        """The checks that ran the code and failed (not a syntax row, not one the machine was too busy to finish)."""
        return [i for i in self.judged if not i.passed and i.ran]

    @property
    def passed(self) -> int:
        return sum(i.passed for i in self.judged)

    @property
    def total(self) -> int:
        return len(self.judged)

    @property
    def timed_out(self) -> int:
        return len(self.items) - len(self.judged)

    @property
    def warnings(self) -> list[str]:
        return [i.warning for i in self.items if i.warning]

    @property
    def behaviour(self) -> int:
        """How many of the checks ran the code (0 when only its syntax was checked)."""
        return sum(i.ran for i in self.judged)

    @property
    def status(self) -> VerdictStatus:
        """PASS, FAIL, PARSES (every check passed, but none ran the code) or NONE (nothing to check)."""
        if not self.judged:
            return VerdictStatus.NONE
        if self.passed < self.total:
            return VerdictStatus.FAIL
        return VerdictStatus.PASS if self.behaviour else VerdictStatus.PARSES

    def summary(self) -> str:
        if self.status is VerdictStatus.NONE:
            return NO_CHECKS if not self.timed_out else f"not checked: {self.timed_out} checks timed out"
        if self.status is VerdictStatus.PARSES:
            return SYNTAX_ONLY
        if self.strength is not None:
            return self.strength.sentence()
        if self.status is VerdictStatus.PASS:
            return f"passes {self.total}/{self.total}"
        return f"fails {self.total - self.passed} of {self.total}"

    def sentence(self) -> str:
        """The verdict as a learner reads it: what failed, on which call, expected and got; or what to look at."""
        if self.status is VerdictStatus.FAIL and self.strength is None:
            first = min((i for i in self.judged if not i.passed), key=rank)
            n = self.total - self.passed
            what = f"{n} of {self.total} checks fail" if n > 1 else f"1 of {self.total} checks fails"
            got = f"got {first.got}" if first.got else f"it raised {first.error}" if first.error else "got nothing"
            return f"{what}, e.g. {first.name}: expected {first.expected or 'no error'}, {got}"
        text = self.summary()
        warnings = self.warnings
        if warnings:
            more = f" (and {len(warnings) - 1} more like it)" if len(warnings) > 1 else ""
            text += f"; {warnings[0]}{more}"
        if self.timed_out:
            n = self.timed_out
            text += f"; {n} check{'s' if n != 1 else ''} timed out on a busy machine and {'are' if n != 1 else 'is'} " \
                    "not counted"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.status, "passed": self.passed, "total": self.total, "behaviour": self.behaviour,
                "summary": self.sentence(), "warnings": len(self.warnings), "timed_out": self.timed_out,
                "items": [i.to_dict() for i in self.items], "notes": list(self.notes),
                "candidate": self.candidate, "candidates_tried": self.candidates_tried,
                **({"strength": self.strength.to_dict()} if self.strength is not None else {})}


def closest(verdicts: list[Verdict]) -> int:
    """Which of several failing candidates' verdicts to keep: the one that passed most (the earliest of
    equals). When some checks hold the model's own expected results (Debug's "intended" tests, which may be
    wrong), a candidate's count is multiplied by how many candidates passed exactly the same checks: answers
    that agree with each other and with the tests win (CodeT's dual agreement, Chen et al. 2022)."""
    passed = [frozenset(i.name for i in v.items if i.passed) for v in verdicts]
    agree = any(i.origin == "intended" for v in verdicts for i in v.items)
    scores = [v.passed * (passed.count(p) if agree else 1) for v, p in zip(verdicts, passed, strict=True)]
    return scores.index(max(scores))
