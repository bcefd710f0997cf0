"""Turn streamed Results into what a front end shows: escaped HTML fragments and short texts.

Pure functions, no Gradio: every string that came from a user or a model is escaped here.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Sequence
from typing import Any

from ..checks import RunReport
from ..languages import defined_name, display_name
from ..lint import Finding, lint_tool
from ..markup.fragments import message_html
from ..result import Candidate, Result, Stats, Status
from ..verdict import ORIGINS, SYNTAX_ONLY, Item, Verdict, VerdictStatus, rank
from .manager import ModelCard

LINT_HEADERS = ["Line", "Column", "Message"]
LINT_PENDING = "Lint runs when the answer is complete."


def candidate_phrase(result: Result) -> str:
    """Where the request's answers stand: "answer 2 of up to 3, repairing answer 1", "checking answer 1 of up to
    3", "answer 2 of 2 passed", "no answer of 3 passed (best: answer 2, ...)"; one answer: its checks alone."""
    of = f" of up to {result.candidates}" if result.candidates > 1 else ""
    if result.status is Status.CHECKING:
        return f"checking answer {result.candidate}{of}" if of else "checking the answer"
    verdict = result.checks
    if not result.status.finished or verdict is None:
        repairing = f", repairing answer {result.repairs}" if result.repairs and not result.status.finished else ""
        return f"answer {result.candidate}{of}{repairing}" if of else ""
    tried = verdict.candidates_tried
    if result.rejected is not None:
        return "code unchanged: no simplification kept the behaviour"
    if verdict.status is VerdictStatus.PASS:
        return f"answer {verdict.candidate} of {tried} passed" if tried > 1 else f"checks: {verdict.summary()}"
    if verdict.status is VerdictStatus.NONE:
        return "no checks"
    if verdict.status is VerdictStatus.PARSES:
        return SYNTAX_ONLY
    if tried > 1:
        return f"no answer of {tried} passed (best: answer {verdict.candidate}, {verdict.summary()})"
    return f"checks: {verdict.summary()}"


def stats_line(result: Result) -> str:
    """One line: tokens, tokens/s, time to first token, context used / size, the model, candidates (escaped:
    the model's name is anyone's file name)."""
    stats: Stats = result.stats
    state = {Status.STOPPED: "Stopped", Status.DONE: "Done"}.get(result.status, "Generating")
    used = stats.prompt_tokens + stats.completion_tokens
    tokens = stats.completion_tokens
    parts = [f"{state}: {tokens} token{'' if tokens == 1 else 's'}"]
    if tokens > 1:  # a speed needs two tokens: the first one's time is the time to first token
        parts.append(f"{stats.tokens_per_s:.1f} tokens/s")
    parts += [f"first token {stats.ttft_s:.2f} s", f"context {used} / {stats.context_size}"]
    if stats.cached_tokens:
        parts.append(f"{stats.cached_tokens} of {stats.prompt_tokens} prompt tokens from the cache")
    if result.status.finished:
        parts.append(f"{stats.total_s:.1f} s in all")
        if stats.calls_s:
            parts.append(f"of which {stats.calls_s:.1f} s writing example calls for the checks")
        parts.append(f"{result.model} on {result.engine}")  # a shared link says which model wrote it
    if phrase := candidate_phrase(result):
        parts.append(phrase)
    return html.escape(" · ".join(parts))


def lint_rows(findings: list[Finding] | tuple[Finding, ...]) -> dict[str, list[Any]]:
    """The lint findings as a table value (headers + rows of line, column, message)."""
    return {"headers": LINT_HEADERS, "data": [[f.line, f.col, f.message] for f in findings]}


def lint_summary(result: Result) -> str:
    """The sentence above the lint table: problems found, none, or why lint does not apply."""
    if not result.status.finished:
        return LINT_PENDING
    if not result.answer.code.strip():
        return "No code in the answer to check."
    n = len(result.answer.lint)
    tool = lint_tool(result.language)
    if tool == "tree-sitter":
        name = display_name(result.language)
        if n == 0:
            return f"✓ Parses as {name} (tree-sitter checks the syntax only)."
        return f"{n} syntax error{'s' if n != 1 else ''} (tree-sitter, {name})."
    if result.lint_note:
        return result.lint_note
    if n == 0:
        return "✓ No problems found (pyflakes)."
    return f"{n} problem{'s' if n != 1 else ''} found (pyflakes)."


