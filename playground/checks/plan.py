"""Which checks a request gets, and running them on an answer.

- Every task: the >>> examples in the code and the Tests box (doctest text or assert lines).
- Simplify, and Translate between Python and JavaScript: the original is the oracle. It runs once on the
  examples' inputs and on inputs generated from its signature; an answer must give the same results.
  Examples the original itself fails are left out (with a note): they cannot tell a good answer.
- Inputs for those calls, in order: the examples' and tests' calls, the calls the code makes itself
  (module level, `if __name__ == "__main__":`), calls the loaded model writes for functions that have
  none of these and no type hints (playground/derive.py adds them with add_calls), then inputs generated
  from type hints or from the types of all those calls. Inputs on which the original does nothing
  observable (returns None, prints nothing) are left out, and so are calls whose result differs between
  two runs of the original.
- Debug: when the error message names an exception, the example calls and generated inputs must not
  raise it, nor any exception the original did not raise on the same call.
- Complete: the examples and tests run on the whole program (code before the cursor, answer, code after).
- Other target languages cannot run here: a tree-sitter "parses as Go" check. JavaScript gets it too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..languages import CPYTHON, QUICKJS, RUNNABLE, display_name, find_language, get_language, has_python_ast
from ..syntax import available, syntax_problems
from ..tasks import get_task
from ..verdict import Item, Verdict
from .cases import Case, Outcome, Run
from .generate import MAX_FUNCTIONS, functions, generated_calls, typed
from .javascript import run_javascript
from .judge import LENIENT, judge, printed
from .python import run_python
from .sources import (
    as_call,
    call_case,
    cases_from_tests,
    example_calls,
    example_cases,
    forbidden_exception,
    input_calls,
)
from .typescript import Unstrippable, strip_types
from .values import encode, huge, same

# The runner of each sandbox a language may name (Language.sandbox).
RUNNERS: dict[str, Callable[[str, list[Case]], Run]] = {CPYTHON: run_python, QUICKJS: run_javascript}


def run_cases(code: str, language: str, cases: list[Case]) -> Run:
    """Run code and its cases in the sandbox of its language (Python: CPython under wasmtime, JavaScript:
    QuickJS, TypeScript: QuickJS once its types are erased; Unstrippable when they cannot be)."""
    known = get_language(language)
    return RUNNERS[known.sandbox](strip_types(code) if known.erase_types else code, cases)


@dataclass
class CheckPlan:
    """The checks of one request, built once and run on each candidate answer."""

    task: str
    language: str  # the answer's language
    original: str
    original_language: str
    cases: list[Case] = field(default_factory=list)
    oracle: bool = False
    baseline: bool = False  # Debug: the original runs too, so that an answer's new exceptions show
    forbid: str = ""  # Debug: the exception the error message names
    wanted: list[str] = field(default_factory=list)  # functions the model could write example calls for
    intended: list[str] = field(default_factory=list)  # Debug: functions the model could write tests for
    notes: list[str] = field(default_factory=list)
    _calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)  # every call with literal arguments
    _expected: list[Outcome | None] | None = None
    _loaded: Outcome | None = None  # the original's own run (what it printed when loaded)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def expected(self) -> list[Outcome | None]:
        """The original's outcome per case (the oracle), computed on first use; None where it is not used."""
        with self._lock:
            if self._expected is None:
                self._expected = self._run_original()
            return self._expected

    def add_calls(self, calls: list[tuple[str, tuple[Any, ...]]], origin: str) -> tuple[int, int]:
        """Cases for calls (origin "model": written by the model) and for inputs generated from their
        argument types; returns how many of each were added. Nothing runs here."""
        fresh = [c for c in calls if repr(c) not in {repr(k) for k in self._calls}]
        names = {f for f, _ in fresh}
        self._calls += fresh
        generated = [(f, a) for f, a in generated_calls(self.original, self._calls) if f in names]
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

    def _run_original(self) -> list[Outcome | None]:
        if not (self.oracle or self.baseline):
            return [None] * len(self.cases)
        try:
            run = run_cases(self.original, self.original_language, self.cases)
        except Unstrippable as exc:
            self.notes.append(f"The original TypeScript cannot run here ({exc}): it is not used as the expectation.")
            self.oracle, self.baseline, self.cases = False, False, [c for c in self.cases if c.has_want]
            return [None] * len(self.cases)
        self._loaded = run.load
        if self.baseline:  # Debug: the buggy original is no expectation (tests and examples are their own); what
            # it raised is used on the calls that must lose the named error, so that new exceptions show there.
            return [o if c.forbid else None for c, o in zip(self.cases, run.outcomes, strict=True)] if run.load.ok \
                else [None] * len(self.cases)
        if any(c.origin in RERUN for c in self.cases):
            again = run_cases(self.original, self.original_language, self.cases).outcomes
            run.outcomes = [o if c.origin not in RERUN or _same_outcome(o, a) else replace(o, stopped="differs")
                            for c, o, a in zip(self.cases, run.outcomes, again, strict=True)]
        kept: list[Case] = []
        expected: list[Outcome | None] = []
        dropped = quiet = foreign = 0
        loose = self.original_language != self.language
        raising: list[str] = []
        observable = any(_observable(o) for c, o in zip(self.cases, run.outcomes, strict=True) if c.origin in QUIET)
        for case, outcome in zip(self.cases, run.outcomes, strict=True):
            # A check the original fails, or cannot finish, tells nothing about an answer: leave it out.
            if outcome.stopped or ((case.has_want or case.kind == "exec") and not judge(case, outcome).passed):
                dropped += 1
                continue
            # An input on which the original does nothing observable passes any answer that does nothing;
            # many generated inputs that all raise the same exception say little more than three do.
            if case.origin in QUIET and ((observable and not _observable(outcome)) or (
                    case.origin == "generated" and outcome.error and raising.count(outcome.raised) >= SAME_ERROR)):
                quiet += 1
                continue
            # Across languages, an input the original refuses (it raises) or whose result JavaScript's numbers
            # cannot hold exactly tells nothing about a faithful translation: JavaScript rarely raises there.
            if loose and case.origin in LENIENT and (outcome.error or huge(outcome.value)):
                foreign += 1
                continue
            if outcome.error:
                raising.append(outcome.raised)
            kept.append(case)
            expected.append(None if case.has_want or case.kind == "exec" else outcome)
        if not run.load.ok:
            self.notes.append(f"The original code does not run ({run.load.error_text()}): it is not used as the "
                              "expectation.")
            self.oracle, self.cases = False, [c for c in self.cases if c.has_want]
            return [None] * len(self.cases)
        if dropped:
            self.notes.append(f"{dropped} check{'s' if dropped != 1 else ''} left out: on them the original code "
                              "fails, cannot finish, or gives a different result each run.")
        if foreign:
            self.notes.append(f"{foreign} input{'s' if foreign != 1 else ''} left out: the original raises on "
                              "them, or returns integers beyond 2**53, which do not carry over to JavaScript.")
        if quiet:
            self.notes.append(f"{quiet} input{'s' if quiet != 1 else ''} (generated or written by the model) left "
                              "out: on them the original "
                              f"code returns None and prints nothing, or raises the same exception as on "
                              f"{SAME_ERROR} others, so they would tell little about an answer.")
        self.cases = kept
        return expected


