"""Repair rounds with exact expected results: a scripted engine gives the answers (tests/fakes.py), the rest is
real (extraction, pyflakes, the sandbox's checks). An answer that fails its checks is followed, when the policy
repairs, by a turn of the same conversation saying what failed; the budget is `candidates` answers in all."""

from __future__ import annotations

import html
import threading
from dataclasses import replace

import pytest

from playground.models import ModelInfo
from playground.params import GenerationParams, Policy
from playground.pipeline import run, stream
from playground.result import Result, Status
from tests.fakes import ScriptedEngine
from tests.test_rounds import DOUBLE, fenced

pytestmark = pytest.mark.sandbox

MEDIAN = ('def median(xs):\n    """\n    >>> median([1, 2])\n    1.5\n    """\n    xs = sorted(xs)\n'
          "    return xs[len(xs) // 2]\n")
MEDIAN_FIXED = MEDIAN.replace("    return xs[len(xs) // 2]\n", "    mid = len(xs) // 2\n"
                              "    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2\n")
TOLD = ("Your code has these problems:\n"
        "- Your answer is the code you were given, unchanged but for comments, docstrings or imports: the bug is "
        "still there. Change the code itself.\n"
        "- >>> median([1, 2]) (the code's own example): expected 1.5, got 2.\n\n"
        "Fix them (the examples are right: change the code, not them) and reply with the whole corrected Python "
        "code in one fenced code block.")


def params(candidates: int, policy: Policy) -> GenerationParams:
    return GenerationParams(temperature=0.0, max_tokens=300, candidates=candidates, policy=policy)


def test_debug_returned_unchanged_is_repaired_from_what_failed() -> None:
    """The held-out Debug failure: the input back with a comment, its own example still failing. The repair turn
    says so, word for word, and the repaired answer passes."""
    unchanged = MEDIAN.replace("def median(xs):\n", "def median(xs):  # fixed\n")
    engine = ScriptedEngine(fenced(unchanged, "Fixed it."), fenced(MEDIAN_FIXED, "Averages the middle two."))
    result = run("debug", MEDIAN, language="python", engine=engine, params=params(3, Policy.REPAIR))
    assert [a.verdict.status for a in result.attempts] == ["fail", "pass"] and len(engine.prompts) == 2
    first, second = result.attempts
    assert first.verdict.items[0].name == "the answer changes the code" and not first.verdict.items[0].passed
    assert (first.repairs, second.repairs) == (0, 1) and second.feedback + "\n" in TOLD
    # the follow-up turn: the first conversation, the model's answer, then what failed
    assert engine.prompts[1].startswith(engine.prompts[0].removesuffix("```python\n"))
    assert f"```python\n{unchanged.rstrip()}\n```" in engine.prompts[1] and TOLD in engine.prompts[1]
    assert result.answer.code == MEDIAN_FIXED.rstrip("\n") and result.candidate == 2
    assert result.checks is not None and result.checks.status == "pass" and result.checks.candidates_tried == 2
    assert result.to_dict()["attempts"][1]["repairs"] == 1  # type: ignore[index]
    assert result.prompt == engine.prompts[1]  # the prompt shown is the one that asked for the answer shown
    # and the stats' context is that prompt's: the repair turn's tokens, more than the first prompt's
    assert result.stats.prompt_tokens == engine.count_tokens(engine.prompts[1]) > engine.count_tokens(engine.prompts[0])


