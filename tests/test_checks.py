"""Where checks come from, how values compare and how outcomes are judged (pure, no sandbox), then each task's
plan run for real in the sandbox (marked `sandbox`)."""

from __future__ import annotations

import pytest

from playground.checks import run_checks, run_snippet
from playground.checks.cases import Case, Kind, Outcome
from playground.checks.generate import generated_calls
from playground.checks.judge import judge
from playground.checks.sources import as_call, assert_cases, cases_from_tests, example_cases, forbidden_exception
from playground.checks.values import encode, same, show
from playground.errors import InputError
from playground.tasks import get_task

TYPED = '''from typing import List, Optional


def clamp(values: List[int], low: int, high: Optional[int] = None) -> List[int]:
    """Each value moved into [low, high].

    >>> clamp([1, 5, 9], 2, 6)
    [2, 5, 6]
    >>> clamp([], 0)
    []
    """
    top = high if high is not None else max(values, default=low)
    return [min(max(v, low), top) for v in values]
'''


@pytest.mark.parametrize(("a", "b", "loose", "equal"), [
    (1, 1, False, True), (1, 1.0, False, True), (0.1 + 0.2, 0.3, False, True), (1, 2, False, False),
    (True, 1, False, False), ({"$float": "nan"}, {"$float": "nan"}, False, True),
    ({"$tuple": [1, 2]}, [1, 2], False, False), ({"$tuple": [1, 2]}, [1, 2], True, True),
    ({"$dict": [[1, "a"], [2, "b"]]}, {"$dict": [[2, "b"], [1, "a"]]}, False, True),
    ({"$dict": [[1, "a"]]}, {"1": "a"}, True, True), ({"$set": [3, 1]}, {"$set": [1, 3]}, False, True),
    ("a", "a ", False, False), (None, {"$undefined": True}, True, True), (None, {"$undefined": True}, False, False),
    ({"$int": str(10**400)}, {"$int": str(10**400)}, False, True),  # beyond a float: compared as digits
    ({"$int": str(10**400)}, {"$int": str(10**400 + 1)}, False, False), ({"$int": str(10**400)}, 1.0, False, False),
])
def test_values_compare_structurally(a: object, b: object, loose: bool, equal: bool) -> None:
    assert same(a, b, loose) is equal


def test_values_show_like_python() -> None:
    value = encode({"k": (1, 2.5, None), "s": {3}})
    assert show(value) == "{'k': (1, 2.5, None), 's': {3}}"
    assert show(encode((1,))) == "(1,)" and len(show(list(range(1000)))) <= 120


def test_examples_come_from_docstrings_only() -> None:
    code = TYPED + '\nnot_a_docstring = """\n>>> clamp([1], 5)\n[9]\n"""\n'
    cases = example_cases(code)
    assert [c.name for c in cases] == [">>> clamp([1, 5, 9], 2, 6)", ">>> clamp([], 0)"]
    assert cases[0].want[0] == "[2, 5, 6]\n"


def test_tests_box_reads_doctests_or_statements() -> None:
    asserts = cases_from_tests("assert clamp([1], 2) == [2]\nassert clamp(\n    [3], 0, 1) == [1]\n")
    assert [c.kind for c in asserts] == ["exec", "exec"] and asserts[1].source.count("\n") == 1
    assert cases_from_tests(">>> clamp([0], 1)\n[1]\n")[0].kind == "doctest"
    js = cases_from_tests("assert(clamp([1], 2)[0] === 2)\nassert clamp([1], 2) == [2]", "javascript")
    assert js[0].language == "javascript" and js[1].kind == "call" and js[1].func == "clamp"
    with pytest.raises(InputError, match="The tests are not valid Python \\(line 1"):
        assert_cases("assert clamp(1 ==")


def test_python_checks_become_calls_for_a_javascript_answer() -> None:
    doc = example_cases(TYPED)[0]
    call = as_call(doc)
    assert call is not None and (call.func, call.args, call.want) == ("clamp", ([1, 5, 9], 2, 6), [2, 5, 6])
    assert as_call(assert_cases("assert clamp([1], 2) == [2]")[0]).want == [2]  # type: ignore[union-attr]
    assert as_call(assert_cases("assert sorted(clamp([1], 2))")[0]) is None  # Python-only


def test_inputs_are_generated_from_type_hints_the_same_every_time() -> None:
    first, again = generated_calls(TYPED, []), generated_calls(TYPED, [])
    assert first == again and len(first) == 20 and len({repr(c) for c in first}) == 20
    assert all(name == "clamp" and isinstance(args[0], list) and isinstance(args[1], int)
               and (args[2] is None or isinstance(args[2], int)) for name, args in first)


