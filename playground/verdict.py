"""The verdict of an answer's checks: rows of the Checks panel, shown the same way by the UI, CLI, API and eval."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NO_CHECKS = "no checks: add >>> examples to the code or tests in the Tests box"
SYNTAX_ONLY = "parses; behaviour not checked"

# Where a check came from, as the Checks panel and --json say it (Item.origin).
ORIGINS = {
    "example": "from the examples",
    "test": "from the tests",
    "input": "a call in the code",
    "program": "running the program",
    "model": "written by the model",
    "intended": "expected result written by the model",
    "generated": "generated",
    "error": "from the error",
    "syntax": "syntax",
    "mutants": "planted bugs",
}


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

    @property
    def ran(self) -> bool:
        """Whether this check ran the code (a syntax check only reads it)."""
        return self.origin != "syntax"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "expected": self.expected, "got": self.got,
                "error": self.error, "seconds": round(self.seconds, 4), "origin": self.origin}


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


@dataclass
class Verdict:
    """How one answer did on its checks."""

    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not checked, and why
    candidate: int = 1
    candidates_tried: int = 1
    strength: Strength | None = None  # the Tests task: how many planted bugs the kept tests catch

    @property
    def passed(self) -> int:
        return sum(i.passed for i in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def behaviour(self) -> int:
        """How many of the checks ran the code (0 when only its syntax was checked)."""
        return sum(i.ran for i in self.items)

    @property
    def status(self) -> str:
        """"pass", "fail", "parses" (every check passed, but none ran the code) or "none" (nothing to check)."""
        if not self.items:
            return "none"
        if self.passed < self.total:
            return "fail"
        return "pass" if self.behaviour else "parses"

    def summary(self) -> str:
        if self.status == "none":
            return NO_CHECKS
        if self.status == "parses":
            return SYNTAX_ONLY
        if self.strength is not None:
            return self.strength.sentence()
        if self.status == "pass":
            return f"passes {self.total}/{self.total}"
        return f"fails {self.total - self.passed} of {self.total}"

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.status, "passed": self.passed, "total": self.total, "behaviour": self.behaviour,
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