def test_the_rounds_are_told_on_the_page_and_on_the_command_line() -> None:
    """"Answer 1 failed ...; Answer 2, repaired from that, passes": one line per answer, each opening onto its
    code, its diff against the answer it repairs and what the model was told (escaped)."""
    import io

    from playground.markup.fragments import code_html
    from playground.markup.highlight import highlighted
    from playground.terminal import print_final
    from playground.web.attempts import attempts_html

    unchanged = MEDIAN.replace("def median(xs):\n", "def median(xs):  # <script>x</script>\n")
    engine = ScriptedEngine(fenced(unchanged), fenced(MEDIAN_FIXED))
    result = run("debug", MEDIAN, language="python", engine=engine, params=params(3, Policy.REPAIR))
    stories = [a.story(n) for n, a in enumerate(result.attempts, 1)]
    assert stories == ["Answer 1: 2 of 2 checks fail, e.g. the answer changes the code: expected a change to the "
                       "code, got only comments, docstrings or imports changed",
                       "Answer 2, repaired from answer 1: passes 1/1"]
    page = attempts_html(result.attempts, result.candidate, MEDIAN, "python",
                         lambda code, language: code_html(highlighted(code, language)))
    assert page.count('<details class="pg-attempt">') == 2 and "2 answers tried" in page
    assert "<script>" not in page and "&lt;script&gt;" in page  # the model's code stays text
    told = page.split("What the model was told:")[1]
    assert "&gt;&gt;&gt; median([1, 2]) (the code&#x27;s own example): expected 1.5, got 2." in told
    assert "Changes from answer 1:" in told and '<span class="pg-add">+    mid = len(xs) // 2</span>' in told
    assert "· the answer shown" in page.split('<details class="pg-attempt">')[2]
    assert attempts_html(result.attempts[:1], 1, MEDIAN, "python", lambda code, _: code) == ""  # one answer: no list
    out = io.StringIO()
    print_final(result, out)
    assert f"answers tried:\n  {stories[0]}\n  {stories[1]} (shown)\nchecks: passes 1/1" in out.getvalue()


def test_fresh_samples_are_never_told_what_failed() -> None:
    unchanged = MEDIAN + "# fixed\n"
    engine = ScriptedEngine(fenced(unchanged), fenced(MEDIAN_FIXED))
    result = run("debug", MEDIAN, language="python", engine=engine, params=params(2, Policy.FRESH))
    assert engine.prompts[0] == engine.prompts[1]  # the same prompt again (a new seed)
    assert [a.repairs for a in result.attempts] == [0, 0] and result.candidate == 2


def test_a_repair_that_makes_things_worse_keeps_the_better_answer_and_repairs_it_again() -> None:
    code = "def sign(x):\n    return 1 if x > 0 else -1 if x < 0 else 0\n\n\nprint(sign(5), sign(-5), sign(0))\n"
    near = "function sign(x) {\n  return x > 0 ? 1 : -1;\n}\n\nconsole.log(sign(5), sign(-5), sign(0));\n"
    worse = "function sign(x) {\n  return 7;\n}\n\nconsole.log(sign(5), sign(-5), sign(0));\n"
    engine = ScriptedEngine(fenced(near), fenced(worse), fenced(worse))
    result = run("translate", code, language="python", target="javascript", engine=engine,
                 params=params(3, Policy.REPAIR))
    assert [a.repairs for a in result.attempts] == [0, 1, 1]  # the better answer is the one repaired, twice
    assert "`sign(0)`" in result.attempts[1].feedback and "`null`" not in result.attempts[1].feedback
    assert engine.prompts[1] == engine.prompts[2]  # the same turn, sampled the second time (its seed differs)
    assert result.answer.code == near.rstrip("\n") and result.candidate == 1
    assert result.checks is not None and result.checks.status == "fail" and result.checks.candidates_tried == 3


def test_a_repair_that_gave_the_same_code_back_is_not_asked_again() -> None:
    """Told what failed, the model answered with the same code: the same turn again would spend the budget on the
    same answer, so the next one is a fresh sample."""
    wrong = DOUBLE.replace("x * 2", "x + 2")
    engine = ScriptedEngine(fenced(wrong), fenced(wrong + "# checked\n"), fenced(DOUBLE.replace("x * 2", "x + x")))
    result = run("simplify", DOUBLE, language="python", engine=engine, params=params(3, Policy.REPAIR))
    assert [a.repairs for a in result.attempts] == [0, 1, 0] and engine.prompts[2] == engine.prompts[0]
    assert result.candidate == 3 and result.checks is not None and result.checks.status == "pass"


