"""Checks as data: a Case says what to run and what should come out; an Outcome says what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a case runs (the sandbox's runner reads it as its string)."""

    CALL = "call"  # func(*args), values as tagged JSON
    DOCTEST = "doctest"  # an example, run as doctest runs it
    EXEC = "exec"  # a statement, e.g. an assert line
    EVAL = "eval"  # an expression, for the Run box


@dataclass(frozen=True)
class Case:
    """One check of an answer.

    kind: what it runs (Kind).
    want: the expected value (call), the expected text (doctest), or None when the original code's
    behaviour is the expectation (the oracle) or when only "no exception" is asked.
    """

    name: str  # what the Checks panel shows: "fizzbuzz(15)", "assert ...", ">>> ..."
    kind: Kind
    source: str = ""
    func: str = ""
    args: tuple[Any, ...] = ()
    want: Any = None
    has_want: bool = False
    origin: str = "example"  # example | test | generated | error
    forbid: str = ""  # an exception type the answer must not raise (Debug's error message)
    language: str = ""  # "" for Python or language-neutral (a call), else a statement's language (JavaScript's)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))  # "call" as well as Kind.CALL: compared by identity

    def payload(self) -> dict[str, Any]:
        """What the sandbox's runner needs of it."""
        return {"kind": self.kind, "source": self.source, "func": self.func, "args": list(self.args)}


@dataclass(frozen=True)
class Outcome:
    """What one case did: its value or exception, what it printed, how long it took, or why it was stopped."""

    ok: bool
    value: Any = None
    error: dict[str, str] | None = None  # {"type": "ValueError", "message": "..."}
    output: str = ""
    seconds: float = 0.0
    stopped: str = ""  # a limit stopped the run while it was on this case
    line: int = 0  # the line of the code the exception was raised on (0: not known, or not in the code)
    timed_out: bool = False  # the wall clock stopped it, twice: the machine was too busy to say what it does

    @property
    def raised(self) -> str:
        """The exception's type name, or ""."""
        return (self.error or {}).get("type", "")

    def error_text(self) -> str:
        if self.stopped:
            return self.stopped
        if self.error:
            message = self.error.get("message", "")
            return f"{self.error['type']}: {message}" if message else self.error["type"]
        return ""


@dataclass
class Run:
    """One program run on a list of cases: how loading it went, and each case's outcome (in order)."""

    load: Outcome
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