def test_inputs_are_generated_from_example_arguments_without_hints() -> None:
    calls = generated_calls("def twice(s):\n    return s * 2\n", [("twice", ("ab",))])
    assert len(calls) == 20 and all(isinstance(args[0], str) for _, args in calls)


def test_annotations_are_read_never_evaluated(tmp_path: object) -> None:
    code = "def f(x: __import__('os').system('touch /tmp/pg-never')) -> int:\n    return 1\n"
    assert generated_calls(code, []) == []
    assert not __import__("os").path.exists("/tmp/pg-never")


@pytest.mark.parametrize(("message", "name"), [
    ("Traceback ...\nIndexError: list index out of range", "IndexError"),
    ("NameError: name 'value' is not defined", "NameError"), ("it prints the wrong thing", ""),
])
def test_the_exception_a_debug_message_names(message: str, name: str) -> None:
    assert forbidden_exception(message) == name


def test_doctest_examples_are_judged_like_doctest() -> None:
    case = example_cases('def f():\n    """\n    >>> f()  # doctest: +ELLIPSIS\n    [0, 1, ...]\n    """\n')[0]
    assert judge(case, Outcome(True, "[0, 1, 2, 3]")).passed
    assert not judge(case, Outcome(True, "[1, 2]")).passed
    raising = example_cases('def g():\n    """\n    >>> g()\n    Traceback (most recent call last):\n'
                            '    ValueError: bad\n    """\n')[0]
    assert judge(raising, Outcome(False, error={"type": "ValueError", "message": "bad"})).passed
    assert not judge(raising, Outcome(False, error={"type": "TypeError", "message": "bad"})).passed


def test_the_oracle_compares_values_output_and_exception_types() -> None:
    case = Case("f(1)", Kind.CALL, func="f", args=(1,))
    original = Outcome(True, [1, 2], output="hi\n")
    assert judge(case, Outcome(True, [1, 2], output="hi  \n"), original).passed
    assert not judge(case, Outcome(True, [1, 2], output="ho\n"), original).passed
    assert not judge(case, Outcome(True, [2, 1], output="hi\n"), original).passed
    raised = Outcome(False, error={"type": "ValueError", "message": "x"})
    assert judge(case, Outcome(False, error={"type": "ValueError", "message": "y"}), raised).passed
    assert not judge(case, Outcome(False, error={"type": "KeyError", "message": "y"}), raised).passed
    assert judge(case, Outcome(False, error={"type": "Error", "message": "y"}), raised, loose=True).passed


# ---------------------------------------------------------------- each task's plan, in the real sandbox

SIMPLER = ("from typing import List, Optional\n\ndef clamp(values: List[int], low: int, high: Optional[int] = None)"
           " -> List[int]:\n    top = max(values, default=low) if high is None else high\n"
           "    return [min(max(v, low), top) for v in values]\n")
BROKEN = "def clamp(values, low, high=None):\n    return [max(v, low) for v in values]\n"


@pytest.mark.sandbox
def test_simplify_checks_against_the_original_on_examples_and_generated_inputs() -> None:
    plan = get_task("simplify").plan(TYPED, language="python")
    good, bad = run_checks(plan, SIMPLER), run_checks(plan, BROKEN)
    assert good.status == "pass" and good.total >= 22  # 2 doctests + their 2 calls + 20 generated
    assert bad.status == "fail" and bad.passed < bad.total
    row = next(i for i in bad.items if i.name == "clamp([1, 5, 9], 2, 6)")
    assert (row.expected, row.got, row.passed) == ("[2, 5, 6]", "[2, 5, 9]", False)


@pytest.mark.sandbox
def test_examples_the_original_fails_are_left_out_with_a_note() -> None:
    wrong = TYPED.replace("[2, 5, 6]", "[2, 5, 7]")
    plan = get_task("simplify").plan(wrong, language="python")
    verdict = run_checks(plan, SIMPLER)
    assert verdict.status == "pass" and ">>> clamp([1, 5, 9], 2, 6)" not in [i.name for i in verdict.items]
    assert any("left out" in note for note in verdict.notes)


