"""The tutor's hints: a ladder a student climbs one step at a time, for Debug and Complete.

1. *where to look*: a line and a question that points at it;
2. *what is wrong*, in words, with no code;
3. *the idea of the fix*: at most one changed line;
4. the whole answer: the task's answer, checked as every answer is.

Every hint rests on a fix the pipeline made and checked (the task's own answer, `Ladder.fix`). Step 1's line is a
line that fix changes; steps 1 and 2 are the model's words, told the line and asked not to give the fix away,
and checked: a hint that holds a changed line of the fix, code that makes the program pass its checks when put
in place of the line, or any code that is not the student's own, is replaced by one built from the facts (the
line, the call that fails) and counted as a leak. Step 3 is the fix's first changed line, step 4 the fix.
Without a fix that passes, the hints say they are unsure (a fix nothing could check, for code without examples
or tests, still gives the line, marked unsure).
"""

from __future__ import annotations

import difflib
import re
import threading
import time
from dataclasses import dataclass, replace

from .chat import render_chat
from .checks import run_checks
from .checks.debug import line_text
from .engines import Engine
from .errors import InputError
from .languages import display_name
from .params import GenerationParams
from .pipeline import run_request
from .prompting import fill, load_template
from .result import Result
from .tasks import Request
from .verdict import Item, VerdictStatus

STEPS = (1, 2, 3, 4)
WHAT = {1: "where to look", 2: "what is wrong", 3: "the idea of the fix", 4: "the answer"}
_NAME = re.compile(r"[\w.'\"-]+")  # a name, an attribute, a number or a short literal: `values`, `0`, `'a'`
_SPAN = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)


@dataclass(frozen=True)
class Hint:
    """One step of the ladder."""

    step: int
    text: str
    line: int | None = None  # the line of the student's code it points at (1-based)
    code: str = ""  # steps 3 and 4 only: the changed line, the whole answer
    sure: bool = True  # False: no fix passed its checks, so the hint rests on where the code failed
    leaked: bool = False  # the model's words gave the fix (or code of their own) away: replaced by the facts
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """The JSON of `python -m playground hint --json`, `/hint` and the MCP tool."""
        out: dict[str, object] = {"step": self.step, "what": WHAT[self.step], "text": self.text,
                                  "sure": self.sure, "leaked": self.leaked, "seconds": round(self.seconds, 2)}
        if self.step == 1:
            out["line"] = self.line
        if self.step >= 3:
            out["code"] = self.code
        return out


@dataclass(frozen=True)
class Ladder:
    """What a student's climb rests on, made once per code: the request, its checked fix, the lines the fix
    changes, and the first check the student's code fails."""

    request: Request
    fix: Result
    changed: tuple[int, ...]  # lines of the student's code the fix changes (an insertion: the line before it)
    fixed_lines: tuple[str, ...]  # what the fix puts there (stripped)
    failing: Item | None  # the first check the student's code fails, when one does
    seconds: float

    @property
    def sure(self) -> bool:
        return self.fix.checks is not None and self.fix.checks.status is VerdictStatus.PASS and bool(self.changed)

    @property
    def line(self) -> int | None:
        """The line to look at: the first the fix changes (checked or not: `sure` says which), else where the code
        failed, else the line the error message names."""
        if self.changed:
            return self.changed[0]
        if self.failing is not None and self.failing.line:
            return self.failing.line
        return error_line(self.request.code, self.request.error)


