"""The tutor's hints: a ladder a student climbs one step at a time, for Debug and Complete.

1. *where to look*: a line and a question that points at it;
2. *what is wrong*, in words, with no code;
3. *the idea of the fix*: at most one changed line;
4. the whole answer: the task's answer, checked as every answer is.

Every hint rests on a fix the pipeline made and checked (the task's own answer, `Ladder.fix`). Step 1 is built
from facts, with no model words, so it comes with the fix (and a guessed line, below): the first line the fix
changes and the call that shows the problem (a check the code fails, else the shortest call the fix answers
otherwise, from inputs that need no model; the model's example calls wait for step 2). Step 2 is the model's
words, told the line and asked not to give the fix away, and checked: words that hold a changed line of the fix,
code that makes the program pass its checks when put in place of the line, or any code that is not the
student's own, are replaced by the facts and counted as a leak. Step 3 is the fix's first changed line, step 4
the fix. Without a fix that passes, the hints say they are unsure (a fix nothing could check, for code without
examples or tests, still gives the line; with no change, no failure and no line in the error, the model is asked
which line holds the bug).
"""

from __future__ import annotations

import difflib
import re
import time
from dataclasses import dataclass, replace

from .ask import numbered, short_answer
from .checks import Expect, plan_checks, run_checks
from .checks.debug import line_text, quoted_calls, reported_error
from .derive import with_written_calls
from .engines import Engine
from .errors import InputError
from .languages import display_name
from .pipeline import run_request
from .result import Result
from .settings import get_settings
from .tasks import Request
from .verdict import Item, VerdictStatus, plainest

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
    differs: Item | None = None  # a call on which the fix and the student's code differ (expected: the student's)
    guessed: int | None = None  # the line the model named when nothing else could (no change, no failure)

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
        return error_line(self.request.code, self.request.error) or self.guessed

    @property
    def call(self) -> str:
        """The call that shows the problem: the failing check's, else one the fix answers differently, else the
        first call the error message quotes (a traceback's `print(average([]))`, a failure's `>>> average([])`)."""
        shown = self.failing or self.differs
        return shown.name.removeprefix(">>> ") if shown else next(iter(quoted_calls(self.request.error)), "")


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
    """The line of code an error message points at: the last `line N` it names within the code, else, when it
    names an exception, the first line that uses a name its message quotes (`name 'value' is not defined`: a
    quoted value elsewhere, `Expected: 'HI!'`, names nothing); None when it names neither."""
    lines = code.splitlines()
    numbers = [int(n) for n in _LINE.findall(error) if 0 < int(n) <= len(lines)]
    if numbers:
        return numbers[-1]
    reported = reported_error(error)
    for name in _QUOTED.findall(reported.message if reported is not None else ""):
        found = next((n for n, text in enumerate(lines, 1) if re.search(rf"\b{re.escape(name)}\b", text)), None)
        if found is not None:
            return found
    return None


def make_ladder(request: Request, engine: Engine) -> Ladder:
    """The fix (the task's checked answer) and what the hints need of it: one run of the pipeline, the student's
    code run on its checks, and on the inputs where the fix behaves otherwise; when neither the fix nor a failure
    gives a line, the model is asked which line holds the bug (the hints then say they are unsure)."""
    started = time.perf_counter()
    fix = run_request(request, engine=engine)
    changed, fixed = changed_lines(request.code, fix.answer.code) if fix.answer.code.strip() else ((), ())
    failed = run_checks(request.plan(), request.code).failed_runs()
    ladder = Ladder(request, fix, changed, fixed, failed[0] if failed else None, 0.0,
                    differs=None if failed or not changed else differs(request, fix.answer.code))
    if ladder.line is None:
        ladder = replace(ladder, guessed=guess_line(ladder, engine))
    return replace(ladder, seconds=time.perf_counter() - started)


def differs(request: Request, fixed: str, engine: Engine | None = None) -> Item | None:
    """A call on which the fixed code and the student's behave differently (the student's code is the
    expectation: `expected` is what theirs does, `got` what the fix does); the shortest of those a person would
    write, else of the inputs generated from the types; with an engine, also of the model's example calls of
    functions nothing else gives inputs (written once per code and cached) and inputs generated from them."""
    plan = plan_checks(request.code, language=request.language, expect=Expect.SAME_BEHAVIOUR)
    if engine is not None and plan.wanted and get_settings().model_calls:
        plan = with_written_calls(plan, engine)
    apart = [i for i in run_checks(plan, fixed).failed_runs() if i.name]
    return min(apart, key=plainest) if apart else None


def guess_line(ladder: Ladder, engine: Engine) -> int | None:
    """The line the model says holds the bug (prompts/bug_line.toml), when it names one of the code's."""
    code = ladder.request.code
    said = short_answer(engine, "bug_line", {"source_name": display_name(ladder.request.language),
                                             "numbered": numbered(code), "problem": _problem(ladder)})
    found = re.search(r"\d+", said)
    line = int(found[0]) if found else 0
    return line if 0 < line <= len(code.splitlines()) and line_text(code, line) else None


