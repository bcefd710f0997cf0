"""Python code and its cases, run in the WebAssembly sandbox by guest/runner.py; results come back line by line.

A run that a limit stops (an endless loop, a memory bomb) loses only the case it was on: the cases after
it run again in a fresh instance, without it.
"""

from __future__ import annotations

import json
import secrets
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
    return Outcome(bool(data.get("ok")), data.get("value"), data.get("error"), str(data.get("output", "")),
                   float(data.get("seconds", 0.0)))


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


def run_python(code: str, cases: list[Case], limits: Limits = DEFAULT_LIMITS) -> Run:
    """Load code, then run every case in order (a case stopped by a limit fails alone)."""
    outcomes: list[Outcome] = []
    load: Outcome | None = None
    total = 0.0
    restarts = 0
    while True:
        first, done, stopped = _once(code, cases[len(outcomes):], limits)
        load = load or first
        total += sum(o.seconds for o in done)
        outcomes += done
        if not stopped:
            break
        if first is None:  # stopped while loading the code itself
            return Run(Outcome(False, stopped=stopped), [Outcome(False, stopped="not run: " + stopped)] * len(cases))
        if len(outcomes) < len(cases):
            outcomes.append(Outcome(False, stopped=stopped, seconds=limits.wall_s))
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
