"""Which checks a request gets, and running them on an answer.

- Every task: the >>> examples in the code and the Tests box (doctest text or assert lines).
- Simplify, and Translate between Python and JavaScript: the original is the oracle. It runs once on the
  examples' inputs and on inputs generated from its signature; an answer must give the same results.
  Examples the original itself fails are left out (with a note): they cannot tell a good answer.
- Debug: when the error message names an exception, the example calls and generated inputs must not
  raise it.
- Complete: the examples and tests run on the whole program (code before the cursor, answer, code after).
- Other target languages cannot run here: a tree-sitter "parses as Go" check. JavaScript gets it too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ..languages import DISPLAY_NAMES
from ..syntax import available, syntax_problems
from ..verdict import Item, Verdict
from .cases import Case, Outcome, Run
from .generate import generated_calls
from .javascript import run_javascript
from .judge import judge, normalized
from .python import run_python
from .sources import as_call, call_case, cases_from_tests, example_calls, example_cases, forbidden_exception

RUNNABLE = ("python", "javascript")
ORACLE_TASKS = ("simplify", "translate")


def run_cases(code: str, language: str, cases: list[Case]) -> Run:
    """Run code and its cases in the sandbox of its language (Python: wasmtime, JavaScript: QuickJS)."""
    return run_javascript(code, cases) if language == "javascript" else run_python(code, cases)


@dataclass
class CheckPlan:
    """The checks of one request, built once and run on each candidate answer."""

    task: str
    language: str  # the answer's language
    original: str
    original_language: str
    cases: list[Case] = field(default_factory=list)
    oracle: bool = False
    notes: list[str] = field(default_factory=list)
    _expected: list[Outcome | None] | None = None
    _loaded: Outcome | None = None  # the original's own run (what it printed when loaded)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def expected(self) -> list[Outcome | None]:
        """The original's outcome per case (the oracle), computed on first use; None where it is not used."""
        with self._lock:
            if self._expected is None:
                self._expected = self._run_original()
            return self._expected

    def _run_original(self) -> list[Outcome | None]:
        if not self.oracle:
            return [None] * len(self.cases)
        run = run_cases(self.original, self.original_language, self.cases)
        self._loaded = run.load
        kept: list[Case] = []
        expected: list[Outcome | None] = []
        dropped = 0
        for case, outcome in zip(self.cases, run.outcomes, strict=True):
            # A check the original fails, or cannot finish, tells nothing about an answer: leave it out.
            if outcome.stopped or ((case.has_want or case.kind == "exec") and not judge(case, outcome).passed):
                dropped += 1
                continue
            kept.append(case)
            expected.append(None if case.has_want or case.kind == "exec" else outcome)
        if not run.load.ok:
            self.notes.append(f"The original code does not run ({run.load.error_text()}): it is not used as the "
                              "expectation.")
            self.oracle, self.cases = False, [c for c in self.cases if c.has_want]
            return [None] * len(self.cases)
        if dropped:
            self.notes.append(f"{dropped} check{'s' if dropped != 1 else ''} left out: the original code fails "
                              "or cannot finish them too.")
        self.cases = kept
        return expected


def _for_language(cases: list[Case], language: str) -> list[Case]:
    """The cases as they can run in language: all of them in Python, the neutral calls in JavaScript."""
    if language == "python":
        return list(cases)
    if language == "javascript":
        return [call for c in cases if (call := as_call(c)) is not None]
    return []


def plan_checks(task: str, code: str, *, language: str, target: str | None = None, tests: str = "",
                error: str = "") -> CheckPlan:
    """The checks for a request (nothing runs yet; the oracle runs on the first check())."""
    answer = target if task == "translate" and target else language
    plan = CheckPlan(task, answer, code, language)
    given = (example_cases(code) if language == "python" else []) + cases_from_tests(tests, answer)
    calls = example_calls(given)
    oracle = task in ORACLE_TASKS and language in RUNNABLE and answer in RUNNABLE
    forbid = forbidden_exception(error) if task == "debug" else ""
    if language == "python" and (oracle or forbid):
        generated = generated_calls(code, calls)
        seen = {repr(c) for c in calls}
        plan.cases += [call_case(f, args, "example", forbid) for f, args in calls]
        plan.cases += [call_case(f, args, "generated", forbid) for f, args in generated if repr((f, args)) not in seen]
    if forbid and not calls and not plan.cases:
        plan.notes.append(f"The error names {forbid}, but no example call or typed signature gives inputs to try.")
    plan.oracle = oracle
    runnable = _for_language(given, answer)
    if answer in RUNNABLE and len(runnable) < len(given):
        n = len(given) - len(runnable)
        plan.notes.append(f"{n} example{'s' if n != 1 else ''} or test{'s' if n != 1 else ''} "
                          f"{'are' if n != 1 else 'is'} Python-only and not run on the "
                          f"{DISPLAY_NAMES.get(answer, answer)} answer.")
    if answer in RUNNABLE:
        plan.cases = runnable + plan.cases
    elif given:
        plan.notes.append(f"{DISPLAY_NAMES.get(answer, answer)} cannot run here: only its syntax is checked.")
        plan.cases = []
    return plan


def syntax_item(code: str, language: str) -> Item | None:
    """The "parses as Go" row, for languages with a grammar other than Python (pyflakes covers Python)."""
    if language == "python" or not available(language):
        return None
    problems = syntax_problems(code, language)
    name = DISPLAY_NAMES.get(language, language)
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
    ok = loaded.ok and normalized(loaded.output) == normalized(original.output)
    return Item("the program's own output", ok, original.output.strip()[:500], loaded.output.strip()[:500],
                loaded.error_text(), loaded.seconds, "example")


def check(plan: CheckPlan, program: str) -> Verdict:
    """Run the plan's checks on an answer's whole program and return the verdict."""
    verdict = Verdict(notes=list(plan.notes))
    syntax = syntax_item(program, plan.language)
    if syntax is not None:
        verdict.items.append(syntax)
    if plan.language not in RUNNABLE or not program.strip():
        return verdict
    expected = plan.expected()
    cases = plan.cases
    if not cases and not (plan._loaded is not None and plan._loaded.output.strip()):
        return verdict
    run = run_cases(program, plan.language, cases)
    whole = _program_output(plan, run.load)
    if whole is not None:
        verdict.items.append(whole)
    loose = plan.original_language != plan.language
    verdict.items += [judge(c, o, e, loose) for c, o, e in zip(cases, run.outcomes, expected, strict=True)]
    verdict.notes = list(plan.notes)
    return verdict


def check_code(code: str, *, language: str = "python", tests: str = "", against: str | None = None,
               against_language: str | None = None) -> Verdict:
    """Check code without a model: its own >>> examples, the tests, and the behaviour of `against` if given
    (the original: the same language is Simplify's oracle, Python <-> JavaScript is Translate's)."""
    if against is not None:
        source = against_language or language
        task = "simplify" if source == language else "translate"
        return check(plan_checks(task, against, language=source, target=language, tests=tests), code)
    own = plan_checks("complete", code, language=language, tests=tests)
    return check(own, code)
