"""JavaScript code and its cases, run in QuickJS (PyPI quickjs): a fresh context per run, time and memory limits.

QuickJS is a bare ECMAScript engine: no require, no process, no fetch, no timers, no file or network
access. The prelude (guest/prelude.js) adds a console whose output is kept in the context (capped) and an empty
module.exports, so answers written for Node load. A case stopped by a limit fails alone: the cases after
it run in a fresh context.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Protocol

from .cases import Case, Kind, Outcome, Run
from .functions import name_forms
from .sandbox import DEFAULT_LIMITS, Limits

log = logging.getLogger(__name__)

MAX_RUNNING = 2
JS_MEMORY = 128 << 20
JS_CPU_S = 2.0  # QuickJS counts the process's CPU time from the start of each eval
PATIENCE = 6  # an eval interrupted while other threads used the CPU is tried once more with this many times the limit
BUSY = "busy"  # the stopped text's start when this thread itself used under half the limit: the machine was busy
_SLOTS = threading.BoundedSemaphore(MAX_RUNNING)

@cache
def _prelude() -> str:
    return resources.files(__package__).joinpath("guest", "prelude.js").read_text("utf-8")


def _function_expr(name: str) -> str:
    """A JS expression for the first of name's forms that is a function (global, lexical, or exported)."""
    checks = [f"(typeof {n} === 'function' ? {n} : undefined)" for n in name_forms(name) if n.isidentifier()]
    checks += [f"module.exports[{json.dumps(n)}]" for n in name_forms(name)]
    checks.append("(typeof module.exports === 'function' ? module.exports : undefined)")
    checks.append(f"__find({json.dumps(name)})")
    return "(" + " ?? ".join(checks) + ")"


class _Evaluates(Protocol):
    """A QuickJS context, as far as this module uses it (quickjs ships no type information)."""

    def eval(self, code: str) -> object: ...


class _Context:
    """One QuickJS context with the prelude and the code loaded."""

    def __init__(self, code: str, limits: Limits, patience: int = 1) -> None:
        import quickjs

        self._error = quickjs.JSException
        self.ctx = quickjs.Context()
        self.ctx.set_memory_limit(JS_MEMORY)
        self.cpu_s = min(JS_CPU_S, limits.wall_s) * patience
        self.ctx.set_time_limit(self.cpu_s)
        self.ctx.set_max_stack_size(1 << 20)
        self.ctx.eval(_prelude().replace("__CAP__", str(limits.output_bytes)))
        self.load = self._run(lambda: self._load(code))

    def _load(self, code: str) -> str:
        self.ctx.eval(code)
        return json.dumps({"ok": True, "value": None, "output": self.ctx.eval("__take()")})

    def _run(self, step: Callable[[], str]) -> Outcome:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            data = json.loads(step())
        except self._error as exc:
            seconds = time.perf_counter() - started
            outcome = _js_failure(str(exc), seconds, self.ctx)
            # QuickJS's limit is the process's CPU time, which the model's threads add to in the app: when this
            # thread itself used under half of it, the machine was busy, and the case is tried again.
            if outcome.stopped.startswith("time limit") and time.thread_time() - cpu < self.cpu_s / 2:
                return replace(outcome, stopped=f"{BUSY}: {outcome.stopped}")
            return outcome
        seconds = time.perf_counter() - started
        return Outcome(bool(data["ok"]), data.get("value"), data.get("error"), data.get("output", ""), seconds)

    def case(self, case: Case) -> Outcome:
        if case.kind is Kind.CALL:
            script = f"__call({_function_expr(case.func)}, {json.dumps(list(case.args))})"
        elif case.kind is Kind.EVAL:
            script = f"__evaluate({json.dumps(case.source)}, true)"
        else:
            script = f"__evaluate({json.dumps(case.source)}, false)"
        return self._run(lambda: self.ctx.eval(script))


def _js_failure(text: str, seconds: float, ctx: _Evaluates) -> Outcome:
    """An exception that escaped to QuickJS itself: a syntax error, or a limit (interrupted, out of memory)."""
    first = text.strip().splitlines()[0] if text.strip() else "error"
    if "interrupted" in first:  # what it printed before the limit is kept (capped as always)
        return Outcome(False, output=_printed(ctx), stopped=f"time limit: stopped after {seconds:.1f} s",
                       seconds=seconds)
    if "out of memory" in first or "stack overflow" in first:
        return Outcome(False, stopped=f"memory limit: {first}", seconds=seconds)
    kind, _, message = first.partition(": ")
    return Outcome(False, error={"type": kind or "Error", "message": message}, seconds=seconds)


def run_javascript(code: str, cases: list[Case], limits: Limits = DEFAULT_LIMITS) -> Run:
    """Load code in a fresh QuickJS context, then run each case (a case stopped by a limit fails alone)."""
    outcomes: list[Outcome] = []
    with _SLOTS:
        context = _Context(code, limits)
        if context.load.stopped.startswith(BUSY):
            context = _Context(code, limits, PATIENCE)
        load = context.load
        if not load.ok:
            why = load.stopped or f"the code raised {load.error_text()} when loaded"
            return Run(load, [Outcome(False, stopped="not run: " + why)] * len(cases), load.seconds)
        for case in cases:
            outcome = context.case(case)
            if outcome.stopped.startswith(BUSY):  # once more, alone, with a longer limit
                outcome = _Context(code, limits, PATIENCE).case(case)
                if outcome.stopped.startswith(BUSY):
                    outcome = Outcome(False, stopped="timed out: the machine was too busy to finish it (not counted "
                                                     "as a failure)", seconds=outcome.seconds, timed_out=True)
            outcomes.append(outcome)
            if outcome.stopped:  # the context may be in any state now: start a fresh one for the rest
                context = _Context(code, limits)
    return Run(load, outcomes, load.seconds + sum(o.seconds for o in outcomes))


def _printed(ctx: _Evaluates) -> str:
    """The output an interrupted program printed so far ("" if the context cannot say)."""
    try:
        return str(ctx.eval("__take()"))
    except Exception as exc:  # noqa: BLE001 - a context that cannot answer has nothing to show; logged
        log.debug("an interrupted QuickJS context could not say what it printed: %s", exc)
        return ""
