"""Run a task: render the prompt -> candidates -> stream -> extract -> restore -> lint + checks -> Result.

Each candidate streams in, gets back what it uses from the original but left out (playground.restore),
is linted, then run against its checks in the sandbox (playground.checks).
The first candidate that passes every check is the answer; otherwise the one that passes most, flagged
as failing. Simplify does no harm: when no candidate keeps the original's behaviour, the answer is the
original code, and the best candidate is kept beside it (Result.rejected).

The Result is a value: each token, check and choice yields a new one, which a front end may keep as it is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from typing import ParamSpec

from .checks import CheckPlan, SandboxUnavailable
from .checks.expect import expected
from .derive import with_intended_tests, with_written_calls
from .engines import Engine, Infiller, load_engine
from .errors import ContextOverflowError, EngineError, PlaygroundError
from .feedback import feedback
from .params import GenerationParams
from .prompting import Mode, Prompt
from .repair import errors, improved, repair_prompt
from .result import Answer, Candidate, Result, Round, Stats, Status
from .rounds import ask_for, choose, ends, fit, join_notes
from .settings import get_settings
from .tasks import Request, Task
from .verdict import Verdict

P = ParamSpec("P")


@dataclass
class _Clock:
    """When the request started, its first token, and the current candidate's first token and token count."""

    start: float
    first: float | None = None
    round_first: float | None = None
    round_tokens: int = 0

    def new_round(self) -> None:
        self.round_first, self.round_tokens = None, 0


def stream(task: str, code: str, *, language: str | None = None, target: str | None = None, error: str = "",
           suffix: str = "", tests: str = "", params: GenerationParams | None = None,
           engine: Engine | str | None = None, model: str | None = None, cancel: threading.Event | None = None,
           repair: bool = False, checks: bool | None = None) -> Iterator[Result]:
    """Yield partial Results as the answer streams in, then the final one (status DONE or STOPPED): the
    library's way in, which builds the Request (see stream_request) from these arguments.

    tests: doctest text or assert lines the answer must pass; params.candidates: answers to try until one
    passes; checks: run the checks (default PLAYGROUND_CHECKS); repair: a Python answer with pyflakes
    errors gets one more round (see repair.py).
    """
    request = Request.build(task, code, language=language, target=target, error=error, suffix=suffix, tests=tests,
                            params=params)
    return stream_request(request, engine=engine, model=model, cancel=cancel, repair=repair, checks=checks)


def stream_request(request: Request, *, engine: Engine | str | None = None, model: str | None = None,
                   cancel: threading.Event | None = None, repair: bool = False,
                   checks: bool | None = None) -> Iterator[Result]:
    """stream() for a Request a front end built at its edge: the inputs are not checked again."""
    if engine is None or isinstance(engine, str):
        engine = load_engine(engine or get_settings().engine, model or get_settings().model)
    return _stream(request, engine, cancel or threading.Event(), repair,
                   get_settings().checks if checks is None else checks)


