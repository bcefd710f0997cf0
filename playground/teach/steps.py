"""Step through a generation one token at a time, branch at any step, and browse the tree of branches.

The model is asked through the engine's Stepper capability (the same model the other tabs use).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import numpy as np

from ..engines import Distribution, Engine, Stepper
from ..errors import ContextOverflowError, InputError
from ..tasks import Prompt
from .sampling import KEEP, Sampling, choose
from .tokens import stepper

MAX_ANSWER_TOKENS = 128  # a walk's answer ends here at the latest (the token cap; "Run to the end" stops here)


@dataclass
class Step:
    """One generated token: a node of the branch tree."""

    index: int
    parent: int | None  # None: the first token of the answer
    depth: int  # position in the answer, from 0
    token: int
    data: bytes  # the token's bytes (a character may be split over two tokens)
    prob: float  # the model's probability of this token, before any sampling setting
    how: str  # "greedy", "sampled" or "chosen" (a learner's pick)
    dist: Distribution  # the distribution this token was picked from
    children: list[int] = field(default_factory=list)
    end: str = ""  # why the answer ends with this token ("end of turn", "stop sequence", ...), else ""


@dataclass
class Walk:
    """A step-through generation: the prompt, every step taken (a tree) and the step the learner is on."""

    model: str
    prompt: Prompt
    prompt_ids: list[int]
    context_size: int
    steps: list[Step] = field(default_factory=list)
    current: int | None = None  # None: at the prompt, nothing generated yet
    max_tokens: int = MAX_ANSWER_TOKENS  # the token cap: the longest answer

    def ended(self) -> str:
        """Why the answer ends at the current step ("end of turn", "token cap", ...); "" while it goes on."""
        return self.steps[self.current].end if self.current is not None else ""

    def path(self, index: int | None = -1) -> list[Step]:
        """Steps from the first token to `index` (default: the current step)."""
        node = self.current if index == -1 else index
        out: list[Step] = []
        while node is not None:
            out.append(self.steps[node])
            node = self.steps[node].parent
        return out[::-1]

    def pieces(self, index: int | None = -1) -> list[str]:
        """The text each step on the path adds (they join to the generated text exactly)."""
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        return [decoder.decode(step.data) for step in self.path(index)]

    def generated(self, index: int | None = -1) -> str:
        """The text generated along the path (without the prefilled start)."""
        return "".join(self.pieces(index))

    def answer(self, index: int | None = -1) -> str:
        """What the answer box would show: the prefilled start plus the generated text."""
        return self.prompt.prefill + self.generated(index)

    def branch_points(self) -> int:
        """How many steps have more than one child (places where a learner branched)."""
        firsts = sum(1 for s in self.steps if s.parent is None)
        return sum(1 for s in self.steps if len(s.children) > 1) + (firsts > 1)


def model_key(engine: Engine) -> str:
    """What identifies the loaded model for a walk (its file, else its name)."""
    return engine.info.path or engine.info.name


def start_walk(engine: Engine, prompt: Prompt, max_tokens: int = MAX_ANSWER_TOKENS) -> Walk:
    """A new walk at the end of the prompt (no model call yet); its answer ends at max_tokens at the latest."""
    ids = stepper(engine).tokenize(prompt.text)
    if len(ids) + 1 >= engine.context_size:
        raise ContextOverflowError(len(ids), engine.context_size, 1)
    return Walk(model_key(engine), prompt, list(ids), engine.context_size, max_tokens=max_tokens)


def _check(engine: Engine, walk: Walk) -> Stepper:
    model = stepper(engine)
    if model_key(engine) != walk.model:
        raise InputError("The model changed since this walk started: press Start over to walk with the new one.")
    return model


def _end(engine: Stepper, walk: Walk, step: Step) -> str:
    if engine.is_end(step.token):
        return "end of turn"
    text = walk.generated(step.index)
    if any(s and s in text for s in walk.prompt.stop):
        return "stop sequence"
    if len(walk.prompt_ids) + step.depth + 1 >= walk.context_size:
        return "end of the context window"
    if step.depth + 1 >= walk.max_tokens:
        return f"token cap, {walk.max_tokens} tokens"
    return ""


def _add(engine: Stepper, walk: Walk, parent: int | None, token: int, dist: Distribution, how: str) -> Step:
    """Move to the child of parent with this token, creating it if new."""
    siblings = walk.steps[parent].children if parent is not None else [s.index for s in walk.steps
                                                                        if s.parent is None]
    for index in siblings:
        if walk.steps[index].token == token:
            walk.current = index
            return walk.steps[index]
    depth = walk.steps[parent].depth + 1 if parent is not None else 0
    data = engine.token_bytes(token)
    step = Step(len(walk.steps), parent, depth, token, data, dist.prob(token), how, dist)
    walk.steps.append(step)
    if parent is not None:
        walk.steps[parent].children.append(step.index)
    step.end = _end(engine, walk, step)
    walk.current = step.index
    return step


def next_token(engine: Engine, walk: Walk, sampling: Sampling) -> Step:
    """Advance one token from the current step: greedy at temperature 0, else a seeded draw."""
    model = _check(engine, walk)
    if ended := walk.ended():
        raise InputError(f"The answer ended here ({ended}). Take another candidate, go back, or start over.")
    history = [s.token for s in walk.path()]
    ids = walk.prompt_ids + history
    dist = model.next_distribution(ids, KEEP)
    token = choose(dist, sampling, history, len(history))
    return _add(model, walk, walk.current, token, dist, "greedy" if sampling.temperature <= 0 else "sampled")


def take(engine: Engine, walk: Walk, token: int) -> Step:
    """Branch: replace the current step's token by another candidate of the same distribution."""
    model = _check(engine, walk)
    if walk.current is None:
        raise InputError("Press Next token first: there is no step to branch from yet.")
    step = walk.steps[walk.current]
    if not np.any(step.dist.ids == token):
        raise InputError("That token is not among this step's candidates.")
    return _add(model, walk, step.parent, int(token), step.dist, "chosen")


def go_to(walk: Walk, index: int | None) -> None:
    """Browse back (or forward) to any step of the tree; None is the start of the answer."""
    if index is not None and not 0 <= index < len(walk.steps):
        raise InputError(f"There is no step {index}.")
    walk.current = index
