"""The "How it works" tab's handlers: each one a step of the teaching view, errors shown in the tab."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import wraps
from html import escape
from typing import Any, TypedDict

import gradio as gr

from ..engines import Engine, Stepper
from ..errors import InputError, PlaygroundError
from ..extract import extract
from ..languages import picked_language
from ..markup.fragments import message_html
from ..markup.highlight import highlight_html
from ..params import GenerationParams, Policy
from ..pipeline import run_request
from ..prompting import Mode
from ..scratch import Scratch
from ..tasks import Prompt, Request, get_task
from .render import anatomy_html, chart_html, confidence_html, grid_html, repair_turn_html, tree_html, visible
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
# The repair turn's lesson: a greedy first answer, then one repair turn if it fails its checks.
REPAIR_TURN = GenerationParams(temperature=0.0, max_tokens=384, candidates=2, policy=Policy.REPAIR)


def request_of(task: str, code: str, source: str, target: str, extra: str, tests: str = "") -> Request:
    """The tab's inputs as a Request (the task's extra input: the target picker for a language, else the text
    box), checked here, at the edge."""
    spec = get_task(task)
    value = target if spec.extra is not None and spec.extra.kind == "language" else extra
    return Request.build(spec, code, language=picked_language(source), tests=tests, **spec.inputs(value))


class WalkView(TypedDict):
    """What shows the walk's current step: the answer overlay, the chart, the candidates, the tree, browse."""

    overlay: str
    chart: str
    candidates: dict[str, Any]
    tree: str
    browse: dict[str, Any]


