"""Teaching view, HTML: prompt anatomy, token chips, candidate charts, the confidence overlay, the grid.

Pure functions from data to HTML strings. Every piece of text that came from a user or a model goes
through html.escape; styles are fixed strings and numbers computed here.
"""

from __future__ import annotations

from html import escape

import numpy as np

from ..engines import Distribution
from ..extract import extract
from ..lint import Finding, lint, lint_note, lint_tool
from ..markup.highlight import highlight_html
from ..verdict import SYNTAX_ONLY
from .runs import Cell, distinct_outputs, pass_rate
from .sampling import Sampling, after_sampling
from .steps import Step, Walk
from .tokens import PART_LABELS, Part, Token

VISIBLE = {" ": "␣", "\n": "↵", "\t": "⇥"}


def visible(text: str) -> str:
    """A token's text with spaces, tabs and line breaks made visible (for charts and chips)."""
    return "".join(VISIBLE.get(c, c) for c in text) or "∅"


def _chip_text(text: str) -> str:
    """A chip's label: whitespace visible, and a real line break after ↵ so the prompt keeps its shape."""
    return visible(text).replace("↵", "↵\n")


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%" if p >= 0.001 else f"{100 * p:.2g}%"


def legend(kinds: list[str]) -> str:
    items = "".join(f'<span class="pg-part pg-k-{k}">{escape(PART_LABELS[k])}</span>' for k in PART_LABELS
                    if k in kinds)
    return f'<div class="pg-legend">{items}</div>'


def gauge(used: int, size: int) -> str:
    """Tokens used against the context window."""
    share = min(1.0, used / size) if size else 0.0
    return (f'<div class="pg-gauge-line">Prompt: <b>{used}</b> tokens of a {size}-token context window '
            f'({100 * share:.1f}%), leaving {max(0, size - used)} for the answer.</div>'
            f'<div class="pg-gauge"><div style="width:{100 * share:.2f}%"></div></div>')


def anatomy_html(parts: list[Part], tokens: list[Token] | None, kinds: list[str], context_size: int,
                 show_tokens: bool) -> str:
    """The prompt coloured by part; with show_tokens, every token a chip whose title is its id."""
    head = legend([p.kind for p in parts])
    if tokens is not None:
        head += gauge(len(tokens), context_size)
    if show_tokens and tokens is not None:
        body = "".join(
            f'<span class="pg-chip pg-k-{kind}" title="token id {t.id}{" (special)" if t.special else ""}">'
            f"{escape(_chip_text(t.text))}</span>" for t, kind in zip(tokens, kinds, strict=True))
    else:
        body = "".join(f'<span class="pg-k-{p.kind}" title="{escape(PART_LABELS[p.kind])}">{escape(p.text)}</span>'
                       for p in parts)
    note = "" if tokens is not None else '<div class="pg-muted">This engine does not expose its tokenizer.</div>'
    return f'<div class="pg-anatomy">{head}{note}<pre>{body}</pre></div>'


def chart_html(dist: Distribution, pieces: dict[int, str], sampling: Sampling, history: list[int],
               chosen: int | None, k: int) -> str:
    """Top-k candidates: the model's probability and the one after temperature/top-k/top-p, side by side."""
    after = after_sampling(dist, sampling, history)
    top = dist.top(k)
    probs_after = {int(i): float(p) for i, p in zip(dist.ids, after, strict=True)}
    scale = max(max(p for _, p in top), max(probs_after.values()), 1e-9)
    rows = []
    for token, p in top:
        q = probs_after.get(token, 0.0)
        mark = ' class="pg-chosen"' if token == chosen else ""
        rows.append(
            f'<tr{mark}><td class="pg-tok" title="token id {token}">{escape(visible(pieces.get(token, "")))}</td>'
            f'<td class="pg-bar"><div style="width:{100 * p / scale:.2f}%"></div><span>{_pct(p)}</span></td>'
            f'<td class="pg-bar pg-after"><div style="width:{100 * q / scale:.2f}%"></div>'
            f'<span>{_pct(q) if q else "removed"}</span></td>'
            f'<td>{"◀ chosen" if token == chosen else ""}</td></tr>')
    kept = int(np.count_nonzero(after))
    settings = (f"temperature {sampling.temperature:g}, top-k {sampling.top_k}, top-p {sampling.top_p:g}, "
                f"min-p {sampling.min_p:g}, repeat penalty {sampling.repeat_penalty:g}")
    caption = ("greedy: the most likely token always wins" if sampling.temperature <= 0 else
               f"the sampler draws from {kept} token{'s' if kept != 1 else ''}")
    return (f'<table class="pg-chart"><thead><tr><th>Next token</th><th>Model probability</th>'
            f'<th>After your settings</th><th></th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<div class="pg-muted">Settings: {escape(settings)} — {escape(caption)}. Top {len(top)} of '
            f'{dist.n_vocab} tokens; they hold {_pct(sum(p for _, p in top))} of the probability.</div>')


