"""The Tests task's checks: the tests the model wrote run against the user's code; those that pass are kept,
and planted bugs (mutants.py) measure how much they catch: "these 7 tests catch 5 of 6 planted bugs".

The user's code is the oracle here the other way round: a test that fails on it is a wrong test (the model
guessed a result), not a bug found, so it is dropped and listed in the notes. A kept test must be a
check (an `assert`, a >>> example, a JavaScript `assert(...)`); other statements (setup lines) are kept
when they run but are not counted as tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..languages import RUNNABLE, display_name, has_python_ast
from ..verdict import Item, Strength, Verdict
from .cases import Case, Kind, Outcome
from .checking import syntax_item
from .functions import defined_functions, reads_calls
from .generate import generated_calls
from .judge import judge
from .mutants import plant
from .plan import CheckPlan
from .probes import boundary_calls, variations
from .runners import run_cases
from .sources import call_case, cases_from_tests, example_calls, written_calls
from .typescript import Unstrippable

MAX_LISTED = 5  # dropped tests and surviving bugs named in the notes


@dataclass(frozen=True)
class Kept:
    """The tests that pass on the code (as text, in the answer's order) and the verdict on them."""

    code: str
    verdict: Verdict


def is_test(case: Case) -> bool:
    """Whether a case checks something (an assert or an example), rather than setting something up."""
    if case.kind is Kind.DOCTEST:
        return True
    source = case.source.lstrip()
    return source.startswith("assert") or "assert(" in source.replace(" ", "")


def _text(case: Case) -> str:
    """The case as the answer writes it."""
    if case.kind is not Kind.DOCTEST:
        return case.source.rstrip("\n")
    lines = case.source.rstrip("\n").splitlines()
    shown = [f">>> {lines[0]}", *(f"... {line}" for line in lines[1:])]
    want = case.want[0].rstrip("\n")
    return "\n".join(shown + ([want] if want else []))


def keep_passing(plan: CheckPlan, tests: str) -> Kept:
    """Run the written tests on the plan's original code; keep those that pass and score them on planted bugs."""
    language = plan.original_language
    syntax = syntax_item(tests, language)
    if syntax is not None and not syntax.passed:
        return Kept(tests, Verdict((syntax,)))
    if language not in RUNNABLE:
        return Kept(tests, Verdict((syntax,) if syntax is not None else (), (
            f"{display_name(language)} cannot run here: the tests are not run, only their syntax is checked.",)))
    try:
        cases = cases_from_tests(tests, language)
    except InputError as exc:
        return Kept(tests, Verdict((Item("the tests parse", False, "valid tests", "", str(exc), origin="model"),)))
    try:
        run = run_cases(plan.original, language, cases)
    except Unstrippable as exc:
        return Kept(tests, Verdict(notes=(f"Your TypeScript cannot run here ({exc}): the tests are not run.",)))
    if not run.load.ok:
        error = run.load.error_text()
        return Kept(tests, Verdict((Item("your code runs", False, "it loads", "", error, origin="program"),),
                                   (f"Your code does not run ({error}): the tests cannot be tried on it.",)))
    kept: list[Case] = []
    dropped: list[str] = []
    items: list[Item] = []
    notes: list[str] = []
    for case, outcome in zip(cases, run.outcomes, strict=True):
        item = judge(case, outcome)
        if item.passed:
            kept.append(case)
            if is_test(case):
                items.append(Item(case.name, True, "passes on your code", "passes", "", outcome.seconds, "model"))
        elif is_test(case) or case.kind is Kind.EXEC:
            dropped.append(f"{case.name} ({outcome.error_text() or 'got ' + (item.got or 'something else')})")
    tests_kept = [c for c in kept if is_test(c)]
    if dropped:
        notes.append(f"{len(dropped)} written test{'s' if len(dropped) != 1 else ''} removed: "
                     f"{'they fail' if len(dropped) != 1 else 'it fails'} on your code: {_listed(dropped)}.")
    if not tests_kept:
        items.append(Item("a written test passes on your code", False, "at least one passing test",
                          f"{len(dropped)} failed", origin="model"))
        return Kept("", Verdict(tuple(items), tuple(notes)))
    strength = _strength(plan.original, language, kept, len(tests_kept))
    items.append(_strength_item(strength))
    if strength.alike:
        n = len(strength.alike)
        notes.append(f"{n} planted change{'s' if n != 1 else ''} left out of the score: "
                     f"{'they behave' if n != 1 else 'it behaves'} like your code on all "
                     f"{strength.probes} inputs tried ({_listed(strength.alike)}).")
    if strength.missed:
        notes.append("Planted bugs no test caught: " + _listed(strength.missed) + ". A test on "
                     "which your code and the changed code differ would catch it.")
    return Kept("\n".join(_text(c) for c in kept) + "\n", Verdict(tuple(items), tuple(notes), strength=strength))


def _strength(code: str, language: str, kept: list[Case], n_tests: int) -> Strength:
    """Run the kept tests on each planted bug: a bug is caught when a test fails (or the code stops loading).

    A bug the tests miss is tried on probes (_probes), in Python, JavaScript and TypeScript.
    When it behaves like the code on every probe, the change most likely does nothing (x > hi -> x >= hi
    where both return hi): it is left out of the score rather than blamed on the tests."""
    caught, missed, alike = 0, [], []
    probes: list[Case] | None = None  # run on the code when a first bug gets past the tests
    expected: list[Outcome] = []
    for mutant in plant(code, language):
        try:
            run = run_cases(mutant.code, language, kept)
        except Unstrippable:
            continue
        if not run.load.ok or any(not judge(c, o).passed for c, o in zip(kept, run.outcomes, strict=True)):
            caught += 1
            continue
        if probes is None:
            probes, expected = _probes(code, language, kept)
        if probes and all(judge(c, o, e).passed for c, o, e in
                            zip(probes, run_cases(mutant.code, language, probes).outcomes, expected, strict=True)):
            alike.append(mutant.describe())
        else:
            missed.append(mutant.describe())
    return Strength(n_tests, caught + len(missed), caught, missed, alike, len(probes or []))


def _probes(code: str, language: str, kept: list[Case]) -> tuple[list[Case], list[Outcome]]:
    """Calls to tell a planted bug from the code, with the code's outcomes on them (those it finishes): the tests'
    own calls, the same calls at the code's boundaries (one argument equal to another, or to a literal of the
    function, and one off it) and with the changes that catch simple bugs (probes.py), and inputs generated
    like them."""
    if not reads_calls(language):
        return [], []
    if has_python_ast(language):
        calls = example_calls(kept)
    else:  # JavaScript's tests are statements: their calls are read as the model's example calls are
        calls = written_calls("\n".join(c.source for c in kept), set(defined_functions(code, language)), language)
    probes = calls + boundary_calls(code, calls, language=language) + variations(code, calls, language) + \
        generated_calls(code, calls, language=language)
    unique = {repr(c): c for c in probes}  # a boundary call and a changed call can be the same call: run it once
    cases = [call_case(f, a, "generated") for f, a in unique.values()]
    if not cases:
        return [], []
    outcomes = run_cases(code, language, cases).outcomes
    pairs = [(c, o) for c, o in zip(cases, outcomes, strict=True) if not o.stopped]
    return [c for c, _ in pairs], [o for _, o in pairs]


def _strength_item(strength: Strength) -> Item:
    """The row that says how strong the tests are; it fails when bugs were planted and none was caught."""
    if not strength.planted:
        why = "every change behaved like your code" if strength.alike else \
            "no operator or constant to change inside a function"
        return Item(strength.sentence(), True, "", why, origin="mutants")
    return Item(strength.sentence(), strength.caught > 0, f"{strength.planted} caught", f"{strength.caught} caught",
                f"not caught: {_listed(strength.missed)}" if strength.missed else "", origin="mutants")


def _listed(texts: list[str]) -> str:
    return "; ".join(texts[:MAX_LISTED]) + ("; …" if len(texts) > MAX_LISTED else "")