def explanation_html(text: str) -> str:
    """The model's explanation as escaped HTML: paragraphs, line breaks and `inline code` only."""
    if not text.strip():
        return ""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        safe = words_html(block)
        paragraphs.append("<p>" + safe.replace("\n", "<br>") + "</p>")
    return '<div class="pg-explanation">' + "".join(paragraphs) + "</div>"


def words_html(text: str) -> str:
    """Escaped text whose `backticks` become code (backticks survive escaping)."""
    return re.sub(r"`([^`\n]+)`", r"<code>\1</code>", html.escape(text))


def diff_html(before: str, after: str) -> str:
    """A unified line diff of input and output as escaped HTML (added and removed lines marked)."""
    if not after.strip():
        return ""
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), "before", "after", lineterm="", n=3))
    if not lines:
        return '<div class="pg-diff pg-muted">No changes: the output is the same as the input.</div>'
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    rows = []
    for line in lines[2:]:  # skip the ---/+++ file header
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
        rows.append(f'<span class="pg-{kind}">{html.escape(line) or " "}</span>')
    head = f'<div class="pg-diff-head">{added} line{"s" if added != 1 else ""} added, {removed} removed</div>'
    return f'<div class="pg-diff">{head}<pre>{"".join(rows)}</pre></div>'  # rows are display:block


def human_size(n: int) -> str:
    """Bytes as a short human-readable size (94.3 MB)."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


# The command line's words in messages shared with it, and what the page calls the same thing.
PAGE_WORDS = {
    "pass --model PATH": "load it in Switch model (From: Local .gguf file)",
    "Pass the path of a .gguf file": "Choose a .gguf file",
    "omit --model for the bundled default": "choose a named model in Switch model",
    "(--engine ctransformers)": "(Engine: ctransformers, in Switch model)",
    "(--engine llama-cpp, the default)": "(Engine: llama-cpp, in Switch model)",
}


def in_page_words(message: str) -> str:
    """A message written for the command line, told in the page's words."""
    for cli, page in PAGE_WORDS.items():
        message = message.replace(cli, page)
    return message


def model_card_html(card: ModelCard) -> str:
    """The model panel's facts about the loaded model, escaped."""
    trained = f" (trained {card.trained_context})" if card.trained_context else ""
    rows = [
        ("Model", card.name),
        ("Engine", card.engine),
        ("Size on disk", human_size(card.size_bytes) if card.size_bytes else "?"),
        ("Quantization", card.quantization or "?"),
        ("Context", f"{card.context_size} tokens{trained}"),
        ("Fill in the middle", "yes" if card.fim else "no"),
        *([("Runtime", card.runtime)] if card.runtime else []),
        *([("Measured", card.about)] if card.about else []),
    ]
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f'<table class="pg-model">{cells}</table>' + message_html(card.notice, "notice")


def speed_line(card: ModelCard, measured: tuple[float, int] | None, per_request: float | None = None) -> str:
    """The line under the page's title: the model in use and the speed its answers measured on this machine
    (with the median time of a whole answer, which the queue's wait estimate uses)."""
    if measured is None:
        speed = "Its speed on this machine shows under each answer."
    else:
        rate, count = measured
        whole = f", {per_request:.0f} s per answer with its checks" if per_request else ""
        answers = f"median of the last {count} answers" if count != 1 else "from the last answer"
        speed = (f"Measured here: {rate:.1f} tokens/s{whole} ({answers};"
                 " slower while several people generate at once).")
    return f'<div class="pg-speed">Model: <b>{html.escape(card.name)}</b> on {html.escape(card.engine)}. {speed}</div>'