def test_mixed_repairs_each_fresh_answer_once() -> None:
    wrong, empty = DOUBLE.replace("x * 2", "x + 2"), fenced("")  # the fence closed at once: no code
    engine = ScriptedEngine(fenced(wrong), empty, fenced(wrong), fenced(DOUBLE.replace("x * 2", "x + x")))
    result = run("simplify", DOUBLE, language="python", engine=engine, params=params(4, Policy.MIXED))
    assert [a.repairs for a in result.attempts] == [0, 1, 0, 3]
    assert result.attempts[1].answer.code == "" and result.attempts[1].verdict.status != "pass"  # an empty repair
    assert engine.prompts[2] == engine.prompts[0] and result.candidate == 4
    assert "`double(4)` (what the original code returns): expected 8, got 6." in result.attempts[3].feedback


def test_stop_during_a_repair_round_keeps_the_first_answer_checked() -> None:
    wrong = DOUBLE.replace("x * 2", "x + 2")
    engine = ScriptedEngine(fenced(wrong), fenced(DOUBLE.replace("x * 2", "x + x")))
    cancel = threading.Event()
    last: Result | None = None
    for partial in stream("simplify", DOUBLE, language="python", engine=engine, params=params(2, Policy.REPAIR),
                          cancel=cancel):
        if partial.candidate == 2 and partial.answer.text.count("\n") >= 2:
            cancel.set()  # Stop, two lines into the repair
        last = partial
    assert last is not None and last.status is Status.STOPPED and len(engine.prompts) == 2
    assert [a.answer.code for a in last.attempts] == [wrong.rstrip("\n")]  # the repair was never checked


def test_the_policy_is_a_validated_setting_and_a_command_line_flag() -> None:
    from playground.cli import build_parser
    from playground.errors import InputError

    assert GenerationParams().policy is Policy.FRESH  # a library call: one answer unless it asks for more
    assert [GenerationParams(policy=Policy.MIXED).repairs(i) for i in range(4)] == [False, True, False, True]
    assert [GenerationParams(policy=Policy.REPAIR).repairs(i) for i in range(3)] == [False, True, True]
    with pytest.raises(InputError, match="policy"):
        GenerationParams.build(policy="twice")
    args = build_parser().parse_args(["debug", "x.py", "--policy", "repair", "--candidates", "3"])
    assert args.policy is Policy.REPAIR and args.candidates == 3


def test_an_explanation_whose_example_is_wrong_is_asked_for_afresh_not_repaired() -> None:
    """Explain answers in words: a repair turn asks for corrected code, so a failed explanation is a fresh sample."""
    fizz = ('def fizz(n):\n    """\n    >>> fizz(3)\n    \'Fizz\'\n    """\n'
            '    return "Fizz" if n % 3 == 0 else str(n)\n')
    engine = ScriptedEngine("`fizz(3)` returns `'3'`.", "`fizz(3)` returns `'Fizz'`.")
    result = run("explain", fizz, language="python", engine=engine, params=params(2, Policy.REPAIR))
    assert engine.prompts[0] == engine.prompts[1] and [a.repairs for a in result.attempts] == [0, 0]
    assert result.answer.explanation == "`fizz(3)` returns `'Fizz'`." and result.candidate == 2


def test_the_teaching_view_shows_the_repair_turns_exact_prompt() -> None:
    """How a model fixes code from feedback, as a lesson: the answers' stories, then the exact prompt of the repair
    turn, the first prompt's part dimmed (the cache has it) and the answer and what failed marked, all escaped."""
    from playground.teach.handlers import TeachApp

    unchanged = MEDIAN.replace("def median(xs):\n", "def median(xs):  # <b>fixed</b>\n")
    engine = ScriptedEngine(fenced(unchanged), fenced(MEDIAN_FIXED))
    *steps, last = TeachApp(lambda: engine).repair("debug", MEDIAN, "python", "", "")
    assert "Answering and checking" in steps[0]["repair_out"] and last["message"] == ""
    shown = last["repair_out"]
    assert len(engine.prompts) == 2 and "Answer 2, repaired from answer 1: passes 1/1" in shown
    first, follow_up = engine.prompts
    assert follow_up.startswith(first.removesuffix("```python\n"))
    dimmed, marked = shown.split('<span class="pg-k-template">')[1].split('<mark class="pg-repair-new">')
    assert html.unescape(dimmed.removesuffix("</span>")) + html.unescape(marked.split("</mark>")[0]) == follow_up
    assert "&lt;b&gt;fixed&lt;/b&gt;" in marked and "<b>" not in shown  # the model's answer, as text
    assert html.escape(TOLD, quote=True).split("\n")[2] in marked  # what failed: the line about the example


