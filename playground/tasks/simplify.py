"""Simplify: shorter, clearer code with the same behaviour; no harm when no candidate keeps it."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import Expect
from .base import ForAgents, NoHarm, Shows, Task


def size(code: str) -> int:
    """Length of code in non-whitespace characters (indentation style does not count)."""
    return sum(not c.isspace() for c in code)


@dataclass(frozen=True)
class Simplify(Task):
    def no_harm(self, original: str, tried: int) -> NoHarm | None:
        best = "The simplification" if tried == 1 else f"The best of {tried} candidates"
        return NoHarm(original.rstrip("\n"), "No simplification kept the behaviour, so your code is unchanged. "
                                             f"{best} and the checks it failed are under Checks.")

    def grade(self, original: str, answer: str) -> str:
        if size(answer) < size(original):
            return ""
        same = size(answer) == size(original)
        return "not shorter than the original" + (" (unchanged?)" if same else
                                                  f" ({size(answer)} > {size(original)} characters)")


SIMPLIFY = Simplify("simplify", "Simplify", "Make code shorter and clearer, same behaviour.",
                    anchor="Simplify this Python code:\n{code}",
                    expect=Expect.SAME_BEHAVIOUR, shows=Shows(diff=True),
                    agents=ForAgents("Rewrite code shorter and clearer with the local model, keeping its behaviour "
                                     "(checked against the original).", "the code to simplify.",
                                     until="one keeps the original's behaviour"))
