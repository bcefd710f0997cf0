"""Python code and its cases, run in the WebAssembly sandbox by guest/runner.py; results come back line by line.

A run that a limit stops (an endless loop, a memory bomb) loses only the case it was on: the cases after
it run again in a fresh instance, without it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from .cases import Case, Outcome, Run
from .sandbox import DEFAULT_LIMITS, Limits, RawRun, get_sandbox

MAX_RESTARTS = 3


@cache
def _runner() -> str:
    return resources.files(__package__).joinpath("guest", "runner.py").read_text("utf-8")


def _outcome(data: dict[str, Any]) -> Outcome:
    error = data.get("error")
    line = error.pop("line", 0) if isinstance(error, dict) else 0
    return Outcome(bool(data.get("ok")), data.get("value"), error, str(data.get("output", "")),
                   float(data.get("seconds", 0.0)), line=int(line) if isinstance(line, int) else 0)


def _parse(raw: RawRun, nonce: bytes) -> tuple[dict[object, Outcome], bool]:
    """The results the runner reported, by case index ("load" for the code itself), and whether it ended."""
    results: dict[object, Outcome] = {}
    ended = False
    for line in raw.stdout.split(b"\n"):
        if not line.startswith(nonce):
            continue
        body = line[len(nonce):]
        if body == b"END":
            ended = True
            continue
        try:
            data = json.loads(body)
        except ValueError:
            continue
        results[data.get("case")] = _outcome(data)
    return results, ended


def _why(raw: RawRun) -> str:
    if raw.stopped:
        return raw.stopped
    last = [line for line in raw.stderr.strip().splitlines() if line.strip()]
    return f"the interpreter exited ({raw.exit_code})" + (f": {last[-1][:200]}" if last else "")


def _once(code: str, cases: list[Case], limits: Limits) -> tuple[Outcome | None, list[Outcome], str]:
    """One fresh instance: the load outcome, the outcomes it reported (a prefix), and why it stopped early."""
    nonce = secrets.token_hex(12)
    request = {"nonce": nonce, "code": code, "cases": [c.payload() for c in cases],
               "output_cap": limits.output_bytes}
    raw = get_sandbox().run(["python", "-c", _runner()], json.dumps(request).encode("utf-8"), limits,
                            keep=nonce.encode())
    results, ended = _parse(raw, nonce.encode())
    load = results.get("load")
    done = []
    for index in range(len(cases)):
        if index not in results:
            break
        done.append(results[index])
    return load, done, "" if ended else _why(raw)


TIME_LIMIT = "time limit"  # how the sandbox says the wall clock stopped a run (sandbox._trap_reason)
PATIENCE = 6  # a run the wall clock stopped is tried once more with this many times the wall-clock limit


def _relaxed(limits: Limits) -> Limits:
    """The same limits with a wall clock long enough that the fuel (a count of instructions, the same on a busy
    machine as on an idle one) decides."""
    return replace(limits, wall_s=limits.wall_s * PATIENCE)


def _timed_out(limits: Limits) -> Outcome:
    return Outcome(False, stopped=f"timed out: the machine was too busy to finish it in {limits.wall_s * PATIENCE:g} s "
                                  "(not counted as a failure)", timed_out=True)


def _again(code: str, case: Case, limits: Limits) -> Outcome:
    """A case the wall clock stopped, run alone once more with the fuel as its limit: an endless loop still burns
    its fuel and fails; a case that only met a busy machine finishes, or is marked as timed out."""
    _, done, stopped = _once(code, [case], _relaxed(limits))
    if done:
        return done[0]
    return _timed_out(limits) if stopped.startswith(TIME_LIMIT) else Outcome(False, stopped=stopped,
                                                                               seconds=limits.wall_s)


def run_python(code: str, cases: list[Case], limits: Limits = DEFAULT_LIMITS) -> Run:
    """Load code, then run every case in order (a case stopped by a limit fails alone; one the wall clock stopped
    on a busy machine is tried again, see _again)."""
    outcomes: list[Outcome] = []
    load: Outcome | None = None
    total = 0.0
    restarts = 0
    while True:
        first, done, stopped = _once(code, cases[len(outcomes):], limits)
        if first is None and stopped.startswith(TIME_LIMIT):  # the busy machine stopped it while loading
            first, done, stopped = _once(code, cases[len(outcomes):], _relaxed(limits))
        load = load or first
        total += sum(o.seconds for o in done)
        outcomes += done
        if not stopped:
            break
        if first is None:  # stopped while loading the code itself (twice, for the wall clock)
            if stopped.startswith(TIME_LIMIT):
                return Run(_timed_out(limits), [_timed_out(limits)] * len(cases))
            return Run(Outcome(False, stopped=stopped), [Outcome(False, stopped="not run: " + stopped)] * len(cases))
        if len(outcomes) < len(cases):
            case = cases[len(outcomes)]
            outcomes.append(_again(code, case, limits) if stopped.startswith(TIME_LIMIT)
                            else Outcome(False, stopped=stopped, seconds=limits.wall_s))
        restarts += 1
        if len(outcomes) >= len(cases) or restarts > MAX_RESTARTS:
            missing = len(cases) - len(outcomes)
            outcomes += [Outcome(False, stopped="not run: the code was stopped too often")] * missing
            break
    if load is None:  # the runner never said how loading went: the interpreter itself failed
        why = "the sandbox's interpreter did not report (its output was lost)"
        return Run(Outcome(False, stopped=why), [Outcome(False, stopped="not run: " + why)] * len(cases))
    if not load.ok:
        outcomes = [Outcome(False, stopped=f"not run: the code raised {load.error_text()} when loaded")] * len(cases)
    return Run(load, outcomes, total + load.seconds)
