"""Which checks a request gets (nothing runs here; see expect.py for the original's run, checking.py for an answer's).

- Every task: the >>> examples in the code and the Tests box (doctest text or assert lines).
- Simplify, and Translate between Python and JavaScript: the original is the oracle. It runs once on the
  examples' inputs and on inputs generated from its signature; an answer must give the same results.
- Inputs for those calls, in order: the examples' and tests' calls, the calls the code makes itself
  (module level, `if __name__ == "__main__":`, a top-level `console.log(...)`), calls the loaded model writes
  for functions that have none of these and no type hints (playground/derive.py adds them with add_calls),
  then inputs generated from type hints or from the types of all those calls. Python's functions and calls are
  read by its `ast`, JavaScript's and TypeScript's by tree-sitter (functions.py).
- Debug: when the error message names an exception, the same inputs run on the original and on the fix; the
  reported error must be gone where the code is meant to work (debug.py).
- Complete: the examples and tests run on the whole program (code before the cursor, answer, code after).
- Other target languages cannot run here: a tree-sitter "parses as Go" check. JavaScript gets it too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from ..languages import RUNNABLE, display_name, find_language, has_python_ast
from .cases import Case, Outcome
from .debug import Evidence, Reported, reported_error
from .expect import expect
from .functions import defined_functions, own_calls, reads_calls
from .generate import MAX_FUNCTIONS, functions, generated_calls, typed
from .probes import variations
from .sources import Call, as_call, call_case, cases_from_tests, example_calls, example_cases
from .values import encode


class Expect(Enum):
    """What a task asks of an answer, beyond the code's own examples and the Tests box (each task says which)."""

    OWN_CHECKS = "own checks"  # the examples and tests only (Complete, Tests)
    SAME_BEHAVIOUR = "same behaviour"  # the original is the oracle (Simplify, Translate)
    FIXED = "fixed"  # the reported error gone where the code is meant to work (Debug)


