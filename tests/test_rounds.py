"""The pipeline's round logic with exact expected results: a scripted engine gives the answers (tests/fakes.py),
the rest is real (extraction, restore, pyflakes, the sandbox's checks). Which answer is kept among candidates,
what no harm keeps, when the model is asked for example calls, what a lint repair round keeps, what Stop and an
engine dying mid-stream leave. What the model writes is the real models' business: tests/test_pipeline.py runs
them, the evaluation measures them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from playground.errors import EngineError
from playground.params import GenerationParams
from playground.pipeline import run, stream
from playground.result import Result, Status
from playground.web.handlers import PlaygroundApp
from tests.fakes import ScriptedEngine

pytestmark = pytest.mark.sandbox

DOUBLE = "def double(x):\n    return x * 2\n\n\nprint(double(4))\n"  # its own call: no example calls asked


def fenced(code: str, after: str = "") -> str:
    """What the model writes after the prompt's prefilled opening fence: the code, the closing fence, and for
    Debug its explanation (the other tasks stop at the fence)."""
    return f"{code}```\n{after}"


def params(candidates: int = 1) -> GenerationParams:
    return GenerationParams(temperature=0.0, max_tokens=200, candidates=candidates)


def test_the_answer_is_the_fenced_code_and_the_closing_fence_ends_it() -> None:
    translated = "function double(x) {\n  return x * 2;\n}\n\nconsole.log(double(4));\n"
    engine = ScriptedEngine(fenced(translated, "It doubles x."))
    result = run("translate", DOUBLE, language="python", target="javascript", engine=engine, params=params())
    assert result.answer.code == translated.rstrip("\n")  # read without the fence's newline
    assert result.answer.explanation == "" and "doubles" not in result.answer.text  # the stop at the fence
    assert result.checks is not None and result.checks.status == "pass" and result.checks.behaviour > 0
    assert result.status is Status.DONE and len(engine.prompts) == 1


def test_candidates_stop_at_the_first_that_passes() -> None:
    wrong, right = DOUBLE.replace("x * 2", "x + 2"), DOUBLE.replace("x * 2", "x + x")
    engine = ScriptedEngine(fenced(wrong), fenced(right), fenced("never asked\n"))
    result = run("simplify", DOUBLE, language="python", engine=engine, params=params(candidates=3))
    assert result.answer.code == right.rstrip("\n") and result.candidate == 2
    assert result.checks is not None and result.checks.status == "pass" and result.checks.candidates_tried == 2
    assert engine.answers == [fenced("never asked\n")]  # the third candidate was never generated


def test_each_result_a_stream_yields_stays_as_it_was() -> None:
    """Results are values: the stream yields a new one per token and per step (checking, the chosen candidate,
    the end), so one kept by a front end still reads what it read when it came (no copies needed)."""
    wrong, right = DOUBLE.replace("x * 2", "x + 2"), DOUBLE.replace("x * 2", "x + x")
    kept: list[tuple[Result, dict[str, object]]] = []
    for state in stream("simplify", DOUBLE, language="python", engine=ScriptedEngine(fenced(wrong), fenced(right)),
                        params=params(candidates=2)):
        kept.append((state, state.to_dict()))
    assert len({id(state) for state, _ in kept}) == len(kept)  # a new Result each time
    assert all(state.to_dict() == then for state, then in kept)
    statuses = [state.status for state, _ in kept]
    assert statuses.count(Status.CHECKING) == 2 and statuses[-1] is Status.DONE
    first_checked = next(state for state, _ in kept if state.status is Status.CHECKING)
    assert first_checked.answer.code == wrong.rstrip("\n") and first_checked.candidate == 1
    final = kept[-1][0]
    assert final.candidate == 2 and final.answer.code == right.rstrip("\n")
    assert final.stats.completion_tokens > first_checked.stats.completion_tokens > 0  # both candidates' tokens


def test_simplify_keeps_the_original_when_no_candidate_keeps_its_behaviour() -> None:
    far, near = DOUBLE.replace("x * 2", "0"), DOUBLE.replace("x * 2", "x * 2 if x < 4 else x")
    engine = ScriptedEngine(fenced(far), fenced(near))
    result = run("simplify", DOUBLE, language="python", engine=engine, params=params(candidates=2))
    assert result.answer.code == DOUBLE.rstrip("\n")  # no harm: the user's code, unchanged
    assert result.rejected is not None and result.rejected.answer.code == near.rstrip("\n")  # fails fewer checks
    assert result.checks is not None and result.checks.status == "fail" and result.checks.candidate == 2
    assert "your code is unchanged. The best of 2 candidates and the checks it failed are under Checks." \
        in result.notice


def test_a_translation_that_fails_every_candidate_keeps_the_one_that_passes_most() -> None:
    code = "def sign(x):\n    return 1 if x > 0 else -1 if x < 0 else 0\n\n\nprint(sign(5), sign(-5), sign(0))\n"
    worse = "function sign(x) {\n  return 7;\n}\n"
    better = "function sign(x) {\n  return x > 0 ? 1 : -1;\n}\n"
    engine = ScriptedEngine(fenced(worse), fenced(better))
    result = run("translate", code, language="python", target="javascript", engine=engine, params=params(2))
    assert result.answer.code == better.rstrip("\n") and result.candidate == 2
    assert result.checks is not None and result.checks.status == "fail" and result.rejected is None


def test_the_model_is_asked_for_example_calls_once_after_the_first_answer() -> None:
    code = "def shout(word):\n    return word.upper() + '!'\n"
    calls = "shout('hi')\nshout('Ann')\n# edge cases\nshout('')\n"
    answer = fenced("def shout(word):\n    return f'{word.upper()}!'\n")
    engine = ScriptedEngine(answer, calls)
    result = run("simplify", code, language="python", engine=engine, params=params())
    assert len(engine.prompts) == 2 and "shout" in engine.prompts[1]
    assert result.checks is not None and result.checks.status == "pass"
    rows = {item.name for item in result.checks.items}
    assert {"shout('hi')", "shout('Ann')", "shout('')"} <= rows
    assert result.stats.calls_s > 0


def test_a_lint_repair_round_keeps_the_round_without_errors() -> None:
    broken = fenced("def double(x):\n    return y * 2\n")
    fixed = fenced("def double(x):\n    return x * 2\n")
    engine = ScriptedEngine(broken, fixed)
    result = run("simplify", DOUBLE, language="python", engine=engine, params=params(), repair=True)
    assert len(result.rounds) == 2 and result.rounds[0].answer.code.startswith("def double(x):\n    return y * 2")
    assert result.answer.code.startswith("def double(x):\n    return x * 2") and not result.answer.lint
    assert "undefined name 'y'" in engine.prompts[1]


def test_an_answer_missing_an_import_gets_it_back_from_the_original() -> None:
    code = "import math\n\n\ndef area(r):\n    return math.pi * r ** 2\n\n\nprint(area(2))\n"
    engine = ScriptedEngine(fenced("def area(r):\n    return math.pi * r * r\n\n\nprint(area(2))\n"))
    result = run("simplify", code, language="python", engine=engine, params=params())
    assert result.answer.code.startswith("import math\n") and "left out: kept from the original" in result.notice
    assert result.checks is not None and result.checks.status == "pass"


def test_an_explanation_of_a_change_the_fix_did_not_make_is_not_shown() -> None:
    code = "def average(values):\n    return sum(values) / len(value)\n\n\nprint(average([1, 2, 3]))\n"
    fix = fenced(code.replace("len(value)", "len(values)"), after="Fix: the `print` call had a typo.")
    engine = ScriptedEngine(fix)
    result = run("debug", code, language="python", error="NameError: name 'value' is not defined", engine=engine,
                 params=params())
    assert result.answer.explanation == "" and "it mentions `print`, which its fix does not change" in result.notice
    assert result.checks is not None and result.checks.status == "pass"


def test_stop_keeps_what_streamed_and_runs_no_checks() -> None:
    engine = ScriptedEngine(fenced("function double(x) {\n  return x * 2;\n}\n"))
    cancel = threading.Event()
    steps: Iterator[Result] = stream("translate", DOUBLE, language="python", target="javascript", engine=engine,
                                     params=params(), cancel=cancel)
    last: Result | None = None
    for n, partial in enumerate(steps):
        if n == 3:
            cancel.set()
        last = partial
    assert last is not None and last.status is Status.STOPPED and last.checks is None
    assert last.answer.text == "```javascript\nfunction double(x) {\n  return "  # 4 pieces came before Stop


def test_an_engine_dying_mid_stream_raises_a_message_with_the_partial_answer() -> None:
    engine = ScriptedEngine(fenced("function double(x) {\n  return x * 2;\n}\n"), fail_after=2)
    with pytest.raises(EngineError, match="The engine failed while generating") as caught:
        run("translate", DOUBLE, language="python", target="javascript", engine=engine, params=params())
    partial = caught.value.partial
    assert isinstance(partial, Result) and partial.answer.text == "```javascript\nfunction double(x) "


class _BrokenManager:
    """A model manager whose engine fails in a way nothing expected (a bug, not a PlaygroundError)."""

    loaded = True

    def engine(self) -> None:
        raise RuntimeError("a bug nobody foresaw")


def test_an_unexpected_error_is_shown_on_the_page_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    app = PlaygroundApp(_BrokenManager())  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="playground.web.handlers"):
        sampling = (0.0, 0.95, 40, 64, 1.1, 0, 1, "fresh")
        updates = list(app.generate("simplify", "x = 1\n", "python", None, None, sampling, None))
    assert "Unexpected error (RuntimeError: a bug nobody foresaw). Please report it." in str(updates[-1])
    assert "a simplify request failed unexpectedly" in caplog.text and "RuntimeError" in caplog.text
