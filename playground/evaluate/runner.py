"""Answer every item with each model and method, then check the answers in the sandbox.

Methods:
- "anchor": the same model behind a plain one-line instruction in its chat template, no stop
  sequences, and the answer's code block (playground.extract) as the answer.
- "pipeline": playground.pipeline.run, as the app runs it.
- "repair": the pipeline with lint-guided repair (a second round when pyflakes finds errors).
- "checked": the pipeline with its checks (the item's own >>> examples, the original as the oracle), one
  candidate. It differs from "pipeline" where the checks change the answer: Simplify shows the original
  when the answer changed the behaviour.
- "best-of-n": the same with a budget of n answers (4 unless --budget says otherwise), fresh samples: the first
  that passes its checks, else the one passing most.
- "repair-n" and "mixed-n": the same budget, spent on repairs of the best failing answer from what failed
  (policy repair), or on fresh samples and repairs in turn (policy mixed).
The item's hidden tests are never shown to the pipeline; they only judge the final answer.
Methods that send the model the same request share its one generation (playground.evaluate.replay).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from .. import pipeline
from ..chat import render_chat
from ..engines import Engine, load_engine, unload_engine
from ..params import GenerationParams, Policy
from ..tasks import Request, get_task
from .dataset import Item, load_items
from .grading import SOURCE, answer_language, grade_answer
from .replay import Replay

METHODS = ("anchor", "pipeline", "repair", "checked", "best-of-n", "repair-n", "mixed-n")
POLICIES = {"checked": Policy.FRESH, "best-of-n": Policy.FRESH, "repair-n": Policy.REPAIR, "mixed-n": Policy.MIXED}
BEST_OF = 4
PARAMS = GenerationParams(temperature=0.0, seed=1234, max_tokens=256)


@dataclass
class Attempt:
    """One answer to one item, and whether it passed its check."""

    task: str
    item: str
    model: str
    method: str
    code: str
    answer: str
    tokens: int
    seconds: float
    rounds: int = 1
    passed: bool = False
    reason: str = ""
    tier: str = "basic"
    candidates: int = 1  # candidates tried (checked, best-of-n)
    verdict: str = ""  # what the pipeline's own checks said: pass, fail, parses (syntax only), none
    calls_seconds: float = 0.0  # time the model spent writing example calls for the checks
    chosen: int = 1  # which answer (1-based) the pipeline chose
    repaired: bool = False  # the chosen answer is a repair turn's, asked with what failed


def _language(task: str) -> str:
    return answer_language(task)


def _target(task: str) -> str | None:
    """The evaluation's target language for a task whose answer is in another language."""
    language = answer_language(task)
    return language if language != SOURCE else None


def answer_anchor(engine: Engine, item: Item, params: GenerationParams) -> tuple[str, str, int]:
    """(code, answer, tokens) from the plain one-line instruction prompt."""
    task = get_task(item.task)
    messages = [{"role": "user", "content": task.anchor.format(code=item.code.rstrip())}]
    info = engine.info
    prompt = render_chat(messages, info.chat_template, info.bos_token, info.eos_token)
    answer, tokens = "", 0
    for chunk in engine.stream(prompt, params):
        answer += chunk.text
        tokens += chunk.n_tokens
    return task.content(task.read_chat(answer, _language(item.task))), answer, tokens


def _saved(engine: Engine) -> float:
    """The generation time a Replay engine has saved so far (0 for any other engine)."""
    return engine.saved_seconds if isinstance(engine, Replay) else 0.0


def _timed(engine: Engine, start: float, saved: float) -> float:
    """Seconds since start, plus the generation time the engine's replays saved since then."""
    return time.perf_counter() - start + _saved(engine) - saved


def _request(item: Item, params: GenerationParams) -> Request:
    """The item as the app's request: Python code, Translate's target the evaluation's."""
    return Request.build(item.task, item.code, language="python", target=_target(item.task), params=params)


def answer_pipeline(engine: Engine, model: str, item: Item, params: GenerationParams,
                    methods: list[str]) -> list[Attempt]:
    """Attempts for "pipeline" and/or "repair" from one run of the playground's own pipeline.

    With greedy decoding the first round of a repair run is exactly the plain pipeline's answer,
    so one run with repair=True yields both (the first round, and the final answer).
    """
    request = _request(item, params)
    task = request.task
    start, saved = time.perf_counter(), _saved(engine)
    result = pipeline.run_request(request, engine=engine, repair="repair" in methods, checks=False)
    total = _timed(engine, start, saved)
    first = result.rounds[0] if result.rounds else None
    attempts = []
    if "pipeline" in methods:
        answer = first.answer if first else result.answer
        tokens, seconds = (first.tokens, first.seconds) if first else (result.stats.completion_tokens, total)
        attempts.append(Attempt(item.task, item.name, model, "pipeline", task.content(answer), answer.text, tokens,
                                seconds))
    if "repair" in methods:
        attempts.append(Attempt(item.task, item.name, model, "repair", task.content(result.answer), result.answer.text,
                                result.stats.completion_tokens, total, max(1, len(result.rounds))))
    return attempts


