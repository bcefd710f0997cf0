"""The "How it works" tab's handlers: each one a step of the teaching view, errors shown in the tab."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from functools import wraps
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from ..engines import Engine, Stepper
from ..errors import InputError, PlaygroundError
from ..extract import extract
from ..languages import picked_language
from ..markup.fragments import message_html
from ..markup.highlight import highlight_html
from ..params import GenerationParams
from ..pipeline import prepare_prompt
from ..tasks import Prompt, get_task
from .render import anatomy_html, chart_html, confidence_html, grid_html, tree_html, visible
from .runs import (
    GRID_MAX_TOKENS,
    GRID_SEEDS,
    GRID_TEMPERATURES,
    Card,
    grid_tokens,
    make_card,
    reproduce,
    variability_grid,
)
from .sampling import Sampling
from .steps import Walk, go_to, next_token, start_walk, take
from .tokens import NO_LOGPROBS, prompt_anatomy, prompt_tokens, stepper, token_kinds, token_text

log = logging.getLogger(__name__)
_CARDS = Path(tempfile.mkdtemp(prefix="playground-cards-"))


def _task_inputs(task: str, target: str, extra: str) -> dict[str, str]:
    """The task's extra input: the target picker for a language, else the text box."""
    spec = get_task(task)
    return spec.inputs(target if spec.extra is not None and spec.extra.kind == "language" else extra)