def test_the_teaching_view_says_why_there_is_no_repair_turn() -> None:
    from playground.teach.handlers import TeachApp

    engine = ScriptedEngine(fenced(MEDIAN_FIXED))
    *_, last = TeachApp(lambda: engine).repair("debug", MEDIAN, "python", "", "")
    assert len(engine.prompts) == 1 and "no repair turn, because it passed its checks" in last["repair_out"]


def test_a_translation_failing_on_null_is_told_what_null_stands_for() -> None:
    """The page's `clamp`: the JavaScript answer tests `=== undefined`, the checks pass `null` (the original's
    None), and the repair turn says what that null is."""
    from playground.tasks.translate import NULL_HINT

    code = ("def clamp(x, low, high=None):\n    if x < low:\n        return low\n"
            "    if high is not None and x > high:\n        return high\n    return x\n\n\n"
            "print(clamp(9, 0, None), clamp(9, 0, 3))\n")
    wrong = ("function clamp(x, low, high) {\n  if (x < low) return low;\n  if (high !== undefined && x > high) "
             "return high;\n  return x;\n}\n\nconsole.log(clamp(9, 0, null), clamp(9, 0, 3));\n")
    right = wrong.replace("high !== undefined", "high != null")
    engine = ScriptedEngine(fenced(wrong), fenced(right))
    result = run("translate", code, language="python", target="javascript", engine=engine,
                 params=params(2, Policy.REPAIR))
    assert [a.verdict.status for a in result.attempts] == ["fail", "pass"]
    told = result.attempts[1].feedback
    assert "`clamp(9, 0, null)`" in told and told.endswith(NULL_HINT) and NULL_HINT in engine.prompts[1]


def test_the_rounds_name_no_answer_shown_when_simplify_keeps_the_code_and_show_explanations_in_words() -> None:
    import io

    from playground.terminal import print_final
    from playground.web.attempts import attempts_html

    wrong = DOUBLE.replace("x * 2", "x + 2")
    engine = ScriptedEngine(fenced(wrong), fenced(DOUBLE.replace("x * 2", "x - 2")))
    result = run("simplify", DOUBLE, language="python", engine=engine, params=params(2, Policy.REPAIR))
    assert result.rejected is not None and result.answer.code == DOUBLE.rstrip("\n")  # your code, kept
    page = attempts_html(result.attempts, 0, DOUBLE, "python", lambda code, _: code)
    assert page.count('class="pg-attempt"') == 2 and "the answer shown" not in page
    out = io.StringIO()
    print_final(result, out)
    assert "answers tried:" in out.getvalue() and "(shown)" not in out.getvalue()

    words = ScriptedEngine("`fizz(3)` returns `'3'`.", "`fizz(3)` returns `'<b>Fizz</b>'`.")
    fizz = ('def fizz(n):\n    """\n    >>> fizz(3)\n    \'Fizz\'\n    """\n'
            '    return "Fizz" if n % 3 == 0 else str(n)\n')
    explained = run("explain", fizz, language="python", engine=words, params=params(2, Policy.REPAIR))
    told = attempts_html(explained.attempts, explained.candidate, None, "python", lambda code, _: code)
    assert "<code>fizz(3)</code> returns <code>&#x27;3&#x27;</code>." in told and "<b>" not in told


