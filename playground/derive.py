"""Example calls written by the loaded model, for code that has no examples, calls or type hints of its own.

The checks need inputs to compare an answer with the original. When the code gives none, one short
generation asks the model for example calls (prompts/calls.toml); checks.sources.written_calls reads them
strictly (literal arguments only) and the checks run them on the original in the sandbox, which says what
the right result is. Cached per model and input, so candidates, reruns and Run again reuse them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

from .chat import render_chat
from .checks import CheckPlan
from .checks.extend import added, with_calls, with_intended
from .checks.sources import intended_calls, split_calls
from .engines import Engine
from .languages import display_name, has_python_ast
from .params import GenerationParams
from .prompting import fill, load_template

CACHED = 64  # inputs whose calls are kept
MIN_TOKENS = 24  # room the calls need after the prompt
MAX_LINES = 10  # lines read from the model's answer
MAX_LINE = 100  # characters: a longer line is a runaway ("k=11,l=12,..."), and ends the answer


@dataclass(frozen=True)
class Derived:
    """What the model wrote for one input (calls, or tests with expected results), and what it cost."""

    calls: list[tuple[Any, ...]]  # (function, arguments) for "calls"; (function, arguments, expected) for "intended"
    seconds: float
    tokens: int
    text: str  # the model's raw answer (for the teaching view and debugging)
    edge: list[tuple[Any, ...]] = field(default_factory=list)  # "domain": the calls the model wrote as edge cases


_CACHE: OrderedDict[tuple[str, ...], Derived] = OrderedDict()
_LOCK = threading.Lock()


def derive_prompt(kind: str, code: str, language: str, names: list[str], engine: Engine) -> tuple[str, str, list[str],
                                                                                                   int]:
    """The prompt text of prompts/<kind>.toml, the start of the answer it prefills (after the fence), its stop
    strings and its token cap."""
    info = engine.info
    template = load_template(kind, info.architecture)
    listed = ", ".join(f"`{n}`" for n in names)
    variables = {"code": code.rstrip("\n"), "source": language, "source_name": display_name(language),
                 "names": listed if len(names) == 1 else f"each of {listed}", "count": "6" if len(names) == 1 else
                 "4 to 6", "first": names[0] if names else "", "comment": "#" if has_python_ast(language) else "//"}
    messages = [{"role": "system", "content": template["system"]}, {"role": "user", "content": fill(template["user"],
                                                                                                     variables)}]
    prefill = fill(template["prefill"], variables)
    text = render_chat(messages, info.chat_template, info.bos_token, info.eos_token) + prefill
    return text, prefill.partition("\n")[2], list(template.get("stop", [])), int(template.get("max_tokens", 200))


def _derive(kind: str, engine: Engine, code: str, language: str, names: list[str],
            cancel: threading.Event | None) -> Derived:
    """One greedy generation of prompts/<kind>.toml, read by its parser, cached per model and input."""
    key = (kind, engine.info.name, language, code, *names)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    text, started, stop, cap = derive_prompt(kind, code, language, names, engine)
    room = min(cap, engine.context_size - engine.count_tokens(text))
    start = time.perf_counter()
    answer, tokens = started, 0
    if room >= MIN_TOKENS:  # else the code leaves no room: nothing is written
        params = GenerationParams(temperature=0.0, max_tokens=room)
        halt = threading.Event()  # set by the user's Stop, or here when enough has been read
        for chunk in engine.stream(text, params, stop=stop, cancel=halt):
            answer += chunk.text
            tokens += chunk.n_tokens
            lines = answer.split("\n")
            # Enough lines, or a runaway argument (a model repeating "k=11,l=12,..."): stop early.
            if len(lines) > MAX_LINES or len(lines[-1]) > MAX_LINE or (cancel is not None and cancel.is_set()):
                halt.set()
    edge: list[tuple[Any, ...]] = []
    if kind == "calls":
        ordinary, found_edge = split_calls(answer, names, language)
        found: list[tuple[Any, ...]] = list(ordinary)
        edge = list(found_edge)
    else:
        found = list(intended_calls(answer, names))
    derived = Derived(found, time.perf_counter() - start, tokens, answer, edge)
    if cancel is None or not cancel.is_set():
        with _LOCK:
            _CACHE[key] = derived
            while len(_CACHE) > CACHED:
                _CACHE.popitem(last=False)
    return derived


def derive_calls(engine: Engine, code: str, language: str, names: list[str],
                 cancel: threading.Event | None = None) -> Derived:
    """The model's example calls of names (functions of code), greedy and cached: its ordinary inputs (calls)
    and its edge cases (edge)."""
    return _derive("calls", engine, code, language, names, cancel)


def derive_intended(engine: Engine, code: str, language: str, names: list[str],
                    cancel: threading.Event | None = None) -> Derived:
    """The model's tests of names with the results the code should give (for Debug), greedy and cached."""
    return _derive("intended", engine, code, language, names, cancel)


def with_written_calls(plan: CheckPlan, engine: Engine, cancel: threading.Event | None = None) -> CheckPlan:
    """The plan with the model's example calls of its functions that nothing else gives inputs for (and inputs
    generated from their types), and a note saying where they came from; asked once per plan (nothing is
    wanted after). The model says which calls are ordinary inputs and which are edge cases (prompts/calls.toml)."""
    names = list(plan.wanted)
    debug = plan.reported is not None
    asked = time.perf_counter()
    derived = derive_calls(engine, plan.original, plan.original_language, names, cancel)
    spent = time.perf_counter() - asked  # what this request spent: nothing when another request wrote them
    when = f"in {spent:.1f} s" if spent >= derived.seconds / 2 else "for an earlier request (reused)"
    typical = with_calls(plan, derived.calls, "model")
    both = replace(with_calls(typical, derived.edge, "edge"), wanted=())
    written, generated, edge = added(plan, typical, "model"), added(plan, typical, "generated"), \
        added(typical, both, "edge")
    listed = ", ".join(names)
    if derived.calls or derived.edge:
        expectation = "the error must be gone on the ordinary ones" if debug else \
            "what the original code does on each is the expectation"
        return both.noted(f"{written + edge} example call(s) of {listed} written by the model ({written} ordinary, "
                          f"{edge} edge cases) {when}, and {generated} more inputs generated from them; {expectation}.")
    if cancel is None or not cancel.is_set():
        return both.noted(f"The model wrote no usable example calls of {listed} (literal arguments only), so "
                          "their behaviour is checked only on what other checks call.")
    return both


def with_intended_tests(plan: CheckPlan, engine: Engine, cancel: threading.Event | None = None) -> CheckPlan:
    """Debug with nothing to say what the code should do: the plan with the model's tests with expected
    results, labelled as the model's expectation."""
    names = list(plan.intended)
    derived = derive_intended(engine, plan.original, plan.original_language, names, cancel)
    tested = replace(with_intended(plan, derived.calls), intended=())
    if n := added(plan, tested, "intended"):
        return tested.noted(f"{n} test(s) of {', '.join(names)} written by the model ({derived.seconds:.1f} s): "
                            "their expected results are its reading of the names and docstring, and may be wrong.")
    return tested