def _problem(ladder: Ladder) -> str:
    """What goes wrong, as facts: the failing call and what came out, else the error the student gave, else a
    call the checked fix answers otherwise."""
    failing = ladder.failing
    if failing is not None:
        got = f"raises {failing.error}" if failing.error else f"returns {failing.got}"
        return f"When it runs `{ladder.call}`, it {got}" + (f" instead of {failing.expected}." if failing.expected
                                                            else ".")
    if ladder.request.error.strip():
        return f"It gives this error: {ladder.request.error.strip()}"
    if ladder.differs is not None:  # what the student's code gives; wrong only when a checked fix says so
        theirs = ladder.differs.expected or "nothing"
        return (f"When it runs `{ladder.call}`, it gives {theirs}, and that is not right." if ladder.sure else
                f"When it runs `{ladder.call}`, it gives {theirs}. Is that what it should give?")
    return "It does not do what it should."


def _line_text(ladder: Ladder, line: int | None) -> str:
    return line_text(ladder.request.code, line or 0)


def fact_hint(ladder: Ladder, step: int) -> str:
    """The hint built from the facts alone (no model): step 1 always (a line and the question the failing call
    asks of it), and what replaces a step 2 that gave the fix away."""
    line, call = ladder.line, ladder.call
    if line is None:  # no line known: the student finds it, one line at a time
        if step == 1:
            at = f" for `{call}`" if call else ""
            return f"Work through the code by hand{at}: at which line does it first do something you did not expect?"
        return f"{_problem(ladder)} Follow the values line by line to find where they first go wrong."
    where = f"line {line} (`{_line_text(ladder, line)}`)"
    if step == 1:
        if not call:
            return f"Look at {where}. What does it do there? Work it out by hand with a small example."
        if ladder.failing is None and ladder.differs is not None:  # a call the fix answers otherwise
            return (f"Look at {where}. Work out by hand what the code gives for `{call}`, and what it should give. "
                    "Does this line do what you meant?")
        return f"Look at {where}. What does it do there when the code runs `{call}`? Work it out by hand."
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
    plan = ladder.request.plan()
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


def _words(ladder: Ladder, engine: Engine) -> str:
    """The model's words for step 2 (greedy, short)."""
    request, line = ladder.request, ladder.line or 1
    return short_answer(engine, "hint", {"source_name": display_name(request.language),
                                          "numbered": numbered(request.code), "problem": _problem(ladder),
                                          "line": line, "line_text": _line_text(ladder, line)}, ask="2")


def hint(ladder: Ladder, step: int, engine: Engine) -> Hint:
    """The ladder's step (1-4)."""
    if step not in STEPS:
        raise InputError(f"A hint's step is 1 to 4 (where to look, what is wrong, the idea, the answer), not {step}.")
    started = time.perf_counter()
    sure, line, fix = ladder.sure, ladder.line, ladder.fix
    unsure = "" if sure else ("Nothing checked the fix this hint comes from (the code has no examples or tests to "
                              "run it on), so it may be wrong. " if fix.checks is None or not fix.checks.total else
                              "I could not make a fix that passes its checks, so this is a guess. ")
    if step == 1:  # the facts: the line and the call that shows the problem (no model: it comes with the fix)
        return Hint(1, unsure + fact_hint(ladder, 1), line, sure=sure, seconds=time.perf_counter() - started)
    if step == 2:
        words = _words(ladder, engine) if line is not None else ""
        leaked = bool(words) and (leaks(ladder, words) or gives_code(ladder, words))
        text = fact_hint(ladder, 2) if leaked or not words else words
        return Hint(2, unsure + text, sure=sure, leaked=leaked, seconds=time.perf_counter() - started)
    if step == 3:
        if not ladder.changed:
            return Hint(3, unsure + "Try the first two hints, change the line, and run the code again.", sure=False)
        first = ladder.fixed_lines[0] if ladder.fixed_lines else ""
        text = (f"Change line {line} (`{_line_text(ladder, line)}`) along these lines:" if first else
                f"Remove line {line} (`{_line_text(ladder, line)}`).")
        return Hint(3, unsure + text, code=first, sure=sure, seconds=time.perf_counter() - started)
    verdict = fix.checks.summary() if fix.checks is not None else "not checked"
    return Hint(4, unsure + f"The whole answer ({verdict}).", code=fix.answer.code, sure=sure)


def with_call(ladder: Ladder, engine: Engine) -> Ladder:
    """The ladder with a call that shows the problem, from the model's example calls when nothing cheaper gave
    one (asked for at step 2, whose words and facts use it, so step 1 needs no more model time than the fix and
    the line)."""
    if ladder.call or not ladder.changed:
        return ladder
    return replace(ladder, differs=differs(ladder.request, ladder.fix.answer.code, engine))


def climb(request: Request, step: int, engine: Engine, ladder: Ladder | None = None) -> tuple[Hint, Ladder]:
    """A step for a request, making its ladder unless one is given (and at step 2, finding its call); the time
    that took counts in the hint's."""
    started = time.perf_counter()
    ladder = ladder or make_ladder(request, engine)
    if step == 2:
        ladder = with_call(ladder, engine)
    spent = time.perf_counter() - started
    got = hint(ladder, step, engine)
    return replace(got, seconds=got.seconds + spent), ladder