def safe(n_outputs: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn errors into the message box (the last output); the other outputs stay as they were."""

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(handler)
        def wrapper(*args: Any) -> Any:
            try:
                return handler(*args)
            except PlaygroundError as exc:
                return (*[gr.skip()] * (n_outputs - 1), message_html(str(exc)))
            except Exception as exc:  # a bug must not leave the tab stuck
                log.exception("teaching view")
                return (*[gr.skip()] * (n_outputs - 1),
                        message_html(f"Unexpected error ({type(exc).__name__}). Please report it."))

        return wrapper

    return decorate


class TeachApp:
    """Handlers of the teaching tab, bound to a function that returns the current engine."""

    def __init__(self, engine: Callable[[], Engine]) -> None:
        self.engine = engine

    def prompt(self, task: str, code: str, source: str, target: str, extra: str) -> Prompt:
        return prepare_prompt(task, code, self.engine().info, language=picked_language(source),
                              **_task_inputs(task, target, extra))

    # ------------------------------------------------------------ prompt anatomy

    def anatomy(self, task: str, code: str, source: str, target: str, extra: str, show_tokens: bool) -> str:
        return self._anatomy(self.prompt(task, code, source, target, extra), task, code, extra, show_tokens)

    def _anatomy(self, prompt: Prompt, task: str, code: str, extra: str, show_tokens: bool) -> str:
        """The prompt's parts and tokens (tokenized once: on llama-server each count is an HTTP call)."""
        engine = self.engine()
        tokens = prompt_tokens(engine, prompt.text)
        specials = [t.text for t in (tokens or []) if t.special]
        parts = prompt_anatomy(prompt, engine.info, code, extra if get_task(task).fills_middle else "", specials)
        kinds = token_kinds(tokens, parts) if tokens is not None else []
        return anatomy_html(parts, tokens, kinds, engine.context_size, show_tokens)

    def start(self, task: str, code: str, source: str, target: str, extra: str, show_tokens: bool,
              *view: Any) -> tuple:
        """Build the prompt, show its anatomy and start a new walk at its end."""
        prompt = self.prompt(task, code, source, target, extra)  # built once, for the anatomy and the walk
        anatomy = self._anatomy(prompt, task, code, extra, show_tokens)
        engine = self.engine()
        if not isinstance(engine, Stepper):
            note = NO_LOGPROBS.format(engine=engine.name)
            return (anatomy, None, *self._empty_view(), message_html(note, "notice"))
        walk = start_walk(engine, prompt)
        return (anatomy, walk, *self.view(walk, *view), "")

    # ------------------------------------------------------------ stepping

    @staticmethod
    def _empty_view() -> tuple:
        return ("", "", gr.update(choices=[], value=None), "", gr.update(choices=[], value=None))

    def view(self, walk: Walk | None, temperature: float, top_k: int, top_p: float, seed: int, shown: int) -> tuple:
        """(answer overlay, chart, candidates, tree, browse) for the walk's current step."""
        if walk is None:
            return self._empty_view()
        engine = stepper(self.engine())  # a walk exists only on a Stepper
        step = walk.steps[walk.current] if walk.current is not None else None
        overlay = confidence_html(walk, walk.prompt.language)
        if step is None:
            chart = '<div class="pg-muted">Press Next token: the candidates for the first token appear here.</div>'
            candidates = gr.update(choices=[], value=None)
        else:
            history = [s.token for s in walk.path(step.parent)] if step.parent is not None else []
            top = step.dist.top(int(shown))
            pieces = {t: token_text(engine, t) for t, _ in top}
            pieces.setdefault(step.token, token_text(engine, step.token))
            chart = (f'<div class="pg-step">Step {step.depth + 1}: the model chose '
                     f'<code>{escape(visible(pieces[step.token]))}</code> ({step.how}).</div>'
                     + chart_html(step.dist, pieces, self.sampling(temperature, top_k, top_p, seed), history,
                                  step.token, int(shown)))
            candidates = gr.update(choices=[(f"{visible(pieces[t])}  {100 * p:.1f}%", str(t)) for t, p in top],
                                   value=str(step.token))
        all_pieces = {s.token: token_text(engine, s.token) for s in walk.steps}
        browse = gr.update(choices=[("At the prompt (no tokens yet)", "start")] + [
            (f"{s.depth + 1}: {visible(all_pieces[s.token])} ({s.how})", str(s.index)) for s in walk.steps],
            value="start" if walk.current is None else str(walk.current))
        return overlay, chart, candidates, tree_html(walk, all_pieces), browse

    @staticmethod
    def sampling(temperature: float, top_k: int, top_p: float, seed: int) -> Sampling:
        params = GenerationParams.build(temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)
        return Sampling.from_params(params)

    def step(self, walk: Walk | None, *view: Any) -> tuple:
        if walk is None:
            raise InputError("Press Build the prompt first.")
        temperature, top_k, top_p, seed, _ = view
        next_token(self.engine(), walk, self.sampling(temperature, top_k, top_p, seed))
        return (walk, *self.view(walk, *view), "")

    def run_to_end(self, walk: Walk | None, *view: Any) -> Iterator[tuple]:
        """Step until the answer ends (at the latest at the walk's token cap), showing progress every 8 tokens."""
        try:
            if walk is None:
                raise InputError("Press Build the prompt first.")
            temperature, top_k, top_p, seed, _ = view
            sampling = self.sampling(temperature, top_k, top_p, seed)
            for n in range(walk.max_tokens):
                if walk.ended():
                    break
                next_token(self.engine(), walk, sampling)
                if n % 8 == 7:
                    yield (walk, *self.view(walk, *view), "")
            yield (walk, *self.view(walk, *view), "")
        except PlaygroundError as exc:
            yield (walk, *self.view(walk, *view), message_html(str(exc)))

    def branch(self, walk: Walk | None, token: str | None, *view: Any) -> tuple:
        if walk is None or token in (None, ""):
            return (walk, *[gr.skip()] * 5, "")
        if walk.current is not None and str(walk.steps[walk.current].token) == token:
            return (walk, *[gr.skip()] * 5, "")  # the chosen one itself: nothing to do
        take(self.engine(), walk, int(token))
        return (walk, *self.view(walk, *view), "")

    def browse(self, walk: Walk | None, index: str | None, *view: Any) -> tuple:
        if walk is None or index in (None, ""):
            return (walk, *[gr.skip()] * 5, "")
        go_to(walk, None if index == "start" else int(index))
        return (walk, *self.view(walk, *view), "")

    def back(self, walk: Walk | None, *view: Any) -> tuple:
        if walk is None or walk.current is None:
            return (walk, *[gr.skip()] * 5, "")
        go_to(walk, walk.steps[walk.current].parent)
        return (walk, *self.view(walk, *view), "")

    def rechart(self, walk: Walk | None, *view: Any) -> Any:
        """Only the chart, when a sampling slider moves (no model call)."""
        if walk is None or walk.current is None:
            return gr.skip()
        return self.view(walk, *view)[1]

    # ------------------------------------------------------------ grid and card

    def grid(self, task: str, code: str, source: str, target: str, extra: str,
             tests: str = "") -> Iterator[tuple[str, str]]:
        try:
            self.prompt(task, code, source, target, extra)  # input errors now, not twelve times
            yield grid_html([], GRID_TEMPERATURES, GRID_SEEDS), ""
            engine = self.engine()
            for cells in variability_grid(engine, task, code, language=picked_language(source),  # type: ignore[arg-type]
                                          max_tokens=grid_tokens(engine, code), tests=tests or "",
                                          **_task_inputs(task, target, extra)):
                yield grid_html(cells, GRID_TEMPERATURES, GRID_SEEDS), ""
        except PlaygroundError as exc:
            yield gr.skip(), message_html(str(exc))

    def card(self, task: str, code: str, source: str, target: str, extra: str, temperature: float,
             top_k: int, top_p: float, seed: int) -> tuple:
        engine = self.engine()
        prompt = self.prompt(task, code, source, target, extra)
        params = GenerationParams.build(temperature=temperature, top_k=top_k, top_p=top_p, seed=seed,
                                        max_tokens=GRID_MAX_TOKENS)
        card = make_card(engine, prompt.text, prompt.stop, params)
        path = Path(tempfile.mkdtemp(dir=_CARDS)) / f"card-{task}-seed{card.seed}.json"
        path.write_text(card.to_json(), "utf-8")
        shown = _answer_html(prompt.prefill + card.output, prompt.language)
        return card.to_json(), gr.update(value=str(path), interactive=True), shown, ""

    def upload(self, data: bytes | None) -> tuple[Any, str]:
        if data is None:
            return gr.skip(), ""
        return Card.from_json(data).to_json(), ""

    def replay(self, text: str) -> tuple[str, str]:
        if not text or not text.strip():
            raise InputError("Paste a card's JSON or upload a card file first.")
        card = Card.from_json(text)
        output, same = reproduce(self.engine(), card)
        verdict = ('<div class="pg-pass">Reproduced exactly: the same output, token for token.</div>' if same else
                   '<div class="pg-fail">Different output: this machine, llama.cpp build or server slot count '
                   'computes slightly different numbers (batched decoding sums in another order), or the card '
                   'was edited.</div>')
        return verdict + _answer_html(output, ""), ""


def _answer_html(answer: str, language: str) -> str:
    extracted = extract(answer, language or None)
    return f'<div class="pg-code">{highlight_html(extracted.code or answer, extracted.language or language)}</div>'


