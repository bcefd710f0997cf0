"""Which checks a request gets: a plan, a value built in one pass from the task, the input and the answer's
language (nothing runs here; expect.py runs the original, checking.py an answer, extend.py adds the model's calls).

- Every task: the >>> examples in the code and the Tests box (doctest text or assert lines).
- Simplify, and Translate between Python and JavaScript: the original is the oracle. It runs once on the
  examples' inputs and on inputs generated from its signature; an answer must give the same results.
- Inputs for those calls, in order: the examples' and tests' calls, the calls the code makes itself
  (module level, `if __name__ == "__main__":`, a top-level `console.log(...)`), calls the loaded model writes
  for functions that have none of these and no type hints (a new plan from extend.with_calls), then inputs
  generated from type hints or from the types of all those calls. Python's functions and calls are read by its
  `ast`, JavaScript's and TypeScript's by tree-sitter (functions.py).
- Debug: when the error message names an exception, the same inputs run on the original and on the fix; the
  reported error must be gone where the code is meant to work (debug.py).
- Complete: the examples and tests run on the whole program (code before the cursor, answer, code after).
- Other target languages cannot run here: a tree-sitter "parses as Go" check. JavaScript gets it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from ..languages import RUNNABLE, display_name, find_language, has_python_ast
from .cases import Case, Outcome
from .debug import Evidence, Reported, reported_error
from .functions import own_calls, reads_calls
from .probes import probes, untested
from .sources import Call, as_call, call_case, cases_from_tests, example_calls, example_cases
from .values import encode


class Expect(Enum):
    """What a task asks of an answer, beyond the code's own examples and the Tests box (each task says which)."""

    OWN_CHECKS = "own checks"  # the examples and tests only (Complete, Tests)
    SAME_BEHAVIOUR = "same behaviour"  # the original is the oracle (Simplify, Translate)
    FIXED = "fixed"  # the reported error gone where the code is meant to work (Debug)


@dataclass(frozen=True)
class CheckPlan:
    """The checks of one request: a value, run on each candidate answer. A step that adds to it (the model's
    calls, the original's run) makes a new plan; nothing changes this one."""

    language: str  # the answer's language
    original: str
    original_language: str
    cases: tuple[Case, ...] = ()
    oracle: bool = False
    reported: Reported | None = None  # Debug: the error the user reported (its exception must be gone)
    wanted: tuple[str, ...] = ()  # functions the model could write example calls for
    intended: tuple[str, ...] = ()  # Debug: functions the model could write tests for
    notes: tuple[str, ...] = ()
    calls: tuple[Call, ...] = ()  # every call with literal arguments
    # Once the original ran (expect.expected): its outcome per case (None where it is not the expectation),
    # what it printed when loaded, and, for Debug, where it shows the reported error. outcomes None: not yet.
    outcomes: tuple[Outcome | None, ...] | None = None
    loaded: Outcome | None = None
    evidence: Evidence | None = None

    @property
    def forbid(self) -> str:
        """The exception type a Debug answer must not raise ("" for other tasks)."""
        return self.reported.exception if self.reported is not None else ""

    def only(self, keep: Callable[[Case], bool]) -> CheckPlan:
        """This plan with the checks `keep` says yes to (and their expectations, once the original ran)."""
        kept = [keep(c) for c in self.cases]
        outcomes = None if self.outcomes is None else tuple(o for o, k in zip(self.outcomes, kept, strict=True) if k)
        return replace(self, cases=tuple(c for c, k in zip(self.cases, kept, strict=True) if k), outcomes=outcomes)

    def noted(self, *notes: str) -> CheckPlan:
        """This plan with more notes (each once)."""
        return replace(self, notes=self.notes + tuple(n for n in dict.fromkeys(notes) if n not in self.notes))


def new_cases(cases: Iterable[Case], calls: Iterable[tuple[Any, ...]], origin: str, forbid: str) -> list[Case]:
    """Cases for (function, arguments) calls, or (function, arguments, expected result) tests, but for calls
    that cases already make (or that come twice)."""
    seen, fresh = {(c.func, repr(c.args)) for c in cases}, []
    for f, args, *want in calls:
        case = call_case(f, args, origin, forbid)
        if (case.func, repr(case.args)) not in seen:
            seen.add((case.func, repr(case.args)))
            fresh.append(replace(case, want=encode(want[0]), has_want=True) if want else case)
    return fresh


def _for_language(cases: list[Case], language: str) -> list[Case]:
    """The cases as they can run in language: all of them in Python, the neutral calls in JavaScript."""
    known = find_language(language)
    sandbox = known.sandbox if known else ""
    if has_python_ast(language):
        return list(cases)
    return [call for c in cases if (call := as_call(c)) is not None] if sandbox else []


def plan_checks(code: str, *, language: str, answer: str | None = None, expect: Expect = Expect.OWN_CHECKS,
                tests: str = "", error: str = "") -> CheckPlan:
    """The checks for an answer in language `answer` (default: the input's) to code, as the task expects
    (nothing runs yet; the original runs on the first run_checks(), or once with expect.expected())."""
    answer = answer or language
    examples, tested = (example_cases(code) if has_python_ast(language) else []), cases_from_tests(tests, answer)
    given = examples + tested
    calls = example_calls(given)
    from_tests = {repr(c) for c in example_calls(tested)} - {repr(c) for c in example_calls(examples)}
    oracle = expect is Expect.SAME_BEHAVIOUR and language in RUNNABLE and answer in RUNNABLE
    reported = reported_error(error) if expect is Expect.FIXED else None
    forbid = reported.exception if reported is not None else ""
    cases: list[Case] = []
    wanted: list[str] = []
    intended: list[str] = []
    notes: list[str] = []
    known: list[Call] = []  # the calls with literal arguments, when the original runs on them
    if reads_calls(language) and language in RUNNABLE and (oracle or reported):
        own = [c for c in own_calls(code, language) if repr(c) not in {repr(k) for k in calls}]
        known = calls + own
        for origin, some in (("example", [c for c in calls if repr(c) not in from_tests]),
                             ("test", [c for c in calls if repr(c) in from_tests]), ("input", own),
                             ("generated", probes(code, known, language))):
            cases += new_cases(cases, some, origin, forbid)
        wanted = untested(code, language, known)
    if expect is Expect.FIXED and has_python_ast(language) and not reported and not given:
        intended = untested(code, language, [])
    runnable = _for_language(given, answer)
    if answer in RUNNABLE and len(runnable) < len(given):
        left = [c.name for c in given if as_call(c) is None]
        listed = ", ".join(f"`{n}`" for n in left[:3]) + (" …" if len(left) > 3 else "")
        notes.append(f"Not run on the {display_name(answer)} answer, being Python-only: {listed} (only a call "
                     "with literal arguments and a literal result carries over to another language).")
    if answer in RUNNABLE:
        cases = runnable + cases
    elif given:
        notes.append(f"{display_name(answer)} cannot run here: only its syntax is checked.")
        cases = []
    return CheckPlan(answer, code, language, tuple(cases), oracle, reported, tuple(wanted), tuple(intended),
                     tuple(notes), tuple(known))
