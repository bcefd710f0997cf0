"""How the command line writes a Result: the answer as it streams (each new answer from the top, saying why it
starts), then the code, its lint, the answers tried, the checks and the figures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from .highlight import highlight_terminal
from .repair import errors
from .result import Result, Status
from .tasks import TASKS
from .verdict import rank


def checks_text(result: Result) -> str:
    verdict = result.checks
    if verdict is None:
        return "checks: not run\n"
    shown = result.candidate if result.rejected is None else 0  # Simplify kept the original: none is shown
    rounds = [f"  {tried.story(n)}" + (" (shown)" if n == shown else "")
              for n, tried in enumerate(result.attempts, 1)] if len(result.attempts) > 1 else []
    which = f" (answer {verdict.candidate} of {verdict.candidates_tried})" if verdict.candidates_tried > 1 else ""
    lines = (["answers tried:", *rounds] if rounds else []) + [f"checks: {verdict.sentence()}{which}"]
    if not TASKS[result.task].shows.code_answer:  # beside an explanation: what the code's calls returned
        lines += [f"  ran {i.name}: {i.got}" for i in verdict.judged if i.passed][:3]
    lines += [f"  ✗ {i.name}: expected {i.expected}, got {i.got or '-'}" + (f" ({i.error})" if i.error else "")
              for i in sorted(verdict.judged, key=rank) if not i.passed][:10]
    lines += [f"  ! {i.warning}" for i in verdict.items if i.warning][:5]
    lines += [f"  note: {note}" for note in verdict.notes]
    return "\n".join(lines) + "\n"


def print_final(result: Result, out: TextIO) -> None:
    w = out.write
    answer, code = result.answer, TASKS[result.task].shows.code_answer  # Explain's answer is prose only
    w("\n\n--- " + ("code " if code else "explanation ") + "-" * 50 + "\n")
    if code:
        w(highlight_terminal(answer.code, result.language))
    if answer.explanation:
        w("\n" + answer.explanation + "\n")
    if answer.lint:
        w("\nlint:\n" + "".join(f"  line {f.line}, col {f.col}: {f.message}\n" for f in answer.lint))
    elif code:
        w(f"\nlint: {result.lint_note or 'no problems found'}\n")
    w(checks_text(result))
    s = result.stats
    w(f"\n{s.prompt_tokens} prompt + {s.completion_tokens} new tokens, {s.tokens_per_s:.1f} tokens/s, "
      f"first token {s.ttft_s:.2f}s, total {s.total_s:.2f}s ({result.model}, {result.engine})\n")
    if len(result.rounds) == 2:
        kept = "the repaired round" if answer == result.rounds[1].answer else "the first round (no fewer errors)"
        w(f"repair: 2 rounds, showing {kept}\n")
    if result.rejected is not None:  # Simplify kept the original
        w("\n--- the best candidate, not used (it did not keep the behaviour) ---\n")
        w(highlight_terminal(result.rejected.answer.code, result.language))
    if result.notice:
        w(f"note: {result.notice}\n")


def echo(results: Iterable[Result], out: TextIO) -> Result:
    """Write the answer to out as it streams (a repair round or a new candidate starts from the top)."""
    w = out.write
    result, shown, rounds, candidate = None, 0, 0, 1
    for result in results:
        if len(result.rounds) != rounds:  # the repair round starts: its answer streams from the top
            rounds, shown = len(result.rounds), 0
            if rounds == 1:
                found = "; ".join(f"line {f.line}: {f.message}" for f in errors(result.rounds[0].answer.lint))
                w(f"\n\n--- pyflakes found errors ({found}); asking once more ---\n")
            continue
        if result.candidate != candidate:
            candidate, shown = result.candidate, 0
            if result.repairs:  # a follow-up turn: which answer it repairs, and what failed there
                failed = result.attempts[result.repairs - 1]
                w(f"\n\n--- answer {candidate} of {result.candidates} repairs answer {result.repairs} "
                  f"({failed.verdict.sentence()}) ---\n")
            else:
                w(f"\n\n--- it did not pass its checks; answer {candidate} of up to {result.candidates} ---\n")
        if result.status is Status.CHECKING:
            w("\n[checking in the sandbox...]")
        w(result.answer.text[shown:])
        out.flush()
        shown = len(result.answer.text)
    assert result is not None
    return result