def _shade(p: float) -> str:
    """A background from red (unsure) to green (sure), translucent so both themes stay readable."""
    hue = int(120 * max(0.0, min(1.0, p)))
    return f"background: hsla({hue}, 85%, 45%, 0.28)"


def _code_offset(answer: str, code: str) -> int:
    """Answer line (0-based) where the extracted code starts."""
    at = answer.find(code.split("\n", 1)[0]) if code.strip() else -1
    return answer[:at].count("\n") if at >= 0 else 0


def _lint_answer(answer: str, language: str, ended: str) -> tuple[dict[int, list[Finding]], str]:
    """Findings by answer line (0-based) and the lint sentence; a half-written answer is not linted."""
    if not ended:  # mid-answer, an unclosed bracket is not a mistake yet: flagging it would mislead
        return {}, "Lint runs when the answer is finished: a half-written answer is seldom valid code yet."
    code = extract(answer, language).code
    findings = lint(code, language)
    offset = _code_offset(answer, code)
    flagged: dict[int, list[Finding]] = {}
    for f in findings:
        flagged.setdefault(f.line - 1 + offset, []).append(f)
    tool = lint_tool(language) or "lint"
    line = (f"{tool}: {len(findings)} finding{'s' if len(findings) != 1 else ''}" if findings else
            lint_note(language) or f"{tool}: no problems found")
    return flagged, f"Answer finished ({ended}). {line}"


def confidence_html(walk: Walk, language: str) -> str:
    """The answer so far, each token shaded by the model's probability; lint findings once it is finished."""
    path, pieces = walk.path(), walk.pieces()
    if not path:
        return '<div class="pg-muted">Press Next token or Run to the end: the answer appears here.</div>'
    flagged, lint_line = _lint_answer(walk.answer(), language, walk.ended())
    segments = [(walk.prompt.prefill, 'class="pg-prefill" title="written for the model, not generated"')]
    segments += [(text, f'style="{_shade(step.prob)}" title="{escape(f"{_pct(step.prob)} ({step.how})")}"')
                 for step, text in zip(path, pieces, strict=True)]
    lines: list[list[str]] = [[]]
    for text, attrs in segments:
        for i, part in enumerate(text.split("\n")):
            if i:
                if attrs.startswith("style"):  # a generated line break: show it, so its shading shows
                    lines[-1].append(f'<span {attrs} class="pg-nl">↵</span>')
                lines.append([])
            if part:
                lines[-1].append(f"<span {attrs}>{escape(part)}</span>")
    rows = []
    for n, spans in enumerate(lines):
        marks = flagged.get(n, [])
        note = "".join(f' <span class="pg-flag">⚠ {escape(f.message)}</span>' for f in marks)
        rows.append(f'<div class="pg-line{" pg-flagged" if marks else ""}">{"".join(spans)}{note}</div>')
    low = sum(1 for s in path if s.prob < 0.5)
    return (f'<div class="pg-confidence"><pre>{"".join(rows)}</pre></div>'
            f'<div class="pg-muted">Shading: green = the model was sure of the token, red = it was not; hover '
            f'for the probability. {len(path)} tokens, {low} below 50%. {escape(lint_line)}</div>')


def tree_html(walk: Walk, pieces: dict[int, str]) -> str:
    """The branches taken so far, as nested lists; the current step is marked."""
    if not walk.steps:
        return '<div class="pg-muted">No tokens yet.</div>'
    on_path = {s.index for s in walk.path()}

    def node(index: int) -> str:
        step: Step = walk.steps[index]
        label = escape(visible(pieces.get(step.token, "")))
        cls = "pg-current" if index == walk.current else "pg-onpath" if index in on_path else ""
        kids = step.children
        # A straight run of single children is shown inline, so a long answer stays one line.
        inline = [f'<span class="{cls}" title="step {index}, {_pct(step.prob)}, {step.how}">{label}</span>']
        while len(kids) == 1:
            child = walk.steps[kids[0]]
            ccls = "pg-current" if child.index == walk.current else "pg-onpath" if child.index in on_path else ""
            inline.append(f'<span class="{ccls}" title="step {child.index}, {_pct(child.prob)}, {child.how}">'
                          f'{escape(visible(pieces.get(child.token, "")))}</span>')
            kids = child.children
        sub = f"<ul>{''.join(node(k) for k in kids)}</ul>" if kids else ""
        return f"<li>{''.join(inline)}{sub}</li>"

    roots = [s.index for s in walk.steps if s.parent is None]
    return (f'<div class="pg-tree"><ul>{"".join(node(r) for r in roots)}</ul></div>'
            f'<div class="pg-muted">{walk.branch_points()} branch point(s); bold = the path shown.</div>')