def _stream(request: Request, engine: Engine, cancel: threading.Event, repair: bool,
            checking: bool) -> Iterator[Result]:
    spec, code, suffix = request.task, request.code, request.suffix
    prompt = request.prompt(engine.info)
    plan = request.plan() if checking else None
    n_prompt, params, fit_note = fit(prompt, engine, request.params)
    state = Result(task=spec.name, language=prompt.language, prompt=prompt.text, model=engine.info.name,
                   engine=engine.name, answer=Answer(prompt.prefill), notice=join_notes(prompt.notice, fit_note),
                   stats=Stats(prompt_tokens=n_prompt, context_size=engine.context_size),
                   candidates=params.candidates)
    clock = _Clock(time.perf_counter())
    tried: list[Candidate] = []
    for index in range(params.candidates):
        ask = ask_for(spec, prompt, tried, params, index, engine, suffix)
        if index:  # start again (the stats keep counting the whole request)
            state = replace(state, answer=Answer(ask.prompt.prefill), rounds=(), status=Status.GENERATING,
                            candidate=index + 1, checks=None, repairs=ask.repairs, prompt=ask.prompt.text,
                            stats=replace(state.stats, prompt_tokens=ask.prompt_tokens or n_prompt))
        round_params = ask.params
        state = yield from _generate(spec, state, engine, ask.prompt, round_params, cancel, clock, code, suffix)
        if repair and not cancel.is_set() and errors(state.answer.lint):
            state = yield from _repair(spec, state, engine, ask.prompt, round_params, cancel, clock, code, suffix)
        if cancel.is_set() or plan is None:
            break
        state = replace(state, status=Status.CHECKING)
        yield state
        write = bool(plan.wanted) and get_settings().model_calls  # no inputs for some functions: model's calls
        intend = bool(plan.intended) and get_settings().debug_tests  # Debug with nothing saying what is right
        if write or intend:
            asked = time.perf_counter()  # measured here: a cached answer costs this request nothing
            if write:
                plan = with_written_calls(plan, engine, cancel)
            if intend:
                plan = with_intended_tests(plan, engine, cancel)
            spent = state.stats.calls_s + time.perf_counter() - asked
            state = replace(state, stats=replace(state.stats, calls_s=spent))
        if cancel.is_set():
            break
        plan, state, verdict = _check(spec, state, plan, prompt, suffix)
        if verdict is None:
            break
        tried.append(Candidate(state.answer, verdict, ask.repairs, ask.feedback, ask.prompt.text,
                               ask.prompt_tokens or n_prompt))
        state = replace(state, attempts=tuple(tried))
        if ends(spec, tried[-1]) or cancel.is_set():
            break
    stopped = cancel.is_set()
    if tried and not stopped:
        state = choose(spec, state, tried, code, join_notes(prompt.notice, fit_note))
    yield replace(state, status=Status.STOPPED if stopped else Status.DONE,  # the whole request: generation,
                  stats=replace(state.stats, total_s=time.perf_counter() - clock.start))  # calls and checks


def _check(spec: Task, state: Result, plan: CheckPlan, prompt: Prompt,
           suffix: str) -> tuple[CheckPlan, Result, Verdict | None]:
    """The plan once the original ran on it (once, for every candidate), the state with the answer as the task
    keeps it, and the candidate's verdict; no verdict (with a notice) when the sandbox is not there."""
    try:
        plan = expected(plan)
        kept = spec.judge(plan, state.answer, spec.program(state.answer.code, prompt, suffix))
    except SandboxUnavailable as exc:
        return plan, replace(state, notice=join_notes(state.notice, f"Checks did not run: {exc}")), None
    if kept.code != state.answer.code:  # the task kept part of it (Tests: the tests that pass)
        state = replace(state, answer=replace(state.answer, code=kept.code,
                                              lint=tuple(spec.lint(plan.original, kept.code, state.language))))
    return plan, state, kept.verdict


