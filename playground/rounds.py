"""The rounds of one request: how each answer is asked for (a fresh sample or a repair turn, by the policy),
when an answer ends the search, and which answer is shown at the end. Used by playground.pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .engines import Engine
from .errors import ContextOverflowError
from .feedback import same_program
from .params import GenerationParams, Policy
from .prompting import Prompt
from .repair import repair_prompt
from .result import Candidate, Result
from .tasks import Task
from .verdict import VerdictStatus, closest

MIN_ANSWER_TOKENS = 32  # an input that leaves less room than this for the answer is refused


def fit(prompt: Prompt, engine: Engine, params: GenerationParams) -> tuple[int, GenerationParams, str]:
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


@dataclass(frozen=True)
class Ask:
    """How one answer is asked for: its prompt and settings, and, for a repair, which answer (1-based) it
    repairs and what it was told failed."""

    prompt: Prompt
    params: GenerationParams
    repairs: int = 0
    feedback: str = ""
    prompt_tokens: int = 0  # a repair turn's (counted when it was fitted to the context); 0: the first prompt's


def ask_for(spec: Task, prompt: Prompt, tried: Sequence[Candidate], params: GenerationParams, index: int,
            engine: Engine, suffix: str) -> Ask:
    """Answer index+1: a fresh sample from the prompt, or, when the policy repairs here, a follow-up turn with
    the best failing answer so far (mixed: the fresh one just made) and what failed. A repair that cannot be
    asked (a fill-in-the-middle prompt without a chat conversation beside it, nothing to tell, no room in the
    context) or that already gave the same code back is a fresh sample."""
    fresh = Ask(prompt, params.for_candidate(index))
    if not tried or not params.repairs(index):
        return fresh
    number = len(tried) if params.policy is Policy.MIXED else closest([c.verdict for c in tried]) + 1
    parent = tried[number - 1]
    if any(c.repairs == number and same_program(parent.answer.code, c.answer.code, prompt.language) for c in tried):
        return fresh  # the turn gave the same code back once: asked again, it would spend the budget on it again
    told = spec.feedback(parent.verdict, parent.answer, spec.program(parent.answer.code, prompt, suffix))
    follow_up = repair_prompt(prompt, parent.answer.code, told, engine.info)
    if follow_up is None:
        return fresh
    again = any(c.repairs == number for c in tried)  # the same turn again: sampled, or it would say the same
    try:
        n_tokens, fitted, _ = fit(follow_up, engine, params.for_candidate(index) if again else params)
    except ContextOverflowError:
        return fresh
    return Ask(follow_up, fitted, number, told, n_tokens)


def ends(spec: Task, candidate: Candidate) -> bool:
    """Whether an answer ends the search: nothing it was checked on failed, and it has something to show (an
    answer with no code has nothing to fail, and is no answer)."""
    return candidate.verdict.status is not VerdictStatus.FAIL and bool(spec.content(candidate.answer).strip())


def choose(spec: Task, state: Result, tried: Sequence[Candidate], original: str, request_notice: str) -> Result:
    """The state with the first candidate that passed (else the one that passed most). A task with a no-harm
    rule (Simplify) keeps the original when none passed: the notes about the candidates' code go with them."""
    best = next((c for c in tried if ends(spec, c)), None)
    if best is None:  # the one that passed most, of those with something to show if any
        shown = [c for c in tried if spec.content(c.answer).strip()] or tried
        best = shown[closest([c.verdict for c in shown])]
    number = tried.index(best) + 1
    best = replace(best, verdict=replace(best.verdict, candidate=number, candidates_tried=len(tried)))
    state = replace(state, answer=best.answer, candidate=number, checks=best.verdict,
                    prompt=best.prompt or state.prompt,  # a repair's prompt: the conversation with what failed
                    stats=replace(state.stats, prompt_tokens=best.prompt_tokens or state.stats.prompt_tokens))
    kept = spec.no_harm(original, len(tried)) if best.verdict.status is VerdictStatus.FAIL else None
    if kept is None:
        return state
    return replace(state, rejected=best, notice=join_notes(request_notice, kept.note),
                   answer=replace(best.answer, code=kept.code, explanation="",
                                  lint=tuple(spec.lint(original, kept.code, state.language))))


def join_notes(*notes: str) -> str:
    """The notes that say something, in one line."""
    return " ".join(n for n in notes if n)