def answer_checked(engine: Engine, model: str, item: Item, params: GenerationParams, method: str,
                   budget: int = BEST_OF) -> Attempt:
    """The pipeline with its own checks: one answer ("checked"), or up to `budget`, fresh ("best-of-n"),
    repairs ("repair-n") or both in turn ("mixed-n")."""
    candidates = 1 if method == "checked" else budget
    request = _request(item, params.model_copy(update={"candidates": candidates, "policy": POLICIES[method]}))
    start, saved = time.perf_counter(), _saved(engine)
    result = pipeline.run_request(request, engine=engine, checks=True)
    verdict = result.checks
    chosen = result.attempts[result.candidate - 1] if 0 < result.candidate <= len(result.attempts) else None
    return Attempt(item.task, item.name, model, method, request.task.content(result.answer), result.answer.text,
                   result.stats.completion_tokens, _timed(engine, start, saved),
                   candidates=verdict.candidates_tried if verdict else 1,
                   verdict=verdict.status if verdict else "", calls_seconds=result.stats.calls_s,
                   chosen=result.candidate, repaired=bool(chosen and chosen.repairs))


def answers(engine: Engine, model: str, methods: list[str], item: Item, params: GenerationParams,
            budget: int = BEST_OF) -> list[Attempt]:
    """Generate one answer per method for an item (not yet checked)."""
    out = []
    if "anchor" in methods:
        start = time.perf_counter()
        code, text, tokens = answer_anchor(engine, item, params)
        out.append(Attempt(item.task, item.name, model, "anchor", code, text, tokens, time.perf_counter() - start))
    if "pipeline" in methods or "repair" in methods:
        out.extend(answer_pipeline(engine, model, item, params, methods))
    out += [answer_checked(engine, model, item, params, m, budget) for m in POLICIES if m in methods]
    return out


def _graded(attempt: Attempt, item: Item) -> Attempt:
    grade = grade_answer(item, attempt.code)
    attempt.passed, attempt.reason = grade.passed, grade.reason
    return attempt


Done = tuple[str, str, str, str, str]  # model, tier, task, item, method


def done_key(attempt: Attempt) -> Done:
    """What identifies an attempt across runs (for resuming an interrupted evaluation)."""
    return attempt.model, attempt.tier, attempt.task, attempt.item, attempt.method


def evaluate(models: Iterable[str], tasks: Iterable[str], methods: Iterable[str], *, limit: int | None = None,
             params: GenerationParams = PARAMS, jobs: int = 1, tiers: Iterable[str] = ("basic",),
             progress: Callable[[Attempt], None] | None = None, done: AbstractSet[Done] = frozenset(),
             engine_name: str = "llama-cpp", budget: int = BEST_OF) -> list[Attempt]:
    """Every (model, task, method, item) answered and checked; checks run on `jobs` threads
    while the next answers are generated (generation itself is one at a time per model), on `engine_name`.
    `budget`: answers per request for best-of-n, repair-n and mixed-n. Attempts whose key is in `done` are
    skipped (a model all of whose attempts are done is not loaded)."""
    tasks, methods, tiers = list(tasks), list(methods), list(tiers)
    futures: list[Future[Attempt]] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for model in models:
            work = [(tier, item, todo) for tier in tiers for task in tasks
                    for item in load_items(task, tier=tier)[:limit]
                    if (todo := [m for m in methods if (model, tier, task, item.name, m) not in done])]
            if not work:
                continue
            loaded = load_engine(engine_name, model)
            engine = Replay(loaded)
            try:
                for tier, item, todo in work:
                    for attempt in answers(engine, model, todo, item, params, budget):
                        attempt.tier = tier
                        future = pool.submit(_graded, attempt, item)
                        if progress is not None:
                            future.add_done_callback(lambda f: progress(f.result()))
                        futures.append(future)
            finally:
                unload_engine(loaded)
                loaded.close()  # its memory goes, and a llama-server started for it stops
    return [f.result() for f in futures]


def print_progress(attempt: Attempt) -> None:
    """One line per checked answer, on stderr."""
    verdict = "pass" if attempt.passed else f"FAIL ({attempt.reason})"
    print(f"{attempt.model:8} {attempt.method:9} {attempt.tier}/{attempt.task}/{attempt.item}: {verdict} "
          f"[{attempt.tokens} tok, {attempt.seconds:.1f} s, {attempt.rounds} round(s), {attempt.candidates} cand.]",
          file=sys.stderr, flush=True)