def grid_html(cells: list[Cell], temperatures: tuple[float, ...], seeds: tuple[int, ...]) -> str:
    """Answers side by side: one row per temperature, one column per seed."""
    by = {(c.temperature, c.seed): c for c in cells}
    head = "".join(f"<th>seed {s}</th>" for s in seeds)
    rows = []
    for t in temperatures:
        tds = []
        for s in seeds:
            c = by.get((t, s))
            if c is None:
                tds.append('<td class="pg-pending">…</td>')
            elif c.error:
                tds.append(f'<td><div class="pg-error">{escape(c.error)}</div></td>')
            else:
                badge = ('<span class="pg-pass">lint: no errors</span>' if c.lint_ok else
                         '<span class="pg-fail">lint: errors</span>' if c.lint_checked else
                         '<span class="pg-muted">lint: not checked</span>')
                badge += {"pass": f' <span class="pg-pass">✓ checks {c.passed}/{c.total}</span>',
                          "fail": f' <span class="pg-fail">✗ checks {c.passed}/{c.total}</span>',
                          "parses": f' <span class="pg-unchecked">{SYNTAX_ONLY}</span>'}.get(
                              c.verdict, ' <span class="pg-muted">no checks</span>')
                tds.append(f'<td><div class="pg-code">{highlight_html(c.code, c.language)}</div>{badge}'
                           f' <span class="pg-muted">{c.tokens} tokens</span></td>')
        passed, checked = pass_rate(cells, t)
        rate = f"<br><span class=\"pg-muted\">passes {passed}/{checked}</span>" if checked else ""
        rows.append(f"<tr><th>T = {t:g}{rate}</th>{''.join(tds)}</tr>")
    done = len(cells)
    total = len(temperatures) * len(seeds)
    summary = (f"{distinct_outputs(cells)} distinct output(s) among {done} run(s)"
               + (f" ({total - done} still running)" if done < total else "")
               + ". At temperature 0 every seed gives the same answer; higher temperatures spread out. The "
               + "pass rate per row is how often one sample at that temperature passes its checks (pass@1); "
               + "trying several and keeping one that passes is what Candidates does (pass@k).")
    return (f'<div class="pg-muted">{escape(summary)}</div>'
            f'<table class="pg-grid"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def repair_turn_html(stories: list[str], first: str, follow_up: str, tokens: tuple[int, int] | None,
                     filled: bool = False) -> str:
    """A repair turn, as a lesson: the answers' stories, then the exact prompt of the repair turn, the part it
    shares with the first prompt dimmed and what is new (the answer and what failed) marked; `tokens`: (the
    turn's tokens, the first prompt's), when the engine counts them; `filled`: the first answer filled in the
    middle, so the turn is the same request as a chat and shares nothing with the first prompt."""
    lines = "".join(f"<li>{escape(s)}</li>" for s in stories)
    shared = len(first) if follow_up.startswith(first) and not filled else 0
    if not filled:
        counted = "" if tokens is None else (
            f"{tokens[0]} tokens, of which the first {tokens[1]} are the first prompt's: an engine with a prompt "
            "cache (llama.cpp, llama-server) reads them from it and evaluates only the rest. ")
        said = (f"The repair turn is the same conversation, continued: the model's answer, then what failed, in "
                f"words. {counted}Dimmed: the first prompt; marked: what the turn adds.")
    else:
        said = ("The first answer filled in the middle, which is no conversation: the repair turn asks the same "
                "request as a chat, with the model's answer, then what failed, in words, and starts the corrected "
                "answer with the code before the cursor. It shares nothing with the first prompt, so a prompt "
                "cache does not help. Marked: all of it.")
    return (f'<ol class="pg-repair-stories">{lines}</ol><div class="pg-muted">{escape(said)}'
            "</div><div class=\"pg-anatomy\"><pre>"
            f'<span class="pg-k-template">{escape(follow_up[:shared])}</span>'
            f'<mark class="pg-repair-new">{escape(follow_up[shared:])}</mark></pre></div>')
