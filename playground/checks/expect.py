"""The original code's run, before any answer is judged: what each check expects, and which checks can tell.

Simplify and Translate: the original is the oracle, so its outcome on each input is the expectation. A check
the original fails or cannot finish tells nothing about an answer and is left out; so are inputs nobody chose
on which the original does nothing observable, many generated inputs raising the same exception, and, across
languages, inputs the original refuses or whose integers JavaScript cannot hold. Each leaving-out is a note.
Debug: the buggy original is no expectation; its run says where it shows the reported error (debug.evidence).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..languages import has_python_ast
from .cases import Case, Kind, Outcome, Run
from .debug import Evidence, Reported, evidence
from .functions import definitions
from .judge import LENIENT, judge
from .plan import CheckPlan
from .runners import run_cases
from .typescript import Unstrippable
from .values import huge, same

RERUN = ("model", "edge", "input")  # calls run twice on the original: a result that differs is not an expectation
QUIET = ("model", "edge", "generated")  # inputs left out when the original does nothing observable on them
SAME_ERROR = 3  # generated inputs kept per exception the original raises on them


@dataclass(frozen=True)
class Expectation:
    """The checks kept, the original's outcome per kept check (None: the check is its own expectation), and
    what the run found out."""

    cases: list[Case]
    outcomes: list[Outcome | None]
    loaded: Outcome | None  # the original's own run (what it printed when loaded)
    notes: list[str]
    oracle: bool  # False when the original cannot be the expectation after all (it does not run)
    evidence: Evidence | None = None  # Debug: where the original shows the reported error


def _observable(outcome: Outcome) -> bool:
    return bool(outcome.error or outcome.output.strip() or outcome.value is not None)


def _same_outcome(a: Outcome, b: Outcome) -> bool:
    return a.ok == b.ok and a.raised == b.raised and a.output == b.output and same(a.value, b.value)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def expected(plan: CheckPlan) -> CheckPlan:
    """The plan once the original ran on it: the checks that can tell, each with its expectation (a plan that
    already ran is returned as it is). Run it once when checking several answers."""
    if plan.outcomes is not None:
        return plan
    found = expect(plan.original, plan.original_language, plan.language, list(plan.cases), oracle=plan.oracle,
                   reported=plan.reported)
    return replace(plan.noted(*found.notes), cases=tuple(found.cases), outcomes=tuple(found.outcomes),
                   loaded=found.loaded, oracle=found.oracle, evidence=found.evidence)


def expect(original: str, original_language: str, language: str, cases: list[Case], *, oracle: bool,
           reported: Reported | None) -> Expectation:
    """Run the original on the cases (when it is the oracle, or Debug's baseline) and keep what can tell."""
    if not (oracle or reported):
        return Expectation(cases, [None] * len(cases), None, [], oracle)
    try:
        run = run_cases(original, original_language, cases)
    except Unstrippable as exc:
        kept = [c for c in cases if c.has_want]
        return Expectation(kept, [None] * len(kept), None, [f"The original TypeScript cannot run here ({exc}): it is "
                                                             "not used as the expectation."], False)
    if reported is not None:
        return _debug(original, original_language, cases, reported, run)
    if any(c.origin in RERUN for c in cases):
        again = run_cases(original, original_language, cases).outcomes
        run.outcomes = [o if c.origin not in RERUN or _same_outcome(o, a) else replace(o, stopped="differs")
                        for c, o, a in zip(cases, run.outcomes, again, strict=True)]
    if not run.load.ok:
        kept = [c for c in cases if c.has_want]
        return Expectation(kept, [None] * len(kept), run.load, [f"The original code does not run "
                                                                 f"({run.load.error_text()}): it is not used as the "
                                                                 "expectation."], False)
    return _informative(cases, run.outcomes, run.load, loose=original_language != language)


def _debug(original: str, language: str, cases: list[Case], reported: Reported, run: Run) -> Expectation:
    """Debug: the original's outcome matters on the calls that must lose the named error. When the original
    fails while it runs (a top-level `print(f(""))`), its functions are called without its top-level
    statements, so that each input still says whether the original shows the error there."""
    outcomes = run.outcomes
    if not run.load.ok and (defined := definitions(original)) != original and has_python_ast(language):
        again = run_cases(defined, language, cases)
        outcomes = again.outcomes if again.load.ok else [Outcome(False, stopped="not loaded")] * len(cases)
    known = [None if o.stopped else o for o in outcomes]
    kept = [o if c.forbid else None for c, o in zip(cases, known, strict=True)]
    failing = any(o is not None and (c.has_want or c.kind is Kind.EXEC) and not judge(c, o).passed
                  for c, o in zip(cases, known, strict=True))
    facts = evidence(reported, cases, kept, original, run.load, failing)
    return Expectation(cases, kept, run.load, [], False, facts)


def _informative(cases: list[Case], outcomes: list[Outcome], load: Outcome, loose: bool) -> Expectation:
    """The cases that can tell a wrong answer, with the original's outcome as their expectation."""
    kept: list[Case] = []
    expected: list[Outcome | None] = []
    dropped: list[str] = []
    quiet = foreign = 0
    raising: list[str] = []
    observable = any(_observable(o) for c, o in zip(cases, outcomes, strict=True) if c.origin in QUIET)
    for case, outcome in zip(cases, outcomes, strict=True):
        # A check the original fails, or cannot finish, tells nothing about an answer: leave it out.
        if outcome.stopped or ((case.has_want or case.kind is Kind.EXEC) and not judge(case, outcome).passed):
            dropped.append(case.name)
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
        expected.append(None if case.has_want or case.kind is Kind.EXEC else outcome)
    notes = []
    if dropped:
        listed = ", ".join(f"`{d}`" for d in dropped[:3]) + (" …" if len(dropped) > 3 else "")
        notes.append(f"{_plural(len(dropped), 'check', 'checks')} left out ({listed}): your code itself fails "
                     "there, cannot finish, or gives a different result each run, so it cannot say what is right.")
    if foreign:
        notes.append(f"{_plural(foreign, 'input', 'inputs')} left out: your code raises an error on them, or returns "
                     "integers beyond 2**53, which JavaScript's numbers cannot hold, so a faithful translation may "
                     "differ there.")
    if quiet:
        notes.append(f"{_plural(quiet, 'generated input', 'generated inputs')} left out: on them your code returns "
                     "None without printing, or raises the same error as on others already checked, so they "
                     "would tell nothing new.")
    return Expectation(kept, expected, load, notes, True)