def changed_lines(original: str, fixed: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(lines of original that fixed changes, 1-based; the fixed text of the first change's lines, stripped). An
    insertion counts as a change of the line before it (the first line when it is at the top)."""
    before, after = original.splitlines(), fixed.splitlines()
    lines: list[int] = []
    new: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, [s.rstrip() for s in before],
                                                      [s.rstrip() for s in after], autojunk=False).get_opcodes():
        if op == "equal":
            continue
        lines += range(i1 + 1, i2 + 1) if i2 > i1 else [max(i1, 1)]
        new += [s.strip() for s in after[j1:j2] if s.strip()]
    return tuple(dict.fromkeys(lines)), tuple(new)


# "line 9", and the word in the languages a class may see it in (German, French, Spanish, Italian, Portuguese, Dutch)
_LINE = re.compile(r"\b(?:line|zeile|ligne|l[ií]nea|riga|linha|regel)\s+(\d+)", re.I)
_QUOTED = re.compile(r"'([A-Za-z_]\w*)'")


def error_line(code: str, error: str) -> int | None:
    """The line of code an error message points at: the last `line N` it names within the code, else the first
    line that uses a name it quotes (`name 'value' is not defined`); None when it names neither."""
    lines = code.splitlines()
    numbers = [int(n) for n in _LINE.findall(error) if 0 < int(n) <= len(lines)]
    if numbers:
        return numbers[-1]
    for name in _QUOTED.findall(error):
        found = next((n for n, text in enumerate(lines, 1) if re.search(rf"\b{re.escape(name)}\b", text)), None)
        if found is not None:
            return found
    return None


def make_ladder(request: Request, engine: Engine) -> Ladder:
    """The fix (the task's checked answer) and what the hints need of it: one run of the pipeline."""
    started = time.perf_counter()
    fix = run_request(request, engine=engine)
    changed, fixed = changed_lines(request.code, fix.answer.code) if fix.answer.code.strip() else ((), ())
    plan = request.task.plan(request.code, language=request.language, target=request.target, tests=request.tests,
                             error=request.error)
    failed = [i for i in run_checks(plan, request.code).items if not i.passed and not i.timed_out and i.origin
              != "syntax"]
    return Ladder(request, fix, changed, fixed, failed[0] if failed else None, time.perf_counter() - started)


def _problem(ladder: Ladder) -> str:
    """What goes wrong, as facts: the failing call and what came out, else the error the student gave."""
    failing = ladder.failing
    if failing is not None:
        got = f"raises {failing.error}" if failing.error else f"returns {failing.got}"
        return f"When it runs `{_call(failing)}`, it {got}" + (f" instead of {failing.expected}." if failing.expected
                                                             else ".")
    return f"It gives this error: {ladder.request.error.strip()}" if ladder.request.error.strip() else \
        "It does not do what it should."


def _call(item: Item) -> str:
    """A check's call as code (a `>>>` example without its prompt)."""
    return item.name.removeprefix(">>> ")


def _line_text(ladder: Ladder, line: int | None) -> str:
    return line_text(ladder.request.code, line or 0)


def fact_hint(ladder: Ladder, step: int) -> str:
    """The hint built from the facts alone (no model): what replaces a hint that gave the fix away."""
    line = ladder.line
    failing = ladder.failing
    call = f" for `{_call(failing)}`" if failing is not None else ""
    if line is None:  # no line known: the student finds it, one line at a time
        if step == 1:
            return f"Work through the code by hand{call}: at which line does it first do something you did not expect?"
        return f"{_problem(ladder)} Follow the values line by line to find where they first go wrong."
    where = f"line {line} (`{_line_text(ladder, line)}`)"
    if step == 1:
        if failing is None:
            return f"Look at {where}. What does it do there? Work it out by hand with a small example."
        return f"Look at {where}. What does it do there when the code runs `{_call(failing)}`? Work it out by hand."
    return f"{_problem(ladder)} The cause is on {where}: compare what it computes with what it should."


def _spans(text: str) -> list[str]:
    """The code in a hint: fenced blocks and `inline code`."""
    return [(block or inline).strip() for block, inline in _SPAN.findall(text) if (block or inline).strip()]


def _plain(code: str) -> str:
    """Code compared loosely: spaces collapsed, a line's closing `:` or `;` left out."""
    return " ".join(code.split()).rstrip(":;").rstrip()


def leaks(ladder: Ladder, text: str) -> bool:
    """Whether a hint's words give the fix away: one of the fix's changed lines in it (spacing and a closing `:`
    aside), or code in it that, put in place of the changed line, makes the program pass its checks (run in the
    sandbox); a quote of the student's own code is not code given."""
    flat = " ".join(text.split())
    fixed = [_plain(line) for line in ladder.fixed_lines if len(_plain(line)) >= 4]
    if any(line in flat for line in fixed) or any(_plain(span) in fixed for span in _spans(text)):
        return True
    if not ladder.changed:
        return False
    lines = ladder.request.code.splitlines()
    at = ladder.changed[0] - 1
    if not 0 <= at < len(lines):
        return False
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    plan = ladder.request.task.plan(ladder.request.code, language=ladder.request.language,
                                    target=ladder.request.target, tests=ladder.request.tests,
                                    error=ladder.request.error)
    colon = ":" if lines[at].rstrip().endswith(":") else ""
    own = _plain(ladder.request.code)
    for span in [span for span in _spans(text) if _plain(span) not in own][:4]:  # quoting their code gives nothing
        parts = span.splitlines()
        if len(parts) == 1 and colon and not span.rstrip().endswith(":"):
            parts = [span.rstrip() + colon]  # `for i in range(1, n + 1)` for a `for` line
        patched = lines[:at] + [indent + part for part in parts] + lines[at + 1:]
        if run_checks(plan, "\n".join(patched) + "\n").status is VerdictStatus.PASS:
            return True
    return False


def gives_code(ladder: Ladder, text: str) -> bool:
    """Whether a hint of steps 1-2 gives code: a `span` or block other than a name, a value or a piece of the line
    it points at (quoting that line is pointing; another line of the student's, "should be `...`", is telling)."""
    pointed = _plain(_line_text(ladder, ladder.line))
    return any(not (_NAME.fullmatch(span) or (pointed and _plain(span) in pointed)) for span in _spans(text))


def numbered(code: str) -> str:
    """The code with its line numbers, as the tutor's prompts show it."""
    return "\n".join(f"{n:>3}  {text}" for n, text in enumerate(code.splitlines(), 1))


def short_answer(engine: Engine, name: str, values: dict[str, object], ask: str = "") -> str:
    """The model's greedy answer to prompts/<name>.toml filled with values (`ask`: the template's [asks] entry to
    fill in as the value `ask`), stopped at its stop strings and its max_tokens; "" when the prompt leaves no room."""
    info = engine.info
    template = load_template(name, info.architecture)
    if ask:
        values = {**values, "ask": fill(template["asks"][ask], values)}
    messages = [{"role": "system", "content": template["system"]},
                {"role": "user", "content": fill(template["user"], values)}]
    prompt = render_chat(messages, info.chat_template, info.bos_token, info.eos_token)
    room = min(int(template.get("max_tokens", 80)), engine.context_size - engine.count_tokens(prompt))
    if room < 16:
        return ""
    stream = engine.stream(prompt, GenerationParams(temperature=0.0, max_tokens=room), stop=template["stop"],
                           cancel=threading.Event())
    return "".join(chunk.text for chunk in stream).strip()


def _words(ladder: Ladder, step: int, engine: Engine) -> str:
    """The model's hint for step 1 or 2 (greedy, short)."""
    request, line = ladder.request, ladder.line or 1
    return short_answer(engine, "hint", {"source_name": display_name(request.language),
                                          "numbered": numbered(request.code), "problem": _problem(ladder),
                                          "line": line, "line_text": _line_text(ladder, line)}, ask=str(step))


def hint(ladder: Ladder, step: int, engine: Engine) -> Hint:
    """The ladder's step (1-4)."""
    if step not in STEPS:
        raise InputError(f"A hint's step is 1 to 4 (where to look, what is wrong, the idea, the answer), not {step}.")
    started = time.perf_counter()
    sure, line, fix = ladder.sure, ladder.line, ladder.fix
    unsure = "" if sure else ("Nothing checked the fix this hint comes from (the code has no examples or tests to "
                              "run it on), so it may be wrong. " if fix.checks is None or not fix.checks.total else
                              "I could not make a fix that passes its checks, so this is a guess. ")
    if step in (1, 2):
        words = _words(ladder, step, engine) if line is not None else ""
        leaked = bool(words) and (leaks(ladder, words) or gives_code(ladder, words))
        text = fact_hint(ladder, step) if leaked or not words else words
        return Hint(step, unsure + text, line if step == 1 else None, sure=sure, leaked=leaked,
                    seconds=time.perf_counter() - started)
    if step == 3:
        if not ladder.changed:
            return Hint(3, unsure + "Try the first two hints, change the line, and run the code again.", sure=False)
        first = ladder.fixed_lines[0] if ladder.fixed_lines else ""
        text = (f"Change line {line} (`{_line_text(ladder, line)}`) along these lines:" if first else
                f"Remove line {line} (`{_line_text(ladder, line)}`).")
        return Hint(3, unsure + text, code=first, sure=sure, seconds=time.perf_counter() - started)
    verdict = fix.checks.summary() if fix.checks is not None else "not checked"
    return Hint(4, unsure + f"The whole answer ({verdict}).", code=fix.answer.code, sure=sure)


def climb(request: Request, step: int, engine: Engine, ladder: Ladder | None = None) -> tuple[Hint, Ladder]:
    """A step for a request, making its ladder unless one is given; the ladder's time counts in step 1's and the
    first hint asked for."""
    made = ladder is None
    ladder = ladder or make_ladder(request, engine)
    got = hint(ladder, step, engine)
    return (replace(got, seconds=got.seconds + ladder.seconds) if made else got), ladder
