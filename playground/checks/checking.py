"""Running a plan's checks on an answer, and checking code without a model (`check`).

Each row names its call as the answer writes it: the answer's own name for the function (`countWords` for
`count_words`) and its language's literals (`countWords("")`, not `count_words('')`), so that a row can be
typed into the Run box as it stands. A verdict with no rows always comes with a note that says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..languages import RUNNABLE, display_name, find_language, has_python_ast
from ..syntax import available, syntax_problems
from ..verdict import Item, Verdict
from .cases import Case, Kind, Outcome
from .debug import judge_fix, line_text, load_item
from .expect import expected
from .functions import answer_name
from .judge import judge, printed
from .plan import CheckPlan, Expect, plan_checks
from .runners import run_cases
from .typescript import Unstrippable
from .values import call_text


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
    original = plan.loaded
    if not plan.oracle or original is None or not original.ok or not original.output.strip():
        return None
    loose = plan.original_language != plan.language
    ok = loaded.ok and printed(loaded.output, loose) == printed(original.output, loose)
    return Item("the program's own output", ok, original.output.strip()[:500], loaded.output.strip()[:500],
                loaded.error_text(), loaded.seconds, "program")


def _in_answer_words(case: Case, program: str, language: str) -> Case:
    """A call case named as the answer writes it (its function's name there, its language's literals)."""
    if case.kind is not Kind.CALL:
        return case
    javascript = not has_python_ast(language)
    return replace(case, name=call_text(answer_name(case.func, program, language), case.args, javascript))


def run_checks(plan: CheckPlan, program: str) -> Verdict:
    """Run the plan's checks on an answer's whole program and return the verdict (a plan whose original has
    not run yet runs it first: give several answers expect.expected(plan) to run it once)."""
    syntax = syntax_item(program, plan.language)
    items = [syntax] if syntax is not None else []
    if plan.language not in RUNNABLE or not program.strip():
        return _verdict(plan, items, program)
    plan = expected(plan)
    facts = plan.evidence
    cases = [_in_answer_words(c, program, plan.language) for c in plan.cases]
    if not cases and not (plan.loaded is not None and plan.loaded.output.strip()) and not (facts and facts.at_load):
        return _verdict(plan, items, program)
    try:
        run = run_cases(program, plan.language, cases)
    except Unstrippable as exc:
        return _verdict(plan, items, program, f"The TypeScript answer cannot run here ({exc}): only its syntax is "
                                              "checked.")
    extra = [_program_output(plan, run.load), load_item(facts, run.load) if facts is not None else None]
    items += [item for item in extra if item is not None]
    loose = plan.original_language != plan.language
    javascript = not has_python_ast(plan.language)
    for index, (case, outcome, original) in enumerate(zip(cases, run.outcomes, plan.outcomes or (), strict=True)):
        if case.forbid and facts is not None:
            item = judge_fix(case, outcome, original, index, facts, line_text(program, outcome.line))
        else:
            item = judge(case, outcome, original, loose, javascript)
        items.append(replace(item, line=outcome.line) if item.error and outcome.line else item)
    return _verdict(plan, items, program)


def _verdict(plan: CheckPlan, items: list[Item], program: str, *more: str) -> Verdict:
    """The verdict of the rows, with the plan's notes, and, when nothing was checked, why."""
    notes = list(plan.notes)
    if plan.forbid and not any(c.kind is Kind.CALL for c in plan.cases):
        notes.append(f"The error names {plan.forbid}, but no example call, call in the code, call written by the "
                     "model or typed signature gives inputs to try.")
    rows = Verdict(tuple(items))
    if rows.behaviour or notes or more:
        return replace(rows, notes=(*notes, *more))
    name = display_name(plan.language)
    if not program.strip():
        why = "The answer has no code to check."
    elif plan.language not in RUNNABLE:
        why = f"{name} cannot run here, and no grammar for it is installed to check its syntax."
    elif plan.oracle or plan.reported:
        why = ("Nothing to check: the code has no >>> examples, no tests and no calls of its own, and no inputs "
               "could be found for its functions (the model wrote none, or none with literal arguments).")
    else:
        why = "Nothing to check: add >>> examples to the code, or tests in the Tests box."
    return replace(rows, notes=(why,))


def check(code: str, *, language: str = "python", tests: str = "", against: str | None = None,
          against_language: str | None = None, expect: Expect | None = None, error: str = "",
          write_calls: Callable[[CheckPlan], CheckPlan] | None = None) -> Verdict:
    """Check code: its own >>> examples, the tests, and, with `against` (the original), what is expected of an
    answer to it: by default the same behaviour (Simplify in the same language, Translate across Python and
    JavaScript), or with Expect.FIXED the reported `error` gone (judged exactly as the Debug tab judges).
    write_calls(plan), when given, returns the plan with example calls for the original's functions that
    nothing else gives inputs for (the model's, see playground.derive); without it, such functions are checked
    only where examples call them."""
    if against is not None:
        plan = plan_checks(against, language=against_language or language, answer=language,
                           expect=expect or Expect.SAME_BEHAVIOUR, tests=tests, error=error)
        if plan.wanted and write_calls is not None:
            plan = write_calls(plan)
        return run_checks(plan, code)
    own = plan_checks(code, language=language, tests=tests)
    return run_checks(own, code)