def fim_note(card: ModelCard) -> str:
    """What Complete does with a suffix on the loaded model."""
    if card.fim:
        return f"{card.name} has fill-in-the-middle tokens: the code after the cursor is used."
    return (f"{card.name} has no fill-in-the-middle tokens, so the suffix is ignored and the code is "
            "completed from what comes before the cursor. Load a coder model (e.g. Qwen2.5-Coder) to use it.")


CHECKS_PENDING = "Checks run when the answer is complete."
MAX_CHECK_ROWS = 40
SHOWN_CHECK_ROWS = 6  # rows in view; the rest fold away, so the Run box and lint stay near the answer


def _row(item: Item) -> str:
    mark = '<span class="pg-unchecked">~</span>' if item.timed_out else \
        '<span class="pg-warn">!</span>' if item.warning else \
        '<span class="pg-pass">✓</span>' if item.passed else '<span class="pg-fail">✗</span>'
    error = f'<div class="pg-error-text">{html.escape(item.error)}</div>' if item.error and not item.warning else ""
    # The row names the call already: its warning says what to look at ("still raises IndexError: intended?").
    warning = f'<div class="pg-warn-text">{html.escape(re.sub(r" on `[^`]*`", "", item.warning))}</div>' \
        if item.warning else ""
    origin = ORIGINS.get(item.origin, item.origin)
    return (f"<tr><td>{mark}</td><td><code>{html.escape(item.name)}</code>"
            f'<span class="pg-origin">{html.escape(origin)}</span></td>'
            f"<td><pre>{html.escape(item.expected)}</pre></td><td><pre>{html.escape(item.got)}{error}</pre>{warning}</td>"
            f"<td>{1000 * item.seconds:.1f} ms</td></tr>")