RERUN = ("model", "input")  # calls run twice on the original: a result that differs is not an expectation
QUIET = ("model", "generated")  # inputs left out when the original does nothing observable on them
SAME_ERROR = 3  # generated inputs kept per exception the original raises on them


def _observable(outcome: Outcome) -> bool:
    return bool(outcome.error or outcome.output.strip() or outcome.value is not None)


def _same_outcome(a: Outcome, b: Outcome) -> bool:
    return a.ok == b.ok and a.raised == b.raised and a.output == b.output and same(a.value, b.value)


def _for_language(cases: list[Case], language: str) -> list[Case]:
    """The cases as they can run in language: all of them in Python, the neutral calls in JavaScript."""
    known = find_language(language)
    sandbox = known.sandbox if known else ""
    if sandbox == CPYTHON:
        return list(cases)
    return [call for c in cases if (call := as_call(c)) is not None] if sandbox else []


def plan_checks(task: str, code: str, *, language: str, target: str | None = None, tests: str = "",
                error: str = "") -> CheckPlan:
    """The checks for a request (nothing runs yet; the oracle runs on the first run_checks())."""
    spec = get_task(task)
    answer = spec.answer_language(language, target)
    plan = CheckPlan(task, answer, code, language)
    python = has_python_ast(language)  # its examples, calls and signatures are read
    given = (example_cases(code) if python else []) + cases_from_tests(tests, answer)
    calls = example_calls(given)
    oracle = spec.oracle and language in RUNNABLE and answer in RUNNABLE
    plan.forbid = forbidden_exception(error) if spec.repairs else ""
    if python and (oracle or plan.forbid):
        own = [c for c in input_calls(code) if repr(c) not in {repr(k) for k in calls}]
        plan._calls = calls + own
        generated = generated_calls(code, plan._calls)
        plan._add_cases(calls, "example")
        plan._add_cases(own, "input")
        plan._add_cases(generated, "generated")
        plan.wanted = untested(code, plan._calls)
        plan.baseline = bool(plan.forbid)
    if spec.repairs and python and not plan.forbid and not given:
        plan.intended = untested(code, [])
    plan.oracle = oracle
    runnable = _for_language(given, answer)
    if answer in RUNNABLE and len(runnable) < len(given):
        n = len(given) - len(runnable)
        plan.notes.append(f"{n} example{'s' if n != 1 else ''} or test{'s' if n != 1 else ''} "
                          f"{'are' if n != 1 else 'is'} Python-only and not run on the "
                          f"{display_name(answer)} answer.")
    if answer in RUNNABLE:
        plan.cases = runnable + plan.cases
    elif given:
        plan.notes.append(f"{display_name(answer)} cannot run here: only its syntax is checked.")
        plan.cases = []
    return plan