def safe(handler: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Turn errors into the message box (the output named "message"); the other outputs stay as they were."""

    @wraps(handler)
    def wrapper(*args: Any) -> dict[str, Any]:
        try:
            return handler(*args)
        except PlaygroundError as exc:
            return {"message": message_html(str(exc))}
        except Exception as exc:  # a bug must not leave the tab stuck
            log.exception("teaching view")
            return {"message": message_html(f"Unexpected error ({type(exc).__name__}). Please report it.")}

    return wrapper


class TeachApp:
    """Handlers of the teaching tab, bound to a function that returns the current engine and to the app's
    scratch folder (for card downloads)."""

    def __init__(self, engine: Callable[[], Engine], files: Scratch | None = None) -> None:
        self.engine = engine
        self.files = files or Scratch()

    def prompt(self, task: str, code: str, source: str, target: str, extra: str) -> Prompt:
        return request_of(task, code, source, target, extra).prompt(self.engine().info)

    # ------------------------------------------------------------ prompt anatomy

    def anatomy(self, task: str, code: str, source: str, target: str, extra: str, show_tokens: bool) -> str:
        request = request_of(task, code, source, target, extra)
        return self._anatomy(request.prompt(self.engine().info), request, show_tokens)

    def _anatomy(self, prompt: Prompt, request: Request, show_tokens: bool) -> str:
        """The prompt's parts and tokens (tokenized once: on llama-server each count is an HTTP call)."""
        engine = self.engine()
        tokens = prompt_tokens(engine, prompt.text)
        specials = [t.text for t in (tokens or []) if t.special]
        parts = prompt_anatomy(prompt, engine.info, request.code, request.suffix, specials)
        kinds = token_kinds(tokens, parts) if tokens is not None else []
        return anatomy_html(parts, tokens, kinds, engine.context_size, show_tokens)

    def start(self, task: str, code: str, source: str, target: str, extra: str, show_tokens: bool,
              *view: Any) -> dict[str, Any]:
        """Build the prompt, show its anatomy and start a new walk at its end."""
        request = request_of(task, code, source, target, extra)
        prompt = request.prompt(self.engine().info)  # built once, for the anatomy and the walk
        anatomy = self._anatomy(prompt, request, show_tokens)
        engine = self.engine()
        if not isinstance(engine, Stepper):
            note = NO_LOGPROBS.format(engine=engine.name)
            return {"anatomy": anatomy, **self._stepped(None, view, message_html(note, "notice"))}
        walk = start_walk(engine, prompt)
        return {"anatomy": anatomy, **self._stepped(walk, view)}

    # ------------------------------------------------------------ stepping

    @staticmethod
    def _empty_view() -> WalkView:
        return WalkView(overlay="", chart="", candidates=gr.update(choices=[], value=None), tree="",
                        browse=gr.update(choices=[], value=None))

    def _stepped(self, walk: Walk | None, view: tuple[float, int, float, int, int],
                 message: str = "") -> dict[str, Any]:
        """The walk, its view and the message box, after a step."""
        return {"walk": walk, **self.view(walk, *view), "message": message}

    def view(self, walk: Walk | None, temperature: float, top_k: int, top_p: float, seed: int,
             shown: int) -> WalkView:
        """The answer overlay, chart, candidates, tree and browse list for the walk's current step."""
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
            who = "you picked" if step.how == "chosen" else "the model chose"  # a learner's pick is theirs
            chart = (f'<div class="pg-step">Step {step.depth + 1}: {who} '
                     f'<code>{escape(visible(pieces[step.token]))}</code> ({step.how}).</div>'
                     + chart_html(step.dist, pieces, self.sampling(temperature, top_k, top_p, seed), history,
                                  step.token, int(shown)))
            candidates = gr.update(choices=[(f"{visible(pieces[t])}  {100 * p:.1f}%", str(t)) for t, p in top],
                                   value=str(step.token))
        all_pieces = {s.token: token_text(engine, s.token) for s in walk.steps}
        browse = gr.update(choices=[("At the prompt (no tokens yet)", "start")] + [
            (f"{s.depth + 1}: {visible(all_pieces[s.token])} ({s.how})", str(s.index)) for s in walk.steps],
            value="start" if walk.current is None else str(walk.current))
        return WalkView(overlay=overlay, chart=chart, candidates=candidates, tree=tree_html(walk, all_pieces),
                        browse=browse)

    @staticmethod
    def sampling(temperature: float, top_k: int, top_p: float, seed: int) -> Sampling:
        params = GenerationParams.build(temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)
        return Sampling.from_params(params)

    def step(self, walk: Walk | None, *view: Any) -> dict[str, Any]:
        if walk is None:
            raise InputError("Press Build the prompt first.")
        temperature, top_k, top_p, seed, _ = view
        next_token(self.engine(), walk, self.sampling(temperature, top_k, top_p, seed))
        return self._stepped(walk, view)

    def run_to_end(self, walk: Walk | None, *view: Any) -> Iterator[dict[str, Any]]:
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
                    yield self._stepped(walk, view)
            yield self._stepped(walk, view)
        except PlaygroundError as exc:
            yield self._stepped(walk, view, message_html(str(exc)))

    # A choice that changes nothing leaves the view as it is (the outputs left out) and clears the message.
    def branch(self, walk: Walk | None, token: str | None, *view: Any) -> dict[str, Any]:
        if walk is None or token in (None, ""):
            return {"walk": walk, "message": ""}
        if walk.current is not None and str(walk.steps[walk.current].token) == token:
            return {"walk": walk, "message": ""}  # the chosen one itself: nothing to do
        take(self.engine(), walk, int(token))
        return self._stepped(walk, view)

    def browse(self, walk: Walk | None, index: str | None, *view: Any) -> dict[str, Any]:
        if walk is None or index in (None, ""):
            return {"walk": walk, "message": ""}
        go_to(walk, None if index == "start" else int(index))
        return self._stepped(walk, view)

    def back(self, walk: Walk | None, *view: Any) -> dict[str, Any]:
        if walk is None or walk.current is None:
            return {"walk": walk, "message": ""}
        go_to(walk, walk.steps[walk.current].parent)
        return self._stepped(walk, view)

    def rechart(self, walk: Walk | None, *view: Any) -> dict[str, str]:
        """Only the chart, when a sampling slider moves (no model call)."""
        if walk is None or walk.current is None:
            return {}
        return {"chart": self.view(walk, *view)["chart"]}

    # ------------------------------------------------------------ grid and card

    def grid(self, task: str, code: str, source: str, target: str, extra: str,
             tests: str = "") -> Iterator[dict[str, str]]:
        try:
            request = request_of(task, code, source, target, extra, tests or "")  # input errors now, not twelve times
            yield {"grid": grid_html([], GRID_TEMPERATURES, GRID_SEEDS), "message": ""}
            engine = self.engine()
            for cells in variability_grid(engine, request, max_tokens=grid_tokens(engine, code)):
                yield {"grid": grid_html(cells, GRID_TEMPERATURES, GRID_SEEDS), "message": ""}
        except PlaygroundError as exc:
            yield {"message": message_html(str(exc))}

    def repair(self, task: str, code: str, source: str, target: str, extra: str) -> Iterator[dict[str, str]]:
        """Answer (greedy), check, and when the answer fails, ask again in a repair turn: the answers' stories and
        the repair turn's exact prompt."""
        try:
            request = replace(request_of(task, code, source, target, extra), params=REPAIR_TURN)
            yield {"repair_out": '<div class="pg-muted">Answering and checking…</div>', "message": ""}
            engine = self.engine()
            result = run_request(request, engine=engine, checks=True)
        except PlaygroundError as exc:
            yield {"repair_out": "", "message": message_html(str(exc))}
            return
        stories = [a.story(n) for n, a in enumerate(result.attempts, 1)]
        turn = next((a for a in result.attempts if a.repairs), None)
        if turn is None:
            why = "it passed its checks" if result.checks is not None and result.checks.status == "pass" else \
                "no repair turn could be asked (nothing it failed to tell, or the conversation would not fit)"
            yield {"repair_out": message_html(f"{'; '.join(stories) or 'No answer was checked'}: no repair turn, "
                                              f"because {why}. Try the Debug example median.", "notice"),
                   "message": ""}
            return
        first = result.attempts[0].prompt  # the prompt the first answer was asked with
        counts = (engine.count_tokens(turn.prompt), engine.count_tokens(first))
        filled = request.prompt(engine.info).mode is Mode.FIM  # no conversation: the turn is the request as a chat
        yield {"repair_out": repair_turn_html(stories, first, turn.prompt, counts, filled), "message": ""}

    def card(self, task: str, code: str, source: str, target: str, extra: str, temperature: float,
             top_k: int, top_p: float, seed: int) -> dict[str, Any]:
        engine = self.engine()
        prompt = self.prompt(task, code, source, target, extra)
        params = GenerationParams.build(temperature=temperature, top_k=top_k, top_p=top_p, seed=seed,
                                        max_tokens=GRID_MAX_TOKENS)
        card = make_card(engine, prompt.text, prompt.stop, params)
        path = self.files.write(f"card-{task}-seed{card.seed}.json", card.to_json(), "cards")
        shown = _answer_html(prompt.prefill + card.output, prompt.language)
        return {"card_text": card.to_json(), "download": gr.update(value=str(path), interactive=True),
                "card_out": shown, "message": ""}

    def upload(self, data: bytes | None) -> dict[str, str]:
        if data is None:
            return {"message": ""}
        return {"card_text": Card.from_json(data).to_json(), "message": ""}

    def replay(self, text: str) -> dict[str, str]:
        if not text or not text.strip():
            raise InputError("Paste a card's JSON or upload a card file first.")
        card = Card.from_json(text)
        output, same = reproduce(self.engine(), card)
        verdict = ('<div class="pg-pass">Reproduced exactly: the same output, token for token.</div>' if same else
                   '<div class="pg-fail">Different output: this machine, llama.cpp build or server slot count '
                   'computes slightly different numbers (batched decoding sums in another order), or the card '
                   'was edited.</div>')
        return {"replay_out": verdict + _answer_html(output, ""), "message": ""}


def _answer_html(answer: str, language: str) -> str:
    extracted = extract(answer, language or None)
    return f'<div class="pg-code">{highlight_html(extracted.code or answer, extracted.language or language)}</div>'