def _generate(spec: Task, state: Result, engine: Engine, prompt: Prompt, params: GenerationParams,
              cancel: threading.Event, clock: _Clock, code: str, suffix: str) -> Generator[Result, None, Result]:
    """Stream one round after state, then extract and lint it: yields each partial Result and returns the last
    (the status is left to the caller)."""
    clock.new_round()
    if prompt.mode is Mode.FIM and isinstance(engine, Infiller):  # the engine lays out the model's FIM tokens
        chunks = engine.infill(code, suffix, params, cancel=cancel, stop=prompt.stop)
    else:
        chunks = engine.stream(prompt.text, params, stop=prompt.stop, cancel=cancel)
    try:
        for chunk in chunks:
            now = time.perf_counter()
            clock.first = clock.first or now
            clock.round_first = clock.round_first or now
            clock.round_tokens += chunk.n_tokens
            stats = replace(state.stats, completion_tokens=state.stats.completion_tokens + chunk.n_tokens)
            if chunk.usage:
                stats = replace(stats, cached_tokens=chunk.usage.get("cached_tokens", 0))
            state = replace(state, answer=spec.read(state.answer.text + chunk.text, prompt, code, suffix),
                            stats=_timed(stats, clock, now))
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
    state = replace(state, stats=_timed(state.stats, clock, time.perf_counter()))
    answer, notice = _restore_missing(spec, state, prompt, code, spec.read(state.answer.text, prompt, code, suffix))
    wrong = spec.explanation_problem(answer.explanation, code, answer.code)
    if wrong:  # an explanation of a change the answer did not make: better nothing
        answer = replace(answer, explanation="")
        notice = join_notes(notice, f"The model's explanation is not shown: it mentions {wrong}, which its fix "
                                    "does not change.")
    findings = spec.lint(code, answer.code, state.language) if answer.code.strip() else []
    return replace(state, answer=replace(answer, lint=tuple(findings)), notice=notice,
                   lint_note=spec.lint_note(state.language))


def _repair(spec: Task, state: Result, engine: Engine, prompt: Prompt, params: GenerationParams,
            cancel: threading.Event, clock: _Clock, code: str, suffix: str) -> Generator[Result, None, Result]:
    """Round two: ask again with the lint errors; returns the state with the better round, both in rounds."""
    second = repair_prompt(prompt, state.answer.code, feedback(None, state.answer.code, state.answer.lint),
                           engine.info)
    if second is None:
        return state
    try:
        _, params, _ = fit(second, engine, params)
    except ContextOverflowError:
        return replace(state, notice=join_notes(state.notice, "No repair round: the conversation would not fit the "
                                                         "context."))
    tokens, seconds = state.stats.completion_tokens, time.perf_counter() - clock.start
    first = Round(state.answer, state.prompt, tokens, seconds)
    state = replace(state, rounds=(first,), answer=Answer(second.prefill))
    state = yield from _generate(spec, state, engine, second, params, cancel, clock, code, suffix)
    answer = state.answer if state.answer.explanation else replace(state.answer, explanation=first.answer.explanation)
    again = Round(answer, second.text, state.stats.completion_tokens - tokens,
                  time.perf_counter() - clock.start - seconds)
    return replace(state, rounds=(first, again), answer=(again if improved(first, again) else first).answer)


def _timed(stats: Stats, clock: _Clock, now: float) -> Stats:
    """The stats with the total time, the time to the request's first token and the current round's decoding
    speed (tokens/s) at `now`."""
    decode_s = now - (clock.round_first or now)
    # A round that ended at once (an end-of-turn chunk with no token) has no decoding to time.
    return replace(stats, total_s=now - clock.start, ttft_s=(clock.first or now) - clock.start,
                   tokens_per_s=max(clock.round_tokens - 1, 0) / decode_s if decode_s > 0 else 0.0)


def _restore_missing(spec: Task, state: Result, prompt: Prompt, code: str, answer: Answer) -> tuple[Answer, str]:
    """What the answer uses from the original but left out, put back as the task does it (Task.restore), and
    the request's notice, which says so."""
    restored, names = spec.restore(code, answer.code, language=state.language, source=prompt.source,
                                   mode=prompt.mode)
    note = (f"The answer uses {', '.join(names)}, which it left out: kept from the original code "
            "(its imports, constants or helpers).")
    notice = join_notes(state.notice, note) if names and note not in state.notice else state.notice
    return replace(answer, code=restored), notice


def _to_the_end(streaming: Callable[P, Iterator[Result]]) -> Callable[P, Result]:  # the stream's parameters, typed
    def run(*args: P.args, **kwargs: P.kwargs) -> Result:
        """Run to the end and return the final Result (same arguments as the stream)."""
        *_, result = streaming(*args, **kwargs)
        return result
    return run


run = _to_the_end(stream)
run_request = _to_the_end(stream_request)