@pytest.mark.sandbox
def test_translate_to_javascript_runs_the_answer_in_quickjs_against_the_original() -> None:
    plan = get_task("translate").plan(TYPED, language="python", target="javascript")
    js = ("function clamp(values, low, high = null) {\n"
          "  const top = high === null ? (values.length ? Math.max(...values) : low) : high;\n"
          "  return values.map(v => Math.min(Math.max(v, low), top));\n}\n")
    verdict = run_checks(plan, js)
    assert verdict.items[0].name == "parses as JavaScript" and verdict.status == "pass", verdict.items
    typed = run_checks(plan, js.replace("(values, low", "(values: number[], low"))
    assert typed.status == "fail" and not typed.items[0].passed and "line 1" in typed.items[0].error


@pytest.mark.sandbox
def test_other_targets_get_a_syntax_check() -> None:
    plan = get_task("translate").plan(TYPED, language="python", target="go")
    ok = run_checks(plan, "package main\n\nfunc clamp(v []int, low int) []int { return v }\n")
    bad = run_checks(plan, "package main\nfunc clamp(v []int) []int {\n  return v +\n}\n")
    # A verdict resting on syntax alone is not a pass: it says the behaviour was not checked.
    assert [i.name for i in ok.items] == ["parses as Go"] and ok.status == "parses" and ok.behaviour == 0
    assert ok.summary() == "parses; behaviour not checked" and ok.to_dict()["verdict"] == "parses"
    assert bad.status == "fail" and bad.items[0].error.startswith("line 3, column")
    assert any("cannot run here" in n for n in ok.notes)


@pytest.mark.sandbox
def test_debug_checks_that_the_named_exception_is_gone() -> None:
    buggy = "def average(xs: list[float]) -> float:\n    return sum(xs) / len(value)\n"
    plan = get_task("debug").plan(buggy, language="python", error="NameError: name 'value' is not defined")
    fixed = run_checks(plan, "def average(xs: list[float]) -> float:\n    return sum(xs) / len(xs) if xs else 0.0\n")
    assert fixed.status == "pass" and fixed.total == 20 and all(i.expected == "no NameError" for i in fixed.items)
    assert run_checks(plan, buggy).status == "fail"


@pytest.mark.sandbox
def test_debug_judges_the_users_tests_by_themselves_not_by_the_buggy_original() -> None:
    """The Debug example 'average' with its test: the original raises NameError on it, the fixed code passes
    the assert. Compared with the buggy original, the row read 'Expected: raises NameError' and failed."""
    buggy = ("def average(values):\n    total = 0\n    for v in values:\n        total += v\n"
             "    return total / len(value)\n")
    plan = get_task("debug").plan(buggy, language="python", error="NameError: name 'value' is not defined",
                       tests="assert average([1, 2, 3]) == 2")
    fixed = run_checks(plan, buggy.replace("len(value)", "len(values)"))
    test = next(i for i in fixed.items if i.origin == "test")
    assert test.passed and test.expected == "no error", test
    wrong = run_checks(plan, buggy.replace("len(value)", "len(values) + 1"))
    assert not next(i for i in wrong.items if i.origin == "test").passed
    assert not next(i for i in run_checks(plan, buggy).items if i.origin == "test").passed


@pytest.mark.sandbox
def test_no_checks_says_how_to_get_some() -> None:
    plan = get_task("simplify").plan("def f(a, b):\n    return a + b\n", language="python")
    verdict = run_checks(plan, "def f(a, b): ...")
    assert verdict.status == "none" and "add >>> examples" in verdict.summary()


@pytest.mark.sandbox
def test_the_run_box_shows_output_value_or_exception() -> None:
    code = "def fizz(n):\n    print('n is', n)\n    return 'Fizz' if n % 3 == 0 else n\n"
    report = run_snippet(code, "python", "fizz(9)")
    assert (report.output, report.value, report.error) == ("n is 9\n", "'Fizz'", "")
    assert run_snippet(code, "python", "fizz('x')").error.startswith("TypeError")
    assert run_snippet("function f() { console.log('hi'); return [1]; }", "javascript", "f()").value == "[1]"
    with pytest.raises(InputError, match="Type a call"):
        run_snippet(code, "python", "  ")


def test_the_host_keeps_its_own_long_lines_even_when_they_arrive_in_pieces() -> None:
    from playground.checks.sandbox import Output

    out = Output(cap=100, keep=b"NONCE")
    out.write(b"x" * 150)  # the code's own output, no line break: capped
    out.write(b"\nNONCE" + b"r" * 300)  # one of our result lines, longer than the cap, split in two writes
    out.write(b"r" * 300 + b"\n")
    assert out.kept == [b"NONCE" + b"r" * 600 + b"\n"]
    assert len(out.other) == 100 and out.dropped == 51