@dataclass
class CheckPlan:
    """The checks of one request, built once and run on each candidate answer."""

    language: str  # the answer's language
    original: str
    original_language: str
    cases: list[Case] = field(default_factory=list)
    oracle: bool = False
    reported: Reported | None = None  # Debug: the error the user reported (its exception must be gone)
    wanted: list[str] = field(default_factory=list)  # functions the model could write example calls for
    intended: list[str] = field(default_factory=list)  # Debug: functions the model could write tests for
    notes: list[str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)  # every call with literal arguments
    loaded: Outcome | None = None  # the original's own run (what it printed when loaded), once it ran
    evidence: Evidence | None = None  # Debug: where the original shows the reported error, once it ran
    _expected: list[Outcome | None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def forbid(self) -> str:
        """The exception type a Debug answer must not raise ("" for other tasks)."""
        return self.reported.exception if self.reported is not None else ""

    def expected(self) -> list[Outcome | None]:
        """The original's outcome per case (the oracle), computed on first use; None where it is not used."""
        with self._lock:
            if self._expected is None:
                found = expect(self.original, self.original_language, self.language, self.cases,
                               oracle=self.oracle, reported=self.reported)
                self.cases, self._expected, self.loaded = found.cases, found.outcomes, found.loaded
                self.oracle, self.evidence = found.oracle, found.evidence
                self.notes += [n for n in found.notes if n not in self.notes]
            return self._expected

    def but(self, *, without: str) -> CheckPlan:
        """A new plan with this one's checks but those of origin `without` (e.g. "generated"); nothing has run in
        it, and this plan is unchanged."""
        cases = [c for c in self.cases if c.origin != without]
        return CheckPlan(self.language, self.original, self.original_language, cases, self.oracle, self.reported,
                         list(self.wanted), list(self.intended), list(self.notes), list(self.calls))

    def add_calls(self, calls: list[Call], origin: str) -> tuple[int, int]:
        """Cases for calls (origin "model": written by the model as typical, "edge": as edge cases) and for inputs
        generated from their argument types; returns how many of each were added. Nothing runs here."""
        fresh = [c for c in calls if repr(c) not in {repr(k) for k in self.calls}]
        names = {f for f, _ in fresh}
        self.calls += fresh
        generated = [] if origin == "edge" else [  # inputs are generated from the types of typical calls
            (f, a) for f, a in probes(self.original, self.calls, self.original_language) if f in names]
        added = self._add_cases(fresh, origin), self._add_cases(generated, "generated")
        with self._lock:
            self._expected = None
        self.wanted = [n for n in self.wanted if n not in names]
        return added

    def add_intended(self, tests: list[tuple[Any, ...]]) -> int:
        """Debug: cases with the expected results the model wrote (origin "intended"); returns how many."""
        added = self._add_cases(tests, "intended")
        with self._lock:
            self._expected = None
        return added

    def _add_cases(self, calls: list[tuple[Any, ...]], origin: str) -> int:
        """Cases for (function, arguments) calls, or (function, arguments, expected result) tests."""
        before, seen = len(self.cases), {(c.func, repr(c.args)) for c in self.cases}
        for f, args, *want in calls:
            case = call_case(f, args, origin, self.forbid)
            if (case.func, repr(case.args)) not in seen:
                seen.add((case.func, repr(case.args)))
                self.cases.append(replace(case, want=encode(want[0]), has_want=True) if want else case)
        return len(self.cases) - before


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
    (nothing runs yet; the original runs on the first run_checks())."""
    answer = answer or language
    plan = CheckPlan(answer, code, language)
    examples, tested = (example_cases(code) if has_python_ast(language) else []), cases_from_tests(tests, answer)
    given = examples + tested
    calls = example_calls(given)
    from_tests = {repr(c) for c in example_calls(tested)} - {repr(c) for c in example_calls(examples)}
    oracle = expect is Expect.SAME_BEHAVIOUR and language in RUNNABLE and answer in RUNNABLE
    plan.reported = reported_error(error) if expect is Expect.FIXED else None
    if reads_calls(language) and language in RUNNABLE and (oracle or plan.reported):
        own = [c for c in own_calls(code, language) if repr(c) not in {repr(k) for k in calls}]
        plan.calls = calls + own
        plan._add_cases([c for c in calls if repr(c) not in from_tests], "example")
        plan._add_cases([c for c in calls if repr(c) in from_tests], "test")
        plan._add_cases(own, "input")
        plan._add_cases(probes(code, plan.calls, language), "generated")
        plan.wanted = untested(code, language, plan.calls)
    if expect is Expect.FIXED and has_python_ast(language) and not plan.reported and not given:
        plan.intended = untested(code, language, [])
    plan.oracle = oracle
    runnable = _for_language(given, answer)
    if answer in RUNNABLE and len(runnable) < len(given):
        left = [c.name for c in given if as_call(c) is None]
        listed = ", ".join(f"`{n}`" for n in left[:3]) + (" …" if len(left) > 3 else "")
        plan.notes.append(f"Not run on the {display_name(answer)} answer, being Python-only: {listed} (only a call "
                          "with literal arguments and a literal result carries over to another language).")
    if answer in RUNNABLE:
        plan.cases = runnable + plan.cases
    elif given:
        plan.notes.append(f"{display_name(answer)} cannot run here: only its syntax is checked.")
        plan.cases = []
    return plan


def probes(code: str, calls: list[Call], language: str) -> list[Call]:
    """Inputs beyond the known calls: the calls changed where simple bugs hide (probes.py), then inputs
    generated from the calls' types (generate.py)."""
    return variations(code, calls, language) + generated_calls(code, calls, language=language)


def untested(code: str, language: str, calls: list[Call]) -> list[str]:
    """Public functions with parameters that no call and no type-hinted signature gives inputs for."""
    called = {f for f, _ in calls}
    if not has_python_ast(language):
        return [name for name, arity in defined_functions(code, language).items()
                if not name.startswith("_") and name not in called and arity][:MAX_FUNCTIONS]
    return [name for name, node in functions(code).items()
            if not name.startswith("_") and name not in called and not typed(node) and node.args.args][:MAX_FUNCTIONS]
