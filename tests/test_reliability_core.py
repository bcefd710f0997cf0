"""Bad input, extreme settings and many start/stop cycles against the real core (no UI)."""

from __future__ import annotations

import resource
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.engines import Engine
from playground.engines.llama_cpp import LlamaCppEngine
from playground.errors import InputError, PlaygroundError
from playground.models import model_info
from playground.params import MAX_NEW_TOKENS_CAP, GenerationParams
from playground.pipeline import run, stream
from playground.result import Status
from playground.tasks import TASKS, build_prompt
from tests.helpers import bundled_model_path

INFO = model_info(bundled_model_path())


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("x" * 100_001, "limit is 100,000"),  # one 100 KB line
        ("print('a')\x00\x00", "NUL"),
        ("", "empty"),
        ("\n\n \t", "empty"),
    ],
)
def test_unusable_input_is_refused_with_a_reason(code: str, message: str, engine: Engine) -> None:
    with pytest.raises(InputError, match=message):
        run("simplify", code, language="python", engine=engine)


@pytest.mark.parametrize(
    "code",
    [
        "s = '\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627'  # right-to-left text\nprint(s)\n",
        "print('\U0001f600 \U0001f680 caf\u00e9')\n",
        "x = 1\x07\x1b[31m\n",  # control characters other than NUL are kept as text
    ],
)
def test_unusual_but_valid_text_gets_an_answer(code: str, engine: Engine, greedy: GenerationParams) -> None:
    result = run("simplify", code, language="python", engine=engine, params=greedy)
    assert result.status.finished and result.stats.completion_tokens > 0
    assert code.strip().splitlines()[0][:8] in result.prompt


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": 10**9}, "max_tokens"),
        ({"temperature": -1}, "temperature"),
        ({"temperature": 99}, "temperature"),
        ({"top_p": 0}, "top_p"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_out_of_range_settings_are_refused_naming_the_setting(values: dict[str, float], message: str) -> None:
    with pytest.raises(InputError, match=message):
        GenerationParams.build(**values)


@pytest.mark.parametrize(
    "values",
    [
        {"temperature": 0.0, "top_k": 0, "max_tokens": 1},
        {"temperature": 2.0, "top_p": 1.0, "top_k": 200, "repeat_penalty": 2.0, "max_tokens": 12},
        {"max_tokens": MAX_NEW_TOKENS_CAP, "temperature": 0.0},
    ],
)
def test_extreme_but_valid_settings_give_a_sensible_result(values: dict[str, float], engine: Engine) -> None:
    result = run("simplify", "def f(x):\n    return x * 2\n", language="python", engine=engine,
                 params=GenerationParams.build(**values))
    assert result.status.finished
    assert 0 < result.stats.completion_tokens <= values["max_tokens"]


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def test_fifty_start_stop_cycles_leave_no_stuck_lock_or_growing_memory(engine: Engine) -> None:
    code = "def total(items):\n    result = 0\n    for i in items:\n        result += i\n    return result\n"
    params = GenerationParams(temperature=0.7, max_tokens=300)

    def cycle() -> int:
        cancel = threading.Event()
        last = None
        for last in stream("simplify", code, language="python", engine=engine, params=params, cancel=cancel):
            if last.stats.completion_tokens >= 2:
                cancel.set()
        assert last is not None and last.status is Status.STOPPED
        return last.stats.completion_tokens

    for _ in range(5):  # warm-up: caches, allocator pools
        cycle()
    before = _rss_mb()
    counts = [cycle() for _ in range(50)]
    growth = _rss_mb() - before
    assert max(counts) <= 3, "generation must end within a token of Stop"
    assert isinstance(engine, LlamaCppEngine)  # the engine fixture's class: wait_idle() is its own
    assert engine.wait_idle(0)  # nothing holds the model
    assert growth < 25, f"RSS grew by {growth:.1f} MB over 50 cycles"
    result = run("simplify", code, language="python", engine=engine, params=GenerationParams(max_tokens=4))
    assert result.status.finished


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(code=st.text(min_size=1, max_size=400), error=st.text(max_size=100), suffix=st.text(max_size=100),
       task=st.sampled_from(sorted(TASKS)))
def test_prompt_rendering_never_crashes_on_arbitrary_text(code: str, error: str, suffix: str, task: str) -> None:
    try:
        prompt = build_prompt(task, code, INFO, source="python", target="javascript", error=error, suffix=suffix)
    except PlaygroundError:
        return  # a clear, user-facing refusal is fine; anything else is a bug
    assert prompt.text.endswith(prompt.prefill)
    assert code.rstrip()[:50] in prompt.text
