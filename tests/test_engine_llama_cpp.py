"""The default engine on the real bundled model: determinism, stop sequences, cancel, limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator

import pytest

from playground.catalog import SMALL_MODEL
from playground.engines import Engine, engine_names, get_engine_class, load_engine
from playground.engines.streaming import held_back
from playground.errors import EngineError
from playground.params import GenerationParams

PROMPT = (
    "<|im_start|>user\nWrite a Python function that returns the square of a number.<|im_end|>\n"
    "<|im_start|>assistant\n```python\n"
)


def _text(engine: Engine, params: GenerationParams, stop: list[str] | None = None) -> tuple[str, int]:
    chunks = list(engine.stream(PROMPT, params, stop=stop))
    return "".join(c.text for c in chunks), sum(c.n_tokens for c in chunks)


def test_registry_lists_builtins_and_rejects_unknown_names() -> None:
    assert {"llama-cpp", "ctransformers", "openai"} <= set(engine_names())
    with pytest.raises(EngineError, match="Unknown engine 'nope'. Valid engines: .*llama-cpp"):
        get_engine_class("nope")


def test_engine_is_loaded_once_and_shared(engine: Engine) -> None:
    assert load_engine("llama-cpp", SMALL_MODEL) is engine
    assert engine.context_size == 4096  # the model's 8192 capped by PLAYGROUND_N_CTX's default


def test_temperature_zero_is_deterministic(engine: Engine, greedy: GenerationParams) -> None:
    first, n_first = _text(engine, greedy)
    second, n_second = _text(engine, greedy)
    assert first == second and n_first == n_second > 0
    assert "def" in first


def test_same_seed_same_sample_at_high_temperature(engine: Engine) -> None:
    params = GenerationParams(temperature=1.2, seed=7, max_tokens=40)
    assert _text(engine, params) == _text(engine, params)


def test_max_tokens_bounds_the_answer(engine: Engine) -> None:
    _, n = _text(engine, GenerationParams(temperature=0, max_tokens=5))
    assert n == 5


def test_stop_sequence_ends_the_answer_and_is_not_included(engine: Engine, greedy: GenerationParams) -> None:
    full, _ = _text(engine, greedy)
    assert "return" in full
    cut, n_cut = _text(engine, greedy, stop=["return"])
    assert "return" not in cut
    assert full.startswith(cut)


def test_cancel_after_five_tokens_returns_promptly_and_frees_the_engine(engine: Engine) -> None:
    cancel = threading.Event()
    long = GenerationParams(temperature=0.8, max_tokens=1500, repeat_penalty=1.0)
    started = time.perf_counter()
    tokens = 0
    for chunk in engine.stream(PROMPT, long, cancel=cancel):
        tokens += chunk.n_tokens
        if tokens == 5:
            cancel.set()
    elapsed = time.perf_counter() - started
    assert tokens == 5, "no token may be produced after cancel"
    assert elapsed < 30  # generous: a full 1500-token answer would take far longer
    # The lock was released: another request runs right away, in another thread too.
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(_text(engine, GenerationParams(max_tokens=8))[0]))
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive() and result and result[0]


def test_abandoned_stream_releases_the_lock(engine: Engine, greedy: GenerationParams) -> None:
    stream = engine.stream(PROMPT, greedy)
    assert isinstance(stream, Generator)  # an Iterator by the protocol: a generator here, which can be closed
    next(stream)
    stream.close()  # what a web framework does when a client goes away
    assert _text(engine, GenerationParams(temperature=0, max_tokens=3))[1] == 3


def test_count_tokens_matches_what_is_fed(engine: Engine) -> None:
    assert engine.count_tokens("<|im_start|>") == 1  # special tokens are parsed as such
    assert engine.count_tokens("def f(x): return x") > 3


@pytest.mark.parametrize(
    ("text", "stops", "held"),
    [
        ("abc`", ["```"], 1),
        ("abc``", ["```"], 2),
        ("abc", ["```"], 0),
        ("x <|im", ["<|im_end|>"], 4),
        ("", ["```"], 0),
        ("abc``", [], 0),
    ],
)
def test_text_that_may_start_a_stop_sequence_isheld_back(text: str, stops: list[str], held: int) -> None:
    assert held_back(text, stops) == held
