"""A student's session to take home: what they asked and got, as a Jupyter notebook or as Markdown.

The session's requests are kept in the app's memory for the session that made them (`Journal`), code and
answer included whatever the class record keeps: they are the student's, handed back on request, gone when
the app restarts and never written to disk by the app.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import nbformat
from nbformat import v4

from ..errors import InputError
from ..languages import display_name, find_language

PER_SESSION = 100  # a session's newest requests kept
SESSIONS = 2000  # sessions kept, the least recently used going first
IDLE_S = 24 * 3600  # a session untouched this long is forgotten
FORMATS = ("ipynb", "md")


@dataclass(frozen=True)
class Step:
    """One request of a session, as the take-home file shows it."""

    request_id: str
    created: float
    task: str  # the task's title ("Debug")
    language: str  # the input's
    answer_language: str
    code: str
    given: str  # the task's extra input in words ("Error message: ...", "To: JavaScript"), "" without one
    answer: str  # the code answer ("" for prose)
    explanation: str
    verdict: str  # the checks in a line ("passes 3/3"), "" when not checked
    outcome: str  # done, stopped, error


class Journal:
    """Each session's recent requests, in memory."""

    def __init__(self, per_session: int = PER_SESSION, sessions: int = SESSIONS) -> None:
        self._steps: OrderedDict[str, list[Step]] = OrderedDict()
        self._seen: dict[str, float] = {}
        self._per_session, self._sessions = per_session, sessions
        self._lock = threading.Lock()

    def add(self, session: str, step: Step) -> None:
        now = time.time()
        with self._lock:
            steps = self._steps.pop(session, [])
            steps.append(step)
            self._steps[session] = steps[-self._per_session:]
            self._seen[session] = now
            for old in [s for s, seen in self._seen.items() if now - seen > IDLE_S]:
                self._steps.pop(old, None)
                self._seen.pop(old, None)
            while len(self._steps) > self._sessions:
                gone, _ = self._steps.popitem(last=False)
                self._seen.pop(gone, None)

    def steps(self, session: str) -> list[Step]:
        with self._lock:
            return list(self._steps.get(session, []))


def _in_kernel(language: str) -> bool:
    """Whether the notebook's kernel (IPython) runs code in this language: Python's."""
    known = find_language(language)
    return known is not None and known.python_ast


def _fence(code: str, language: str) -> str:
    ticks = "```"
    while ticks in code:
        ticks += "`"
    return f"{ticks}{language}\n{code.rstrip()}\n{ticks}"


def _heading(number: int, step: Step) -> str:
    when = time.strftime("%H:%M", time.localtime(step.created))
    languages = display_name(step.language)
    if step.answer_language and step.answer_language != step.language:
        languages += f" → {display_name(step.answer_language)}"
    checks = f" · checks: {step.verdict}" if step.verdict else ""
    ended = "" if step.outcome == "done" else f" · {step.outcome}"
    return f"## {number}. {step.task} ({languages}), {when}{checks}{ended}"


def _blocks(step: Step, number: int) -> list[tuple[str, str, str]]:
    """(kind, text, language) for one step: kind is "md", or "code" with the code's language."""
    blocks = [("md", _heading(number, step), ""), ("md", "Your code:", ""), ("code", step.code, step.language)]
    if step.given:
        blocks.insert(1, ("md", step.given, ""))
    if step.answer:
        blocks += [("md", "The answer:", ""), ("code", step.answer, step.answer_language or step.language)]
    if step.explanation:
        blocks.append(("md", step.explanation, ""))
    if not step.answer and not step.explanation:
        blocks.append(("md", "_No answer._", ""))
    return blocks


def _title(steps: list[Step]) -> str:
    day = time.strftime("%Y-%m-%d", time.localtime(steps[0].created)) if steps else time.strftime("%Y-%m-%d")
    return (f"# Code Playground session, {day}\n\n{len(steps)} request(s). The answers came from a small "
            "language model and were checked in a sandbox; a passing check is evidence, not proof.")


def to_markdown(steps: list[Step]) -> str:
    """The session as a Markdown document."""
    parts = [_title(steps)]
    for number, step in enumerate(steps, 1):
        parts += [text if kind == "md" else _fence(text, language) for kind, text, language in _blocks(step, number)]
    return "\n\n".join(parts) + "\n"


def to_notebook(steps: list[Step]) -> str:
    """The session as a Jupyter notebook (nbformat 4): Markdown cells for the task and its verdict, code cells
    for Python code (the notebook's kernel runs them), fenced Markdown for code in other languages."""
    cells = [v4.new_markdown_cell(_title(steps))]
    for number, step in enumerate(steps, 1):
        for kind, text, language in _blocks(step, number):
            if kind == "code" and _in_kernel(language):
                cells.append(v4.new_code_cell(text.rstrip()))
            else:
                cells.append(v4.new_markdown_cell(text if kind == "md" else _fence(text, language)))
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    nbformat.validate(notebook)
    return str(nbformat.writes(notebook))


def export(steps: list[Step], form: str) -> tuple[str, str]:
    """(file name, text) of a session in a format, `ipynb` or `md`."""
    form = form.strip().lower().lstrip(".")
    if form not in FORMATS:
        raise InputError(f"Unknown format {form!r}: ask for ipynb (a Jupyter notebook) or md (Markdown).")
    if not steps:
        raise InputError("This session has no requests yet: ask for an answer first, then download the session.")
    day = time.strftime("%Y-%m-%d", time.localtime(steps[0].created))
    name = f"playground-session-{day}.{form}"
    return name, to_notebook(steps) if form == "ipynb" else to_markdown(steps)