def untested(code: str, calls: list[tuple[str, tuple[Any, ...]]]) -> list[str]:
    """Public functions with parameters that no call and no type-hinted signature gives inputs for."""
    called = {f for f, _ in calls}
    return [name for name, node in functions(code).items()
            if not name.startswith("_") and name not in called and not typed(node) and node.args.args][:MAX_FUNCTIONS]


def syntax_item(code: str, language: str) -> Item | None:
    """The "parses as Go" row, for languages whose lint is their grammar's syntax errors (pyflakes covers Python's)."""
    known = find_language(language)
    if known is None or known.linter or not available(language):
        return None
    problems = syntax_problems(code, language)
    name = known.display
    if not problems:
        return Item(f"parses as {name}", True, "no syntax errors", "no syntax errors", origin="syntax")
    first = problems[0]
    where = f"line {first.line}, column {first.col + 1}: {first.message}"
    return Item(f"parses as {name}", False, "no syntax errors", f"{len(problems)} syntax error(s)", where,
                origin="syntax")


def _program_output(plan: CheckPlan, loaded: Outcome) -> Item | None:
    """The oracle's check of a script: what the whole program prints when run, as the original does."""
    original = plan._loaded
    if not plan.oracle or original is None or not original.ok or not original.output.strip():
        return None
    loose = plan.original_language != plan.language
    ok = loaded.ok and printed(loaded.output, loose) == printed(original.output, loose)
    return Item("the program's own output", ok, original.output.strip()[:500], loaded.output.strip()[:500],
                loaded.error_text(), loaded.seconds, "program")


def run_checks(plan: CheckPlan, program: str) -> Verdict:
    """Run the plan's checks on an answer's whole program and return the verdict."""
    verdict = Verdict(notes=_notes(plan))
    syntax = syntax_item(program, plan.language)
    if syntax is not None:
        verdict.items.append(syntax)
    if plan.language not in RUNNABLE or not program.strip():
        return verdict
    expected = plan.expected()
    cases = plan.cases
    if not cases and not (plan._loaded is not None and plan._loaded.output.strip()):
        return verdict
    try:
        run = run_cases(program, plan.language, cases)
    except Unstrippable as exc:
        verdict.notes.append(f"The TypeScript answer cannot run here ({exc}): only its syntax is checked.")
        return verdict
    whole = _program_output(plan, run.load)
    if whole is not None:
        verdict.items.append(whole)
    loose = plan.original_language != plan.language
    verdict.items += [judge(c, o, e, loose) for c, o, e in zip(cases, run.outcomes, expected, strict=True)]
    verdict.notes = _notes(plan)  # running the original may have added some
    return verdict


def _notes(plan: CheckPlan) -> list[str]:
    notes = list(plan.notes)
    if plan.forbid and not any(c.kind == "call" for c in plan.cases):
        notes.append(f"The error names {plan.forbid}, but no example call, call in the code, call written by the "
                     "model or typed signature gives inputs to try.")
    return notes


def check(code: str, *, language: str = "python", tests: str = "", against: str | None = None,
               against_language: str | None = None,
               write_calls: Callable[[CheckPlan], object] | None = None) -> Verdict:
    """Check code: its own >>> examples, the tests, and the behaviour of `against` if given (the original: the
    same language is Simplify's oracle, Python <-> JavaScript is Translate's). write_calls(plan), when given,
    adds example calls for the original's functions that nothing else gives inputs for (the model's, see
    playground.derive); without it, such functions are checked only where examples call them."""
    if against is not None:
        source = against_language or language
        task = "simplify" if source == language else "translate"
        plan = plan_checks(task, against, language=source, target=language, tests=tests)
        if plan.wanted and write_calls is not None:
            write_calls(plan)
        return run_checks(plan, code)
    own = plan_checks("complete", code, language=language, tests=tests)
    return run_checks(own, code)
