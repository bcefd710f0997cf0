"""Explain: say what code does, for a learner. The answer is prose; beside it the sandbox runs the code's own
examples and calls (or example calls the model writes) on the code itself, and every example the explanation
gives with its result ("`fizzbuzz(15)` returns `'FizzBuzz'`") is run on the code too: a wrong claim fails its
row, showing what the call really returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..checks import Case, CheckPlan, Expect, Item, Kept, run_checks
from ..checks.cases import Kind
from ..checks.expect import expected
from ..checks.sources import as_call, assert_cases, assert_parts
from ..languages import defined_name
from ..result import Answer
from ..verdict import Verdict
from .base import ForAgents, Shows, Task

_FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*$", re.M)
# `call(...)` returns `value`, `call(...)` gives / is / evaluates to / → / == / -> `value`; or `call(...) == value`
_CLAIM = re.compile(r"`(?P<call>[A-Za-z_$][\w$.]*\([^`]*\))`\s*(?:,\s*)?(?:which\s+|it\s+)?"
                    r"(?:returns|will return|would return|gives|is|evaluates to|==|->|→|=>)\s*`(?P<value>[^`]+)`")
_CLAIM_INLINE = re.compile(r"`(?P<call>[A-Za-z_$][\w$.]*\([^`]*\))\s*(?:==|->|→|=>)\s*(?P<value>[^`]+)`")
MAX_CLAIMS = 5


def claims(explanation: str) -> list[str]:
    """The examples the explanation gives with their results, as `assert call == value` lines (only calls with
    literal arguments and a literal result, which run the same in Python and JavaScript), in order, without
    repeats."""
    found: list[str] = []
    for pattern in (_CLAIM, _CLAIM_INLINE):
        for match in pattern.finditer(explanation):
            line = f"assert {match['call'].strip()} == {match['value'].strip()}"
            if assert_parts(line) is not None and line not in found:
                found.append(line)
    return found[:MAX_CLAIMS]


def checked_claims(explanation: str, code: str, language: str) -> list[Item]:
    """The explanation's examples run on the code (in the sandbox), each a row named for what the explanation
    said, passing when the code returns what it says."""
    cases: list[Case] = []
    names: list[str] = []
    for line in claims(explanation):
        call = next((c for c in map(as_call, assert_cases(line, "claim")) if c is not None), None)
        if call is not None:
            cases.append(call)
            names.append("the explanation: " + line.removeprefix("assert ").replace(" == ", " returns ", 1))
    if not cases:
        return []
    rows = [i for i in run_checks(CheckPlan(language, code, language, tuple(cases)), code).items if i.origin == "claim"]
    return [replace(row, name=name) for row, name in zip(rows, names, strict=True)]


def _shown(plan: CheckPlan) -> CheckPlan:
    """The checks worth showing beside an explanation, once the original ran: not the generated inputs, and an
    example's call only where its `>>>` example is not shown (the code fails it: the call shows what it does)."""
    plan = expected(plan)
    shown = {(call.func, repr(call.args)) for case in plan.cases
             if case.kind is Kind.DOCTEST and (call := as_call(case)) is not None}
    return plan.only(lambda c: c.origin != "generated" and not (
        c.origin == "example" and c.kind is Kind.CALL and (c.func, repr(c.args)) in shown))


@dataclass(frozen=True)
class Explain(Task):
    def read_chat(self, text: str, language: str) -> Answer:
        """All of the answer is the explanation; a code block in it stays as text, without its fences."""
        return Answer(text, "", _FENCE_LINE.sub("", text).strip())

    def judge(self, plan: CheckPlan, answer: Answer, program: str) -> Kept:
        """The code that is explained runs its own examples and calls and the model's example calls (not the inputs
        generated to catch a changed behaviour, nor a `>>>` example again as a call), then the explanation's own
        examples: what each returns is shown beside the words, and an example the code does not bear out fails."""
        shown = run_checks(_shown(plan), plan.original)
        said = checked_claims(answer.explanation, plan.original, plan.original_language)
        return Kept(answer.code, replace(shown, items=(*shown.items, *said)))

    def content(self, answer: Answer) -> str:
        return answer.explanation

    def file_name(self, answer: Answer, language: str, original: str) -> str:
        """`fizzbuzz-explained.md`: named after what the explained code defines."""
        return f"{defined_name(original) or 'code'}-explained.md"

    def lint_note(self, language: str) -> str | None:
        return None  # prose is not linted

    def feedback(self, verdict: Verdict, answer: Answer, program: str) -> str:
        return ""  # a repair turn asks for corrected code: an explanation is asked for afresh instead

    def reference(self, code: str, solution: str, tests: str) -> str:
        """The plainest explanation that passes: the item's first test stated as an example."""
        lines = [line.replace(" is ", " == ", 1) for line in tests.splitlines()]  # `is True` states a value too
        first = next((parts for line in lines if (parts := assert_parts(line)) is not None), None)
        if first is None:
            return ""
        function, args, value = first
        return f"For example, `{function}({', '.join(map(repr, args))})` returns `{value!r}`."

    def grade(self, original: str, answer: str) -> str:
        """An explanation passes when it gives at least one example call with its result and every such example
        is what the code returns (run in the sandbox); the words around them are not graded."""
        said = checked_claims(answer, original, "python")
        if not said:
            return "the explanation gives no example call with its result"
        wrong = next((i for i in said if not i.passed), None)
        return "" if wrong is None else f"{wrong.name}, but the code returns {wrong.got or wrong.error}"

    def tested(self, original: str, answer: str) -> str:
        return original


EXPLAIN = Explain(
    "explain", "Explain", "Say what code does, for a learner, beside a run of its examples.",
    anchor="Explain what this Python code does:\n{code}",
    expect=Expect.SAME_BEHAVIOUR,  # the code's own calls (and, without any, the model's) are run and shown
    shows=Shows(code_answer=False, tests_box=False), eval_set="simplify",  # correct code, its tests true facts
    agents=ForAgents("Explain what code does, for a learner, with the local model. The record's explanation is the "
                     "model's words; its checks run the code's own examples (or example calls the model writes) on "
                     "the code in a sandbox, and every example the explanation gives with its result, so a wrong "
                     "example fails its check.", "the code to explain.",
                     until="every example the explanation gives is right"))
