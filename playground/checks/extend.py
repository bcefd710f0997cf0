"""A plan with the model's inputs added: its example calls (and inputs generated from them) and, for Debug, its
tests with expected results. Each returns a new plan; the one given is unchanged (playground/derive.py asks
the model and says where the inputs came from)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .plan import CheckPlan, new_cases
from .probes import probes
from .sources import Call


def with_calls(plan: CheckPlan, calls: list[Call], origin: str) -> CheckPlan:
    """The plan with cases for calls (origin "model": written by the model as typical, "edge": as edge cases)
    and for inputs generated from the types of typical ones; their functions are no longer wanted."""
    fresh = [c for c in calls if repr(c) not in {repr(k) for k in plan.calls}]
    names = {f for f, _ in fresh}
    known = [*plan.calls, *fresh]
    generated = [] if origin == "edge" else [(f, a) for f, a in probes(plan.original, known, plan.original_language)
                                             if f in names]
    written = new_cases(plan.cases, fresh, origin, plan.forbid)
    more = new_cases([*plan.cases, *written], generated, "generated", plan.forbid)
    return replace(plan, cases=(*plan.cases, *written, *more), calls=tuple(known), outcomes=None,
                   wanted=tuple(n for n in plan.wanted if n not in names))


def with_intended(plan: CheckPlan, tests: list[tuple[Any, ...]]) -> CheckPlan:
    """Debug: the plan with cases for the model's (function, arguments, expected result) tests (origin
    "intended")."""
    return replace(plan, cases=(*plan.cases, *new_cases(plan.cases, tests, "intended", plan.forbid)), outcomes=None)


def added(before: CheckPlan, after: CheckPlan, origin: str) -> int:
    """How many cases of origin `after` has that `before` had not."""
    return sum(c.origin == origin for c in after.cases) - sum(c.origin == origin for c in before.cases)
