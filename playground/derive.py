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
from dataclasses import dataclass

from .chat import render_chat
from .checks import CheckPlan
from .checks.sources import written_calls
from .engines import Engine
from .languages import DISPLAY_NAMES
from .params import GenerationParams
from .tasks import fill, load_template

CACHED = 64  # inputs whose calls are kept
MIN_TOKENS = 24  # room the calls need after the prompt
MAX_LINES = 10  # lines read from the model's answer
MAX_LINE = 100  # characters: a longer line is a runaway ("k=11,l=12,..."), and ends the answer


@dataclass(frozen=True)
class Derived:
    """The calls the model wrote for one input, and what it cost."""

    calls: list[tuple[str, tuple[object, ...]]]
    seconds: float
    tokens: int
    text: str  # the model's raw answer (for the teaching view and debugging)


_CACHE: OrderedDict[tuple[str, str, str, tuple[str, ...]], Derived] = OrderedDict()
_LOCK = threading.Lock()


def calls_prompt(code: str, language: str, names: list[str], engine: Engine) -> tuple[str, list[str], int]:
    """The prompt text, its stop strings and its token cap."""
    info = engine.info
    template = load_template("calls", info.architecture)
    listed = ", ".join(f"`{n}`" for n in names)
    variables = {"code": code.rstrip("\n"), "source": language, "source_name": DISPLAY_NAMES.get(language, language),
                 "names": listed if len(names) == 1 else f"each of {listed}", "count": "6" if len(names) == 1 else
                 "4 to 6"}
    messages = [{"role": "system", "content": template["system"]}, {"role": "user", "content": fill(template["user"],
                                                                                                     variables)}]
    text = render_chat(messages, info.chat_template, info.bos_token, info.eos_token) + fill(template["prefill"],
                                                                                           variables)
    return text, list(template.get("stop", [])), int(template.get("max_tokens", 200))


def derive_calls(engine: Engine, code: str, language: str, names: list[str],
                 cancel: threading.Event | None = None) -> Derived:
    """The model's example calls of names (functions of code), greedy and cached."""
    key = (engine.info.name, language, code, tuple(names))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    text, stop, cap = calls_prompt(code, language, names, engine)
    room = min(cap, engine.context_size - engine.count_tokens(text))
    start = time.perf_counter()
    answer, tokens = "", 0
    if room >= MIN_TOKENS:  # else the code leaves no room for calls: none are written
        params = GenerationParams(temperature=0.0, max_tokens=room)
        halt = threading.Event()  # set by the user's Stop, or here when enough has been read
        for chunk in engine.stream(text, params, stop=stop, cancel=halt):
            answer += chunk.text
            tokens += chunk.n_tokens
            lines = answer.split("\n")
            # Enough calls, or a runaway argument (a model repeating "k=11,l=12,..."): stop early.
            if len(lines) > MAX_LINES or len(lines[-1]) > MAX_LINE or (cancel is not None and cancel.is_set()):
                halt.set()
    derived = Derived(written_calls(answer, names, language), time.perf_counter() - start, tokens, answer)
    if cancel is None or not cancel.is_set():
        with _LOCK:
            _CACHE[key] = derived
            while len(_CACHE) > CACHED:
                _CACHE.popitem(last=False)
    return derived


def add_written_calls(plan: CheckPlan, engine: Engine, cancel: threading.Event | None = None) -> Derived:
    """Ask the model for example calls of the plan's functions that nothing else gives inputs for, and add
    them (with inputs generated from their types) to the plan, with a note saying where they came from."""
    names = list(plan.wanted)
    derived = derive_calls(engine, plan.original, plan.original_language, names, cancel)
    written, generated = plan.add_calls(derived.calls, "model")
    plan.wanted = []  # asked once per plan, whatever came back
    listed = ", ".join(names)
    if derived.calls:
        plan.notes.append(f"{written} example call(s) of {listed} written by the model ({derived.seconds:.1f} s) "
                          f"and {generated} more inputs generated from them; what the original code does on each "
                          "is the expectation.")
    elif cancel is None or not cancel.is_set():
        plan.notes.append(f"The model wrote no usable example calls of {listed} (literal arguments only), so "
                          "their behaviour is checked only on what other checks call.")
    return derived