def _table_of(rows: list[str]) -> str:
    return ('<table class="pg-checks-table"><thead><tr><th></th><th>Check</th><th>Expected</th><th>Got</th>'
            f'<th>Time</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _check_rows(items: Sequence[Item], fold: bool = True) -> str:
    """A row per check: failures and what to look at first, then the calls a person wrote or would write, and
    beyond the first few, the rest (generated inputs last) in a fold that says what it holds (unless the table
    is in a fold already)."""
    ordered = sorted(items, key=rank)  # stable: each group in the plan's order
    warned = [i for i in ordered if i.warning and not i.readable]  # generated inputs: the first one speaks for all
    urgent = [i for i in ordered if (not i.passed or i.warning) and i not in warned[1:]]
    shown = urgent[:MAX_CHECK_ROWS] + [i for i in ordered if i not in urgent][:max(0, SHOWN_CHECK_ROWS - len(urgent))]
    rest = [i for i in ordered if i not in shown]
    if not fold or len(rest) <= 1:  # folding one row away would only add a click
        rows = [_row(item) for item in ordered[:MAX_CHECK_ROWS]]
        more = len(items) - MAX_CHECK_ROWS
        return _table_of(rows + ([f'<tr><td colspan="5" class="pg-muted">… and {more} more</td></tr>'] if more > 0
                                 else []))
    generated = sum(1 for item in rest if item.origin == "generated")
    failing = sum(1 for item in rest if not item.passed and not item.timed_out)
    what = f"{len(rest)} more checks" + (f" ({failing} failing)" if failing else " (all passing)") + (
        f", {generated} of them on generated inputs" if generated else "")
    more = len(rest) - MAX_CHECK_ROWS
    tail = f'<div class="pg-muted">… and {more} more</div>' if more > 0 else ""
    return (_table_of([_row(item) for item in shown]) + f'<details class="pg-more-checks"><summary>'
            f'{html.escape(what)}</summary>{_table_of([_row(item) for item in rest[:MAX_CHECK_ROWS]])}{tail}</details>')


def verdict_line(verdict: Verdict) -> str:
    """The verdict as one escaped line (passes 4/4, fails 2 of 4, no checks), then a learner's sentence: what
    failed and on which call, or what to look at."""
    warned = verdict.status is VerdictStatus.PASS and bool(verdict.warnings)
    kind = {VerdictStatus.PASS: "pg-pass", VerdictStatus.FAIL: "pg-fail",
            VerdictStatus.PARSES: "pg-unchecked"}.get(verdict.status, "pg-muted")
    icon = {VerdictStatus.PASS: "✓ ", VerdictStatus.FAIL: "✗ ", VerdictStatus.PARSES: "~ "}.get(verdict.status, "")
    text = icon + verdict.summary()
    if warned:
        text += f" · {len(verdict.warnings)} to look at"
    if verdict.candidates_tried > 1:
        text += f" · answer {verdict.candidate} of {verdict.candidates_tried} tried"
    sentence = verdict.sentence()
    told = sentence != verdict.summary() and verdict.status in (VerdictStatus.PASS, VerdictStatus.FAIL)
    said = words_html(sentence)
    return (f'<div class="pg-verdict {kind}">{html.escape(text)}</div>' +
            (f'<div class="pg-verdict-sentence">{said}</div>' if told else ""))


def checks_html(result: Result | None, code_html_of: Callable[[str, str], str]) -> str:
    """The Checks panel: the verdict, a row per check, what was not checked, and (Simplify) the candidate not used."""
    if result is None:
        return ""
    if not result.status.finished:
        return f'<div class="pg-muted">{CHECKS_PENDING}</div>'
    verdict = result.checks
    if verdict is None:
        why = "Stopped before the checks ran." if result.status is Status.STOPPED else "The answer was not checked."
        return f'<div class="pg-muted">{html.escape(why)}</div>'
    if result.rejected is not None:
        return '<div class="pg-checks">' + _rejected_html(result.rejected, result.language, code_html_of) + "</div>"
    parts = [verdict_line(verdict)]
    if verdict.items:
        parts.append(_check_rows(verdict.items))
    parts += [f'<div class="pg-muted">{html.escape(note)}</div>' for note in verdict.notes]
    return '<div class="pg-checks">' + "".join(parts) + "</div>"


def _rejected_html(rejected: Candidate, language: str, code_html_of: Callable[[str, str], str]) -> str:
    """Simplify kept the original: say so, and fold away the candidate that failed, with its failing checks."""
    failing = [item for item in rejected.verdict.items if not item.passed]
    return ('<div class="pg-verdict pg-muted">No simplification kept the behaviour: your code is unchanged.</div>'
            '<details class="pg-rejected"><summary>The best candidate, not used: '
            f'{html.escape(rejected.verdict.summary())}</summary>{code_html_of(rejected.answer.code, language)}'
            f'{_check_rows(failing, fold=False)}</details>')


def example_call(result: Result) -> str:
    """A call to suggest in the Run box: a readable one the checks ran on the answer's function (an example's,
    a test's, the model's), with arguments where there are some; else its name with ()."""
    name = defined_name(result.answer.code)
    if not name:
        return "print(...)"
    items = sorted(result.checks.items if result.checks else [], key=lambda i: (not i.readable, i.name.endswith("()")))
    calls = [i.name for i in items if i.name.startswith(name + "(") and len(i.name) <= 60]
    return calls[0] if calls else f"{name}()"


def run_html(report: RunReport) -> str:
    """What the Run box shows: printed output, the return value, or the exception."""
    took = f"{1000 * report.seconds:.1f} ms"
    parts = [f'<div class="pg-run-call"><code>{html.escape(report.call)}</code> · {took}</div>']
    if report.output:
        output = html.escape(report.output)
        parts.append(f'<div class="pg-muted">printed</div><pre class="pg-run-output">{output}</pre>')
    if report.error:
        at = f" (line {report.line} of the answer)" if report.line and f"line {report.line}" not in report.error else ""
        parts.append(f'<div class="pg-fail">{html.escape(report.error + at)}</div>')
    elif report.value:
        parts.append(f'<div class="pg-muted">returned</div><pre class="pg-run-value">{html.escape(report.value)}</pre>')
    elif not report.output:
        parts.append('<div class="pg-muted">It ran, printed nothing and returned None.</div>')
    return '<div class="pg-run">' + "".join(parts) + "</div>"
