"""The tutor's ladder (playground/hints.py) and the class's limits (playground/limits.py): where step 1 points, what
a hint may not say (a leak is replaced by the facts, and counted), the one-line idea and the answer, exact with a
scripted engine and the real sandbox; the limits on the command line. What a real model writes as a hint is
measured by bench/hints.py, not asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground.errors import AccessError, InputError
from playground.hints import changed_lines, climb, error_line, gives_code, hint, leaks
from playground.limits import Limits
from playground.params import GenerationParams
from playground.tasks import TASKS, Request
from tests.fakes import ScriptedEngine

ROOT = Path(__file__).resolve().parent.parent
BUGGY = '''def average(values):
    """
    >>> average([2, 4])
    3.0
    """
    total = 0
    for v in values:
        total += v
    return total / len(value)
'''
FIXED = BUGGY.replace("len(value)", "len(values)")


def fenced(code: str, words: str = "") -> str:
    """A Debug answer after its prefilled opening fence (prompts/debug.toml)."""
    return f"{code}```\n{words}"


@pytest.fixture(autouse=True)
def no_model_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_MODEL_CALLS", "0")  # the script holds only the fix and the hints


def request() -> Request:
    return Request.build("debug", BUGGY, language="python", error="NameError: name 'value' is not defined",
                         params=GenerationParams(temperature=0.0, candidates=1))


@pytest.mark.parametrize(("before", "after", "lines", "new"), [
    ("a\nb\nc\n", "a\nB\nc\n", (2,), ("B",)),
    ("a\nb\nc\n", "a\nb\nx\nc\n", (2,), ("x",)),  # an insertion: the line before it
    ("a\nb\nc\n", "x\na\nb\nc\n", (1,), ("x",)),  # at the top: the first line
    ("a\nb\nc\n", "a\nc\n", (2,), ()),
    ("a\nb\n", "a\nb\n", (), ()),
])
def test_the_lines_a_fix_changes(before: str, after: str, lines: tuple[int, ...], new: tuple[str, ...]) -> None:
    assert changed_lines(before, after) == (lines, new)


@pytest.mark.parametrize(("error", "line"), [
    ('Traceback (most recent call last):\n  File "a.py", line 9, in average\nNameError: ...', 9),
    ("NameError: name 'value' is not defined", 9),  # the first line that uses the name it quotes
    ('  File "a.py", line 99, in average', None),  # no such line in the code, and no name
    ("it prints the wrong number", None),
])
def test_the_line_an_error_points_at(error: str, line: int | None) -> None:
    assert error_line(BUGGY, error) == line


def test_the_ladder_points_at_the_line_the_checked_fix_changes_and_replaces_a_leak() -> None:
    engine = ScriptedEngine(fenced(FIXED, "It used `value`."),
                            "Line 9 should say `len(values)`: `return total / len(values)`.")
    first, ladder = climb(request(), 1, engine)
    assert ladder.sure and ladder.changed == (9,) and ladder.fixed_lines == ("return total / len(values)",)
    assert ladder.failing is not None and "average([2, 4])" in ladder.failing.name
    assert (first.step, first.line, first.leaked, first.code) == (1, 9, False, "")
    # step 1 is the facts (no model words: it comes with the fix): the line and the call that fails there
    assert first.text == ("Look at line 9 (`return total / len(value)`). What does it do there when the code runs "
                          "`average([2, 4])`? Work it out by hand.")
    assert len(engine.prompts) == 1
    second = hint(ladder, 2, engine)  # the model gave the fixed line away
    assert "the mistake is on line 9" in engine.prompts[1] and "Tell me in words" in engine.prompts[1]
    assert second.leaked and "return total / len(values)" not in second.text
    assert second.text.startswith("When it runs `average([2, 4])`, it raises NameError")
    assert "line 9 (`return total / len(value)`)" in second.text
    third = hint(ladder, 3, engine)
    assert third.code == "return total / len(values)" and third.text.startswith("Change line 9")
    fourth = hint(ladder, 4, engine)
    assert fourth.code == FIXED.rstrip() and fourth.text.startswith("The whole answer (passes ")
    assert json.loads(json.dumps(first.to_dict())) == {"step": 1, "what": "where to look", "text": first.text,
                                                       "sure": True, "leaked": False,
                                                       "seconds": round(first.seconds, 2), "line": 9}
    assert "line" not in second.to_dict() and "code" not in second.to_dict() and third.to_dict()["code"]


def test_code_that_fixes_the_program_is_a_leak_even_when_it_is_not_the_fix_s_own_line() -> None:
    _, ladder = climb(request(), 3, ScriptedEngine(fenced(FIXED)))
    assert leaks(ladder, "Try `return total / len(values)`.")
    assert leaks(ladder, "What if it were `return sum(values) / len(values)`?")  # passes the checks: a leak
    assert not leaks(ladder, "What does `len(value)` count?")  # not a fix: it fails
    assert not leaks(ladder, "Which name is the list called in the first line?")


def test_without_a_fix_that_passes_the_hints_say_they_are_unsure() -> None:
    engine = ScriptedEngine(fenced(BUGGY.replace("len(value)", "len(valu)")), "Look at line 9.")
    first, ladder = climb(request(), 1, engine)
    assert not ladder.sure and first.line == 9  # the line the (failing) fix changes, marked unsure
    assert first.text.startswith("I could not make a fix that passes its checks, so this is a guess.")
    third = hint(ladder, 3, engine)
    assert (third.code, third.sure) == ("return total / len(valu)", False) and third.text.startswith("I could not")
    with pytest.raises(InputError, match="step is 1 to 4"):
        hint(ladder, 5, engine)


def test_a_fix_nothing_could_check_still_points_at_its_line_and_a_call_it_changes() -> None:
    bare = "def area(w: int, h: int) -> int:\n    return w + h\n"  # no examples, tests or error: inputs from types
    engine = ScriptedEngine(fenced("def area(w: int, h: int) -> int:\n    return w * h\n"))
    asked = Request.build("debug", bare, language="python", params=GenerationParams(temperature=0.0, candidates=1))
    first, ladder = climb(asked, 1, engine)
    assert not ladder.sure and first.line == 2 and not first.sure
    # a call on which the fix and the student's code differ, run in the sandbox: the question step 1 asks
    differs = ladder.differs
    assert differs is not None and differs.name.startswith("area(") and differs.expected != differs.got
    assert first.text == ("Nothing checked the fix this hint comes from (the code has no examples or tests to run it "
                          f"on), so it may be wrong. Look at line 2 (`return w + h`). Work out by hand what the code "
                          f"gives for `{differs.name}`, and what it should give. Does this line do what you meant?")


def test_without_inputs_step_one_comes_with_the_fix_and_step_two_finds_a_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_MODEL_CALLS", "1")  # the model writes example calls for code without inputs
    bare = "def area(w, h):\n    return w + h\n"
    engine = ScriptedEngine(fenced("def area(w, h):\n    return w * h\n"), "area(2, 3)\narea(1, 1)\n```",
                            "It adds where it should multiply.")
    asked = Request.build("debug", bare, language="python", params=GenerationParams(temperature=0.0, candidates=1))
    first, ladder = climb(asked, 1, engine)
    assert (first.line, ladder.call, len(engine.prompts)) == (2, "", 1)  # no model time after the fix
    assert "What does it do there? Work it out by hand with a small example." in first.text
    second, ladder = climb(asked, 2, engine, ladder)
    assert "Write example calls of `area`" in engine.prompts[1] and ladder.call == "area(2, 3)"
    # an unchecked fix says nothing of what is right: the call and what the code gives, as a question
    assert "When it runs `area(2, 3)`, it gives 5. Is that what it should give?" in engine.prompts[2]
    assert second.text.endswith("It adds where it should multiply.") and not second.leaked


def test_with_no_change_no_failure_and_no_line_in_the_error_the_model_is_asked_for_the_line() -> None:
    bare = "def area(w, h):\n    return w + h\n"
    asked = Request.build("debug", bare, language="python", params=GenerationParams(temperature=0.0, candidates=1))
    engine = ScriptedEngine(fenced(bare), "2")  # the fix changes nothing; the model names line 2
    first, ladder = climb(asked, 1, engine)
    assert (ladder.changed, ladder.guessed, first.line, first.sure) == ((), 2, 2, False)
    assert "Which line has the bug?" in engine.prompts[1] and engine.prompts[1].endswith("Line ")
    assert first.text.startswith("I could not make a fix that passes its checks, so this is a guess. Look at line 2")
    lost = ScriptedEngine(fenced(bare), "7")  # a line the code does not have: no line at all
    first, ladder = climb(asked, 1, lost)
    assert ladder.guessed is None and first.line is None and "Work through the code by hand" in first.text


def test_the_class_limits() -> None:
    limits = Limits.from_setting("translate, debug", TASKS, 2)
    assert limits.tasks == ("translate", "debug")
    limits.check_task("debug")
    with pytest.raises(AccessError, match="turned Complete off"):
        limits.check_task("complete", "Complete")
    limits.check_hint(2)
    with pytest.raises(AccessError, match=r"hints up to step 2 \(what is wrong, in words\)"):
        limits.check_hint(3)
    with pytest.raises(InputError, match="Unknown task"):
        limits.set(["debug", "poetry"], 2)
    limits.set(list(TASKS), 4)
    limits.check_hint(4)
    assert Limits.from_setting("", TASKS, 4).tasks == tuple(TASKS)


@pytest.mark.model
def test_the_command_line_keeps_the_class_limits(tmp_path: Path) -> None:
    env = {**os.environ, "PLAYGROUND_MAX_HINT_STEP": "2", "PLAYGROUND_TASKS": "translate,debug",
           "PLAYGROUND_DATA_DIR": str(tmp_path)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "playground", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)

    capped = cli("hint", "examples/debug/average.py", "--step", "3", "--json")
    assert capped.returncode == 2 and "hints up to step 2" in capped.stderr
    off = cli("complete", "examples/complete/reverse_words.py", "--max-tokens", "8")
    assert off.returncode == 2 and "turned Complete off" in off.stderr
    first = cli("hint", "examples/debug/average.py", "--error", "NameError: name 'value' is not defined",
                "--step", "1", "--json", "--model", "smollm2-135m")
    assert first.returncode == 0, first.stderr
    said = json.loads(first.stdout)
    assert said["step"] == 1 and said["line"] in range(1, 6) and said["text"] and "code" not in said


def test_a_fixed_line_without_its_colon_is_a_leak_too() -> None:
    loop = "def total(n):\n    s = 0\n    for i in range(1, n):\n        s += i\n    return s\n"
    fixed = loop.replace("range(1, n)", "range(1, n + 1)")
    asked = Request.build("debug", loop, language="python", tests="assert total(3) == 6",
                          params=GenerationParams(temperature=0.0, candidates=1))
    _, ladder = climb(asked, 3, ScriptedEngine(fenced(fixed)))
    assert ladder.sure and ladder.changed == (3,)
    assert leaks(ladder, "Line 3 should be `for i in range(1, n + 1)`.")  # the fixed line, its `:` left out
    assert leaks(ladder, "Try `for i in range(1,n+1)` instead.")  # other spacing: it passes when put in place
    assert not leaks(ladder, "How many times does the loop on line 3 run for `n = 3`?")
    assert not leaks(ladder, "Look at line 3 (`for i in range(1, n):`).")  # the student's own line, quoted


def test_step_two_gives_no_code_of_its_own() -> None:
    engine = ScriptedEngine(fenced(FIXED), "Line 9 is wrong. It should be `sum(values) / len(values)`.",
                            "On line 9, `len(value)` names something the function was never given.")
    _, ladder = climb(request(), 1, engine)
    second = hint(ladder, 2, engine)
    assert second.leaked and "sum(values)" not in second.text and second.text.startswith("When it runs")
    second = hint(ladder, 2, engine)  # quoting the line it points at is pointing, not giving
    assert not second.leaked and second.text == "On line 9, `len(value)` names something the function was never given."
    assert gives_code(ladder, "Line 9 should loop like `for v in values:` does.")  # another line: telling
    assert not gives_code(ladder, "What is `value`, and what is `values`?")  # names


def test_a_call_the_error_quotes_is_the_call_step_one_asks_about() -> None:
    asked = Request.build("debug", FIXED, language="python", error=">>> average([])\nZeroDivisionError: division by "
                          "zero", params=GenerationParams(temperature=0.0, candidates=1))
    first, ladder = climb(asked, 1, ScriptedEngine(fenced(FIXED), "9"))  # no change: the model names line 9
    assert (ladder.call, first.line) == ("average([])", 9)
    assert "Look at line 9 (`return total / len(values)`). What does it do there when the code runs `average([])`?" \
        in first.text