class FimScripted(ScriptedEngine):
    """The scripted engine as a model with fill-in-the-middle tokens (Qwen2.5-Coder's family: Complete fills in
    the middle even with nothing after the cursor)."""

    def model_info(self) -> ModelInfo:
        return replace(super().model_info(), architecture="qwen2",
                       fim_tokens=("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"))


HALF = 'def median(xs):\n    """\n    >>> median([1, 2])\n    1.5\n    """\n'
BODY = "    xs = sorted(xs)\n    return xs[len(xs) // 2]\n"
GOOD_BODY = ("    xs = sorted(xs)\n    mid = len(xs) // 2\n"
             "    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2\n")


def test_a_fill_in_the_middle_completion_is_repaired_in_the_same_requests_conversation() -> None:
    """Complete on the default model fills in the middle, which has no conversation to follow up: the repair turn
    is the same request in chat, the completed program as the model's turn and what failed, and the corrected
    answer starts with the code before the cursor, so the model rewrites only its part."""
    engine = FimScripted(BODY, "\n" + GOOD_BODY + "```")  # continues the prefilled code before the cursor
    result = run("complete", HALF, language="python", engine=engine, params=params(3, Policy.REPAIR))
    assert [a.verdict.status for a in result.attempts] == ["fail", "pass"]
    first, repair = engine.prompts
    assert first.startswith("<|fim_prefix|>") and "Complete this" not in first
    assert "Complete this Python code." in repair and repair.endswith(f"```python\n{HALF.rstrip()}")
    assert f"```python\n{(HALF + BODY).rstrip()}\n```" in repair  # the whole first program, as the model's turn
    assert "- >>> median([1, 2]) (the code's own example): expected 1.5, got 2." in repair
    assert result.answer.code == (HALF + GOOD_BODY).rstrip() and result.attempts[1].repairs == 1


def test_with_code_after_the_cursor_or_a_chat_template_that_refuses_a_failed_completion_is_sampled_afresh() -> None:
    """A repair turn's whole program could not be told from a middle when code follows the cursor, and a chat
    template may refuse the request (Gemma's raise on a system message): the next answer is a fresh
    fill-in-the-middle sample, and the program checked is the code before, the middle and the code after, once."""
    suffix = "\n\nprint(median([3, 1, 2]))\n"
    engine = FimScripted(BODY.rstrip("\n"), GOOD_BODY.rstrip("\n"))
    result = run("complete", HALF, suffix=suffix, language="python", engine=engine, params=params(3, Policy.REPAIR))
    assert [a.repairs for a in result.attempts] == [0, 0]
    assert all(p.startswith("<|fim_prefix|>") for p in engine.prompts)
    assert result.checks is not None and result.checks.status == "pass"
    assert result.answer.code == HALF + GOOD_BODY.rstrip("\n") + suffix

    class Refusing(FimScripted):
        def model_info(self) -> ModelInfo:
            return replace(super().model_info(), chat_template="{{ raise_exception('System role not supported') }}")

    refusing = Refusing(BODY, GOOD_BODY)
    result = run("complete", HALF, language="python", engine=refusing, params=params(3, Policy.REPAIR))
    assert [a.repairs for a in result.attempts] == [0, 0] and result.checks is not None
    assert result.checks.status == "pass" and all(p.startswith("<|fim_prefix|>") for p in refusing.prompts)


def test_the_teaching_view_says_a_fill_in_the_middle_repair_shares_nothing_with_the_first_prompt() -> None:
    from playground.teach.handlers import TeachApp

    engine = FimScripted(BODY, "\n" + GOOD_BODY + "```")
    *_, last = TeachApp(lambda: engine).repair("complete", HALF, "python", "", "")
    shown = last["repair_out"]
    assert len(engine.prompts) == 2 and "Answer 2, repaired from answer 1: passes" in shown
    assert "filled in the middle" in shown and "a prompt cache does not help" in shown
    assert '<span class="pg-k-template"></span>' in shown  # nothing dimmed: nothing is shared
    marked = html.unescape(shown.split('<mark class="pg-repair-new">')[1].split("</mark>")[0])
    assert marked == engine.prompts[1] and "Complete this Python code." in marked
