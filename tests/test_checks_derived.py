"""Checks for the code people paste: no >>> examples, no type hints, printed output.

Where inputs come from when the code has none of its own (calls in the code, calls the model writes,
inputs generated from their types), how they are kept honest (inputs the original does nothing on, results
that differ between runs), what a Debug check means, how printed output compares across languages, and the
verdict that rests on syntax alone. The reading of the model's calls is pure; the plans run for real in the
sandbox; the model that writes calls is the real default model (marked `model`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playground.catalog import DEFAULT_MODEL
from playground.checks import check, run_checks
from playground.checks.extend import added, with_calls, with_intended
from playground.checks.judge import printed
from playground.checks.sources import input_calls, written_calls
from playground.cli import main
from playground.derive import derive_calls, derive_intended, with_intended_tests, with_written_calls
from playground.engines import Engine, load_engine
from playground.params import GenerationParams
from playground.tasks import get_task
from playground.verdict import Item, Verdict

FIZZBUZZ = '''def fizzbuzz(n):
    for i in range(1, n + 1):
        if i % 15 == 0:
            print("FizzBuzz")
        elif i % 3 == 0:
            print("Fizz")
        elif i % 5 == 0:
            print("Buzz")
        else:
            print(i)
'''
# Right for n <= 0 only: where neither version prints anything.
FIZZBUZZ_JS_WRONG = '''function fizzBuzz(n) {
  for (let i = 1; i <= n; i++) console.log(i % 3 === 0 ? "Fizz" : i);
}
'''
FIZZBUZZ_JS_RIGHT = '''function fizzBuzz(n) {
  for (let i = 1; i <= n; i++) {
    console.log(i % 15 === 0 ? "FizzBuzz" : i % 3 === 0 ? "Fizz" : i % 5 === 0 ? "Buzz" : i);
  }
}
'''
PAIRS = '''def parse_pairs(s, sep=","):
    out = {}
    for part in s.split(sep):
        k, v = part.split("=")
        out[k.strip()] = int(v)
    return out
'''
PAIRS_RIGHT = '''def parse_pairs(s, sep=","):
    return {k.strip(): int(v) for k, v in (part.split("=") for part in s.split(sep))}
'''
PAIRS_WRONG = '''def parse_pairs(s, sep=","):
    return {k: int(v) for k, v in (part.split("=") for part in s.split(sep))}
'''
PAIRS_STRINGS = '''def parse_pairs(s, sep=","):
    return {k.strip(): v for k, v in (part.split("=") for part in s.split(sep))}
'''
TOTALS = '''def totals(orders):
    result = {}
    for name, amount in orders.items():
        result[name] = sum(amount)
    return result
'''


# ---------------------------------------------------------------- reading the model's calls (pure)

def test_written_calls_keep_only_literal_calls_of_the_functions() -> None:
    text = '''# Example 1
print(average([]))  # Output: 0.0
out = parse_pairs("a=1")
import os
average(open("/etc/passwd").read())
os.system("rm -rf /")
for i in range(3): average([i])
>>> average([1, 2])
average(*[1])
average(values=[1])
eval("average([3])")
average([1, 2])
'''
    calls = written_calls(text, ["average", "parse_pairs"])
    # An import, a call of anything but the named functions, a file read, a loop variable, a starred or a
    # keyword argument and a call inside eval's string are all dropped; repeats are kept once.
    assert calls == [("average", ([],)), ("parse_pairs", ("a=1",)), ("average", ([1, 2],))]


def test_written_calls_read_javascript_literals_and_cap_each_function() -> None:
    assert written_calls("isEven(true, null); isEven([1,2]) // two", ["isEven"], "javascript") == [
        ("isEven", (True, None)), ("isEven", ([1, 2],))]
    many = "\n".join(f"f({i})" for i in range(20))
    assert len(written_calls(many, ["f"])) == 8


def test_calls_the_code_makes_itself_are_inputs() -> None:
    code = FIZZBUZZ + '\nprint(fizzbuzz(3))\n\nif __name__ == "__main__":\n    fizzbuzz(15)\n    other(2)\n'
    assert input_calls(code) == [("fizzbuzz", (3,)), ("fizzbuzz", (15,))]


# ---------------------------------------------------------------- printed output across languages (pure)

@pytest.mark.parametrize(("python", "javascript"), [
    ("True\nFalse", "true\nfalse"),
    ("None", "null"),
    ("None", "undefined"),
    ("1.0", "1"),
    ("[1, 2, 3]", "[1,2,3]"),
    ("{'a': 1, 'b': [2.0]}", '{"a":1,"b":[2]}'),
    ("(1, 2)", "[1,2]"),
    ("total: 3.0 items", "total: 3 items"),
])
def test_printed_output_compares_across_python_and_javascript(python: str, javascript: str) -> None:
    assert printed(python, loose=True) == printed(javascript, loose=True)
    assert printed(python) != printed(javascript)  # within one language the text must be the same


@pytest.mark.parametrize(("a", "b"), [("1.5", "1"), ("[1, 2]", "[2,1]"), ("True", "false"), ("Fizz", "fizz"),
                                      ("10.05", "10.5")])
def test_printed_output_still_tells_real_differences(a: str, b: str) -> None:
    assert printed(a, loose=True) != printed(b, loose=True)


# ---------------------------------------------------------------- the verdict (pure)

def test_a_verdict_on_syntax_alone_is_not_a_pass() -> None:
    syntax = Item("parses as Go", True, origin="syntax")
    ran = Item("f(1)", True, origin="model")
    only = Verdict([syntax])
    assert (only.status, only.behaviour, only.summary()) == ("parses", 0, "parses; behaviour not checked")
    both = Verdict([syntax, ran])
    assert (both.status, both.behaviour, both.to_dict()["behaviour"]) == ("pass", 1, 1)
    assert Verdict([Item("parses as Go", False, origin="syntax")]).status == "fail"


# ---------------------------------------------------------------- plans, run in the sandbox

@pytest.mark.sandbox
def test_a_go_translation_says_its_behaviour_was_not_checked() -> None:
    plan = get_task("translate").plan(FIZZBUZZ, language="python", target="go")
    verdict = run_checks(plan, 'package main\n\nimport "fmt"\n\nfunc fizzbuzz(n int) { fmt.Println(n) }\n')
    assert verdict.status == "parses" and verdict.summary() == "parses; behaviour not checked"
    assert plan.wanted == ()  # Go cannot run here: no model calls are asked for


@pytest.mark.sandbox
def test_untyped_code_without_examples_asks_for_calls_and_a_wrong_translation_fails_on_them() -> None:
    plan = get_task("translate").plan(FIZZBUZZ, language="python", target="javascript")
    assert plan.wanted == ("fizzbuzz",)  # nothing else gives it inputs
    plan = with_calls(plan, [("fizzbuzz", (15,)), ("fizzbuzz", (0,)), ("fizzbuzz", (-3,)), ("fizzbuzz", (1,))], "model")
    wrong = run_checks(plan, FIZZBUZZ_JS_WRONG)
    right = run_checks(plan, FIZZBUZZ_JS_RIGHT)
    assert right.status == "pass" and right.behaviour == right.total - 1  # all but "parses as JavaScript"
    assert wrong.status == "fail"
    failed = {i.name: i for i in wrong.items if not i.passed}  # the calls as the answer names its function
    assert "fizzBuzz(15)" in failed and "FizzBuzz" in failed["fizzBuzz(15)"].expected
    assert failed["fizzBuzz(15)"].origin == "model"
    # Inputs where the original prints nothing (n <= 0) pass any answer that prints nothing: left out, said so.
    names = {i.name for i in right.items}
    assert "fizzBuzz(0)" not in names and "fizzBuzz(-3)" not in names
    assert any("returns None without printing" in n for n in right.notes)
    # The generated inputs come from the model's calls' types (ints), and say so.
    assert any(i.origin == "generated" for i in right.items)


@pytest.mark.sandbox
def test_untyped_rewrites_with_defaults_dicts_and_raising_calls() -> None:
    plan = get_task("simplify").plan(PAIRS, language="python")
    assert plan.wanted == ("parse_pairs",)
    plan = with_calls(plan, [("parse_pairs", ("a=1, b=2",)), ("parse_pairs", ("x=1;y=2", ";")), ("parse_pairs", ("",))],
                      "model")
    right, wrong = run_checks(plan, PAIRS_RIGHT), run_checks(plan, PAIRS_WRONG)
    assert right.status == "pass", [i for i in right.items if not i.passed]
    raising = next(i for i in right.items if i.name == "parse_pairs('')")
    assert raising.expected == "raises ValueError"  # raising is behaviour too
    bad = {i.name: i for i in wrong.items if not i.passed}
    assert "parse_pairs('a=1, b=2')" in bad and "' b'" in bad["parse_pairs('a=1, b=2')"].got


@pytest.mark.sandbox
def test_dict_arguments_from_the_model_feed_generated_inputs() -> None:
    plan = get_task("simplify").plan(TOTALS, language="python")
    more = with_calls(plan, [("totals", ({"ann": [1, 2], "bo": []},))], "model")
    assert added(plan, more, "model") == 1 and added(plan, more, "generated") > 5
    assert plan.cases == get_task("simplify").plan(TOTALS, language="python").cases  # the plan given is unchanged
    plan = more
    assert run_checks(plan, "def totals(orders):\n    return {k: sum(v) for k, v in orders.items()}\n").status == "pass"
    wrong = run_checks(plan, "def totals(orders):\n    return {k: max(v) for k, v in orders.items()}\n")
    assert wrong.status == "fail"


@pytest.mark.sandbox
def test_calls_in_the_code_itself_are_checked_without_a_model() -> None:
    code = FIZZBUZZ + "\nfizzbuzz(5)\n"
    plan = get_task("translate").plan(code, language="python", target="javascript")
    assert plan.wanted == ()  # the code calls fizzbuzz itself
    assert any(c.origin == "input" for c in plan.cases)
    assert run_checks(plan, FIZZBUZZ_JS_WRONG + "\nfizzBuzz(5);\n").status == "fail"


@pytest.mark.sandbox
def test_results_that_differ_between_runs_of_the_original_are_left_out() -> None:
    code = "import random\n\n\ndef roll(n):\n    return random.randint(1, 10**9) * n\n\n\ndef double(n):\n" \
           "    return 2 * n\n"
    plan = get_task("simplify").plan(code, language="python")
    plan = with_calls(plan, [("roll", (3,)), ("double", (3,))], "model")
    verdict = run_checks(plan, code)
    names = [i.name for i in verdict.items]
    assert "double(3)" in names and "roll(3)" not in names
    assert any("different result each run" in n for n in verdict.notes)


@pytest.mark.sandbox
def test_debug_fails_an_answer_that_raises_an_exception_the_original_did_not() -> None:
    buggy = "def first_pair(text):\n    a, b = text.split(',')\n    return a, b\n"
    plan = get_task("debug").plan(buggy, language="python", error="ValueError: not enough values to unpack")
    plan = with_calls(plan, [("first_pair", ("a,b",)), ("first_pair", ("a",)), ("first_pair", ("a,b,c",))], "model")
    broken = "def first_pair(text):\n    parts = text.split(',')\n    return partz[0], parts[1]\n"
    verdict = run_checks(plan, broken)
    rows = {i.name: i for i in verdict.items}
    # Where the original worked, a NameError is a new failure, shown as it is.
    assert not rows["first_pair('a,b')"].passed and "NameError" in rows["first_pair('a,b')"].got
    assert not rows["first_pair('a')"].passed  # a different exception where the original raised ValueError
    fixed = "def first_pair(text):\n    parts = text.split(',') + ['']\n    return parts[0], parts[1]\n"
    assert run_checks(plan, fixed).status == "pass"


# ---------------------------------------------------------------- the real model writes the calls

@pytest.fixture(scope="module")
def qwen() -> Engine:
    return load_engine("llama-cpp", DEFAULT_MODEL)


@pytest.mark.model
@pytest.mark.sandbox
def test_the_default_model_writes_calls_that_catch_a_wrong_translation(qwen: Engine) -> None:
    derived = derive_calls(qwen, FIZZBUZZ, "python", ["fizzbuzz"])
    assert len(derived.calls) >= 3 and all(f == "fizzbuzz" for f, _ in derived.calls)
    assert derive_calls(qwen, FIZZBUZZ, "python", ["fizzbuzz"]) is derived  # cached per model and input
    plan = get_task("translate").plan(FIZZBUZZ, language="python", target="javascript")
    plan = with_written_calls(plan, qwen)
    assert run_checks(plan, FIZZBUZZ_JS_RIGHT).status == "pass"
    wrong = run_checks(plan, FIZZBUZZ_JS_WRONG)
    assert wrong.status == "fail" and any(i.origin == "model" and not i.passed for i in wrong.items)
    assert any("written by the model" in n for n in wrong.notes)


@pytest.mark.model
@pytest.mark.sandbox
def test_the_default_model_writes_expected_results_for_debug(qwen: Engine) -> None:
    buggy = 'def average(xs):\n    """The mean of xs; 0 for an empty list."""\n    return sum(xs) / (len(xs) + 1)\n'
    plan = get_task("debug").plan(buggy, language="python")
    assert plan.intended == ("average",)
    plan = with_intended_tests(plan, qwen)
    derived = derive_intended(qwen, buggy, "python", ["average"])  # cached: what the plan's tests came from
    assert derived.calls and all(f == "average" for f, _, _ in derived.calls)
    assert plan.intended == () and any("may be wrong" in n for n in plan.notes)
    verdict = run_checks(plan, buggy)
    rows = [i for i in verdict.items if i.origin == "intended"]
    assert rows and not all(i.passed for i in rows)  # the bug is off by one on every non-empty list


@pytest.mark.model
@pytest.mark.sandbox
def test_check_against_an_untyped_original_fails_a_wrong_rewrite_from_the_cli(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "orig.py").write_text(PAIRS)
    (tmp_path / "right.py").write_text(PAIRS_RIGHT)
    (tmp_path / "wrong.py").write_text(PAIRS_STRINGS)
    args = ["--against", str(tmp_path / "orig.py"), "--json", "--model", DEFAULT_MODEL]
    assert main(["check", str(tmp_path / "wrong.py"), *args]) == 1
    wrong = json.loads(capsys.readouterr().out)
    assert wrong["verdict"] == "fail" and wrong["behaviour"] > 0
    assert any(i["origin"] == "model" for i in wrong["items"])
    assert main(["check", str(tmp_path / "right.py"), *args]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "pass"
    # Without the model, nothing gives parse_pairs inputs: nothing is checked, and the exit status says so.
    assert main(["check", str(tmp_path / "wrong.py"), *args, "--no-model"]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "none"


def test_check_code_without_a_writer_checks_only_what_examples_call() -> None:
    verdict = check(PAIRS_WRONG, against=PAIRS)
    assert verdict.status == "none" and verdict.behaviour == 0


# ---------------------------------------------------------------- TypeScript runs once its types are erased

FIZZBUZZ_TS = '''interface Options { upTo: number }
type Word = string;

function fizzBuzz(n: number, label?: Word): void {
  for (let i: number = 1; i <= n; i++) {
    const word = (i % 15 === 0 ? "FizzBuzz" : i % 3 === 0 ? "Fizz" : i % 5 === 0 ? "Buzz" : i) as Word;
    console.log(word!);
  }
}
'''


def test_types_are_erased_in_place() -> None:
    from playground.checks.typescript import strip_types
    from playground.syntax import syntax_problems

    js = strip_types(FIZZBUZZ_TS)
    assert len(js) == len(FIZZBUZZ_TS) and js.count("\n") == FIZZBUZZ_TS.count("\n")  # same lines and columns
    for gone in ("interface", "type Word", ": number", "?:", "as Word", "word!", ": void"):
        assert gone not in js, gone
    assert "function fizzBuzz(n" in js and "console.log(word" in js
    assert syntax_problems(js, "javascript") == []


@pytest.mark.parametrize("code", ["enum Color { Red }\n", "class A { constructor(private x: number) {} }\n",
                                  "let n = <number>value;\n", "namespace N { export const x = 1; }\n"])
def test_type_syntax_with_a_runtime_meaning_is_refused(code: str) -> None:
    from playground.checks.typescript import Unstrippable, strip_types

    with pytest.raises(Unstrippable):
        strip_types(code)


@pytest.mark.sandbox
def test_a_typescript_translation_runs_against_the_original() -> None:
    plan = get_task("translate").plan(FIZZBUZZ, language="python", target="typescript")
    assert plan.wanted == ("fizzbuzz",)
    plan = with_calls(plan, [("fizzbuzz", (15,)), ("fizzbuzz", (4,))], "model")
    right = run_checks(plan, FIZZBUZZ_TS)
    assert right.status == "pass" and right.behaviour > 0
    wrong = run_checks(plan, FIZZBUZZ_TS.replace('"Buzz"', '"Bazz"'))
    assert wrong.status == "fail"
    # An enum cannot be erased: the answer gets its syntax check, and says why it did not run.
    unrun = run_checks(plan, "enum Mode { Loud }\n" + FIZZBUZZ_TS)
    assert unrun.status == "parses" and any("enum declaration" in n for n in unrun.notes)


@pytest.mark.sandbox
def test_the_run_box_runs_typescript() -> None:
    from playground.checks import run_snippet

    report = run_snippet(FIZZBUZZ_TS, "typescript", "fizzBuzz(5)")
    assert report.ok and report.output == "1\n2\nFizz\n4\nBuzz\n"


# ---------------------------------------------------------------- inputs that cannot tell a faithful answer

@pytest.mark.sandbox
def test_across_languages_inputs_the_original_refuses_and_huge_integers_are_left_out() -> None:
    original = "def biggest(xs):\n    best = xs[0]\n    for x in xs:\n        if x > best:\n            best = x\n" \
               "    return best\n\n\ndef power(n):\n    return 3 ** n\n"
    plan = get_task("translate").plan(original, language="python", target="javascript")
    plan = with_calls(plan, [("biggest", ([3, 9, 2],)), ("biggest", ([],)), ("power", (4,)), ("power", (200,))],
                         "model")
    answer = "function biggest(xs) {\n  return xs.length ? Math.max(...xs) : undefined;\n}\n" \
             "function power(n) {\n  return 3 ** n;\n}\n"
    verdict = run_checks(plan, answer)
    names = [i.name for i in verdict.items]
    # biggest([]) raises IndexError in Python, where JavaScript gives undefined; 3**200 is past 2**53.
    assert "biggest([])" not in names and "power(200)" not in names
    assert "biggest([3, 9, 2])" in names and "power(4)" in names
    assert verdict.status == "pass" and any("beyond 2**53" in n for n in verdict.notes)


@pytest.mark.sandbox
def test_a_different_exception_on_a_generated_input_passes_and_says_so() -> None:
    plan = get_task("simplify").plan("def first(xs):\n    return xs[0]\n", language="python")
    plan = with_calls(plan, [("first", ([5, 6],)), ("first", ([],))], "model")
    verdict = run_checks(plan, "def first(xs):\n    return next(iter(xs))\n")  # StopIteration where IndexError was
    row = next(i for i in verdict.items if i.name == "first([])")
    assert row.passed and row.expected == "raises an exception (the original: IndexError)"
    assert row.got == "raises StopIteration"
    no_raise = run_checks(plan, "def first(xs):\n    return xs[0] if xs else None\n")
    assert not no_raise.status == "pass"  # no raise: fails


def test_intended_tests_are_read_strictly() -> None:
    from playground.checks.sources import intended_calls

    text = '''average([1, 2, 3]) == 2.0
assert average([]) == 0
assert average(x) == 1
assert len(average([1])) == 1
assert average([2]) == 2.0  # one
assert average([4]) != 1
print(average([5]))
'''
    # The prefilled "assert average(" is part of the answer; only literal `assert f(...) == literal` lines count.
    assert intended_calls("assert " + text, ["average"]) == [("average", ([1, 2, 3],), 2.0), ("average", ([],), 0),
                                                             ("average", ([2],), 2.0)]


@pytest.mark.sandbox
def test_debug_without_an_error_or_examples_runs_the_models_expected_results() -> None:
    plan = get_task("debug").plan("def last(xs):\n    return xs[len(xs)]\n", language="python")
    assert plan.intended == ("last",) and plan.wanted == ()
    tested = with_intended(plan, [("last", ([1, 2, 3],), 3), ("last", (["a"],), "a")])
    assert added(plan, tested, "intended") == 2
    plan = tested
    right = run_checks(plan, "def last(xs):\n    return xs[-1]\n")
    wrong = run_checks(plan, "def last(xs):\n    return xs[0]\n")
    assert right.status == "pass" and right.items[0].origin == "intended"
    assert wrong.status == "fail" and not next(i for i in wrong.items if i.name == "last([1, 2, 3])").passed


def test_candidates_that_agree_with_each_other_rank_first_only_against_the_models_expectations() -> None:
    from playground.verdict import Item, Verdict, closest

    def verdict(passes: str, origin: str) -> Verdict:
        return Verdict([Item(name, name in passes, origin=origin) for name in "abcd"])

    # a passes 3, b and c both pass the same 2: against the model's expectations the pair wins (2 x 2 > 3) ...
    assert closest([verdict("abc", "intended"), verdict("ab", "intended"), verdict("ab", "intended")]) == 1
    # ... against the original's behaviour (ground truth), the one that passed most does.
    assert closest([verdict("abc", "input"), verdict("ab", "input"), verdict("ab", "input")]) == 0
    assert closest([verdict("a", "intended"), verdict("b", "intended")]) == 0  # ties: the earliest


@pytest.mark.model
@pytest.mark.sandbox
def test_a_request_on_untyped_code_counts_the_calls_inside_its_total_time(qwen: Engine) -> None:
    from playground.pipeline import run

    code = "def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x > hi:\n        return hi\n    return x\n"
    result = run("translate", code, language="python", target="javascript", engine=qwen,
                 params=GenerationParams(temperature=0.0, max_tokens=96))
    assert result.checks is not None and result.checks.behaviour > 0
    assert 0 < result.stats.calls_s <= result.stats.total_s  # "in all" is the whole request, calls included
