"""Run a task: render the prompt -> stream -> extract -> highlight + lint -> Result."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

from .engines import Engine, load_engine
from .errors import ContextOverflowError, EngineError, InputError, PlaygroundError
from .extract import extract
from .inputs import check_code, check_text
from .languages import guess_language
from .lint import lint, lint_note
from .models import ModelInfo
from .params import GenerationParams
from .repair import Round, errors, improved, repair_prompt
from .result import Result, Stats
from .settings import get_settings
from .tasks import Prompt, build_prompt, get_task

MIN_ANSWER_TOKENS = 32  # an input that leaves less room than this for the answer is refused


def _fit(prompt: Prompt, engine: Engine, params: GenerationParams) -> tuple[int, GenerationParams, str]:
    """Count the prompt's tokens and make sure prompt + answer fit the context window."""
    n_prompt = engine.count_tokens(prompt.text)
    n_ctx = engine.context_size
    if n_prompt + MIN_ANSWER_TOKENS > n_ctx:
        raise ContextOverflowError(n_prompt, n_ctx, MIN_ANSWER_TOKENS)
    room = n_ctx - n_prompt
    if params.max_tokens > room:
        note = f"The answer is limited to {room} tokens: the prompt uses {n_prompt} of {n_ctx} context tokens."
        return n_prompt, params.model_copy(update={"max_tokens": room}), note
    return n_prompt, params, ""


def _join(*notes: str) -> str:
    return " ".join(n for n in notes if n)


def prepare_prompt(task: str, code: str, info: ModelInfo, *, language: str | None = None, target: str | None = None,
                   error: str = "", suffix: str = "") -> Prompt:
    """The exact prompt a request sends: inputs checked, language guessed if not given, Debug's lint folded in."""
    get_task(task)
    code = check_code(code)
    check_text(error, "The error message")
    check_text(suffix, "The code after the cursor")
    if task == "complete" and suffix and not code.strip():
        raise InputError("Complete needs the code before the cursor; the suffix alone is not enough.")
    source = language or guess_language(code)
    if source is None:
        raise InputError("Could not tell the input's language: pick it from the language list.")
    findings = lint(code) if task == "debug" and source == "python" else []
    return build_prompt(task, code, info, source=source, target=target, error=error, suffix=suffix,
                        findings=findings)


def stream(
    task: str,
    code: str,
    *,
    language: str | None = None,
    target: str | None = None,
    error: str = "",
    suffix: str = "",
    params: GenerationParams | None = None,
    engine: Engine | str | None = None,
    model: str | None = None,
    cancel: threading.Event | None = None,
    repair: bool = False,
) -> Iterator[Result]:
    """Yield partial Results as the answer streams in, then the final one (done=True).

    With repair=True, a Python answer with pyflakes errors gets one more round (see repair.py).
    """
    get_task(task)
    code = check_code(code)  # the checks run before a model loads, and again in prepare_prompt
    check_text(error, "The error message")
    check_text(suffix, "The code after the cursor")
    params = params or GenerationParams()
    if engine is None or isinstance(engine, str):
        engine = load_engine(engine or get_settings().engine, model or get_settings().model)
    prompt = prepare_prompt(task, code, engine.info, language=language, target=target, error=error, suffix=suffix)
    n_prompt, params, fit_note = _fit(prompt, engine, params)
    state = Result(task=task, language=prompt.language, prompt=prompt.text, model=engine.info.name,
                   engine=engine.name, answer=prompt.prefill, notice=_join(prompt.notice, fit_note),
                   stats=Stats(prompt_tokens=n_prompt, context_size=engine.context_size))
    cancel = cancel or threading.Event()
    clock = [time.perf_counter()]  # start, then the first token's time (shared by both rounds)
    yield from _generate(state, engine, prompt, params, cancel, clock, code, suffix)
    if repair and not state.stopped and errors(state.lint):
        yield from _repair(state, engine, prompt, params, cancel, clock, code, suffix)
    state.done = True
    yield state


def _generate(state: Result, engine: Engine, prompt: Prompt, params: GenerationParams,
              cancel: threading.Event, clock: list[float], code: str, suffix: str) -> Iterator[Result]:
    """Stream one round into state, then extract and lint it (state.done is left to the caller)."""
    try:
        for chunk in engine.stream(prompt.text, params, stop=prompt.stop, cancel=cancel):
            now = time.perf_counter()
            clock[1:] = clock[1:] or [now]
            state.answer += chunk.text
            state.stats.completion_tokens += chunk.n_tokens
            _update_stats(state.stats, clock[0], clock[1], now)
            _extract_into(state, prompt, code, suffix)
            yield state
    except PlaygroundError as exc:
        exc.partial = state
        raise
    except Exception as exc:  # an engine dying mid-stream must not take the app down
        error = EngineError(
            f"The engine failed while generating ({type(exc).__name__}: {exc}). "
            "The partial answer is kept; try again, or reload the model."
        )
        error.partial = state
        raise error from exc
    _update_stats(state.stats, clock[0], clock[1] if len(clock) > 1 else None, time.perf_counter())
    _extract_into(state, prompt, code, suffix)
    state.stopped = cancel.is_set()
    state.lint = lint(state.code, state.language) if state.code.strip() else []
    state.lint_note = lint_note(state.language)


def _repair(state: Result, engine: Engine, prompt: Prompt, params: GenerationParams,
            cancel: threading.Event, clock: list[float], code: str, suffix: str) -> Iterator[Result]:
    """Round two: ask again with the lint errors; keep the better round in state, both in state.rounds."""
    second = repair_prompt(prompt, state.code, errors(state.lint), engine.info)
    if second is None:
        return
    try:
        _, params, _ = _fit(second, engine, params)
    except ContextOverflowError:
        state.notice = _join(state.notice, "No repair round: the conversation would not fit the context.")
        return
    tokens, seconds = state.stats.completion_tokens, time.perf_counter() - clock[0]
    first = Round(state.answer, state.code, state.explanation, state.lint, state.prompt, tokens, seconds)
    state.rounds = [first]
    state.answer = second.prefill
    yield from _generate(state, engine, second, params, cancel, clock, code, suffix)
    again = Round(state.answer, state.code, state.explanation or first.explanation, state.lint, second.text,
                  state.stats.completion_tokens - tokens, time.perf_counter() - clock[0] - seconds)
    state.rounds.append(again)
    best = again if improved(first, again) else first
    state.answer, state.code, state.explanation, state.lint = best.answer, best.code, best.explanation, best.lint


def _update_stats(stats: Stats, start: float, first: float | None, now: float) -> None:
    stats.total_s = now - start
    stats.ttft_s = (first or now) - start
    decode_s = now - (first or now)
    stats.tokens_per_s = (stats.completion_tokens - 1) / decode_s if decode_s > 0 else 0.0


def _extract_into(state: Result, prompt: Prompt, code: str, suffix: str) -> None:
    if prompt.mode == "fim":
        state.code = code + state.answer + suffix
    else:
        found = extract(state.answer, prompt.language)
        state.code, state.explanation = found.code, found.explanation


def run(task: str, code: str, **kwargs: object) -> Result:
    """Run a task to the end and return the final Result (same arguments as stream())."""
    *_, result = stream(task, code, **kwargs)  # type: ignore[arg-type]
    return replace(result)
