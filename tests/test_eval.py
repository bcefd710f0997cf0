"""The evaluation: its data sets, the sandboxed checkers, a smoke run of the harness, and repair."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground import pipeline
from playground.engines import Engine
from playground.evaluate.__main__ import main, parse_args
from playground.evaluate.dataset import TASK_ORDER, TIERS, Item, load_items
from playground.evaluate.grading import grade_answer
from playground.evaluate.replay import Replay
from playground.evaluate.report import checks_table, percentile, table
from playground.evaluate.runner import Attempt, answer_checked, answer_pipeline
from playground.evaluate.sandbox import isolation, run_node_cases, run_python_tests
from playground.params import GenerationParams, Policy
from playground.repair import errors, improved
from playground.tasks import get_task
from playground.tasks.simplify import size


def reference_code(item: Item) -> str:
    """The item's reference answer as a whole program (Complete's solution is only the body)."""
    return get_task(item.task).reference(item.code, item.solution, item.tests)


ALL_ITEMS = [item for task in TASK_ORDER for item in load_items(task)]
# The harder tier's references run in the slow tier (120 sandboxed runs).
HARD_ITEMS = [pytest.param(item, marks=pytest.mark.sandbox, id=f"hard-{item.task}-{item.name}")
              for task in TASK_ORDER for item in load_items(task, tier="hard")]


# --- the data sets -------------------------------------------------------------------------------

@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("task", TASK_ORDER)
def test_each_task_has_at_least_30_items_with_unique_names(task: str, tier: str) -> None:
    items = load_items(task, tier=tier)
    assert len(items) >= 30
    assert len({i.name for i in items}) == len(items)
    for item in items:
        assert f"def {item.function}(" in item.code, item.name
        assert (item.cases if task == "translate" else item.tests.strip()), item.name


def test_the_hard_tier_is_realistic() -> None:
    """Typed signatures with typing imports or helpers, multi-line docstrings with >>> examples, 10-30 lines."""
    for task in (t for t in TASK_ORDER if not get_task(t).eval_set):  # a task on another's items: checked there
        for item in load_items(task, tier="hard"):
            whole = reference_code(item) if task != "translate" else item.code
            assert ">>> " in item.code and '"""' in item.code and "->" in item.code, item.name
            assert 10 <= len(whole.strip().splitlines()) <= 32, (item.name, len(whole.splitlines()))
    typed = [i for i in load_items("debug", tier="hard") if "from typing import" in i.code]
    assert len(typed) >= 20


@pytest.mark.parametrize("item", [*ALL_ITEMS, *HARD_ITEMS], ids=lambda i: f"{i.task}-{i.name}")
def test_reference_answer_passes_its_check(item: Item) -> None:
    grade = grade_answer(item, reference_code(item))
    assert grade.passed, grade.reason


def _both(task: str) -> list[object]:
    return [*load_items(task), *(pytest.param(i, marks=pytest.mark.sandbox, id=f"hard-{i.name}")
                                 for i in load_items(task, tier="hard"))]


@pytest.mark.parametrize("item", _both("debug"), ids=lambda i: i.name)
def test_debug_item_fails_before_the_fix(item: Item) -> None:
    assert item.bug
    assert not grade_answer(item, item.code).passed


@pytest.mark.parametrize("item", _both("simplify"), ids=lambda i: i.name)
def test_simplify_original_passes_and_the_reference_is_shorter(item: Item) -> None:
    assert run_python_tests(item.code, item.tests).passed  # the original is correct, only roundabout
    assert size(item.solution) < size(item.code)


@pytest.mark.parametrize("item", _both("translate"), ids=lambda i: i.name)
def test_translate_cases_are_what_the_python_original_returns(item: Item) -> None:
    cases = json.dumps([[args, expected] for args, expected in item.cases])
    tests = ("import json\n"
             f"for args, expected in json.loads({cases!r}):\n"
             f"    assert json.loads(json.dumps({item.function}(*args))) == expected, (args, expected)\n")
    grade = run_python_tests(item.code, tests)
    assert grade.passed, grade.reason


# --- the checkers and the sandbox -----------------------------------------------------------------

def test_python_checker_passes_a_correct_solution_and_fails_a_wrong_one() -> None:
    tests = "assert double(2) == 4\nassert double(-1) == -2\n"
    assert run_python_tests("def double(x):\n    return 2 * x\n", tests).passed
    wrong = run_python_tests("def double(x):\n    return x + 2\n", tests)
    assert not wrong.passed and "AssertionError" in wrong.reason


def test_python_checker_reports_errors_and_ignores_main_blocks() -> None:
    assert "SyntaxError" in run_python_tests("def f(:\n", "").reason
    demo = "def f():\n    return 1\n\nif __name__ == '__main__':\n    input('never')\n"
    assert run_python_tests(demo, "assert f() == 1\n").passed


def test_a_solution_cannot_fake_a_pass_by_exiting_early() -> None:
    assert not run_python_tests("import os\nos._exit(0)\n", "assert False\n").passed
    assert not run_python_tests("raise SystemExit(0)\n", "assert False\n").passed


def test_the_table_gives_seconds_per_request_at_the_median_and_the_95th_percentile() -> None:
    rows = [Attempt("debug", str(n), "m", "repair-n", "", "", 10, float(n), passed=n < 5, tier="hard")
            for n in range(1, 21)]  # 1 s to 20 s
    line = next(r for r in table(rows).splitlines() if r.startswith("| hard | debug |"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[4:] == ["4/20", "20%", "10", "10.5", "10.0 / 19.0", "1.0"]
    assert percentile([3.0], 0.95) == 3.0 and percentile([5.0, 1.0], 0.5) == 1.0


@pytest.mark.model
def test_infinite_loops_time_out() -> None:
    grade = run_python_tests("def f():\n    while True:\n        pass\n", "f()\n", timeout=2)
    assert not grade.passed and "timeout" in grade.reason
    grade = run_node_cases("function f() { for (;;) {} }", "f", [([], 1)], timeout=2)
    assert not grade.passed and "timeout" in grade.reason


def test_node_checker_matches_values_and_accepts_camel_case_names() -> None:
    cases: list[tuple[list[object], object]] = [([1, 2], 3), ([0.1, 0.2], 0.3)]
    assert run_node_cases("function add_up(a, b) { return a + b; }", "add_up", cases).passed
    assert run_node_cases("const addUp = (a, b) => a + b;", "add_up", cases).passed
    wrong = run_node_cases("function add_up(a, b) { return a - b; }", "add_up", cases)
    assert not wrong.passed and "expected 3" in wrong.reason
    missing = run_node_cases("function other() {}", "add_up", cases)
    assert not missing.passed and "no function named add_up" in missing.reason


def test_simplify_check_refuses_longer_or_unchanged_code_and_any_check_refuses_empty_code() -> None:
    item = load_items("simplify")[0]
    padded = item.code + "\n# " + "x" * 200 + "\n"
    assert "not shorter than the original (" in grade_answer(item, padded).reason
    assert grade_answer(item, item.code).reason == "not shorter than the original (unchanged?)"  # safe, but not simpler
    assert grade_answer(item, "  \n").reason == "no code in the answer"


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare")
def test_root_gets_the_strongest_isolation() -> None:
    assert isolation() == "namespaces"


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on loopback that records whatever connects to it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            received.append(conn.recv(100) or b"(connected)")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def test_solutions_cannot_reach_the_network(listener: tuple[int, list[bytes]]) -> None:
    port, received = listener
    py = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'hi')\n"
    assert not run_python_tests(py, "").passed
    js = (f"fetch('http://127.0.0.1:{port}/').then(() => console.log('reached'))"
          ".catch(() => console.log('blocked'));\nfunction f() { return 1; }")
    grade = run_node_cases(js, "f", [([], 1)])
    assert "reached" not in grade.output
    assert received == []


def test_solutions_cannot_write_outside_their_directory(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o777)  # even a directory anyone may write to stays untouched
    target = tmp_path / "escaped.txt"
    assert not run_python_tests(f"open({str(target)!r}, 'w').write('x')\n", "").passed
    assert not run_python_tests(f"import os\nos.system('touch {target}')\n", "").passed
    js = f"process.mainModule.require('fs').writeFileSync({json.dumps(str(target))}, 'x');"
    assert not run_node_cases(js + "\nfunction f() { return 1; }", "f", [([], 1)]).passed
    assert not target.exists()
    writes = "open('scratch.txt', 'w').write('ok')\n"
    assert run_python_tests(writes, "assert open('scratch.txt').read() == 'ok'\n").passed


# --- the harness ----------------------------------------------------------------------------------

def test_anchor_prompts_are_one_line_instructions() -> None:
    assert get_task("translate").anchor.format(code="x = 1") == "Translate this Python code to JavaScript:\nx = 1"
    for task in TASK_ORDER:  # every task the evaluation runs has its one line, naming the code once
        anchor = get_task(task).anchor
        assert anchor.count("{code}") == 1 and len(anchor.splitlines()) == 2, task


def test_command_line_refuses_unknown_tasks_and_methods() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--tasks", "complete,dance"])
    with pytest.raises(SystemExit):
        parse_args(["--methods", "magic"])
    with pytest.raises(SystemExit):
        parse_args(["--engine", "ctransformers"])
    assert parse_args(["--limit", "2"]).limit == 2
    assert parse_args([]).engine == "llama-cpp"


@pytest.mark.model
@pytest.mark.server
def test_the_harness_runs_on_llama_server_and_stops_it(tmp_path: Path) -> None:
    """--engine llama-server answers through a server started for the model, and stops it afterwards."""
    def servers() -> list[str]:
        children = " ".join(p.read_text() for p in Path("/proc/self/task").glob("*/children")).split()
        return [c for c in children if Path(f"/proc/{c}/comm").exists()
                and Path(f"/proc/{c}/comm").read_text().strip() == "llama-server"]

    before = servers()
    out = tmp_path / "answers.jsonl"
    code = main(["--models", "smollm2", "--limit", "1", "--tasks", "complete", "--methods", "anchor",
                 "--max-tokens", "64", "--engine", "llama-server", "--out", str(out), "--quiet"])
    assert code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 1 and records[0]["answer"] and records[0]["reason"]
    assert servers() == before


@pytest.mark.model
def test_smoke_run_of_the_harness_on_two_items_per_task(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "answers.jsonl"
    code = main(["--models", "smollm2", "--limit", "2", "--methods", "anchor,pipeline", "--max-tokens", "128",
                 "--out", str(out), "--quiet"])
    assert code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2 * len(TASK_ORDER) * 2
    assert {r["task"] for r in records} == set(TASK_ORDER)
    assert all(isinstance(r["passed"], bool) and r["reason"] for r in records)
    assert any(r["passed"] for r in records if r["method"] == "pipeline")
    table = capsys.readouterr().out
    for task in (*TASK_ORDER, "all"):
        assert f"| {task} | smollm2 | pipeline |" in table
        assert f"| {task} | smollm2 | anchor |" in table


@pytest.mark.model
def test_checked_and_best_of_n_on_the_hard_tier(tmp_path: Path) -> None:
    out = tmp_path / "answers.jsonl"
    code = main(["--models", "smollm2", "--limit", "1", "--tiers", "hard", "--methods", "checked,best-of-n,repair-n",
                 "--budget", "3", "--tasks", "simplify,translate", "--max-tokens", "160", "--out", str(out), "--quiet"])
    assert code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2 * 3 and {r["tier"] for r in records} == {"hard"}
    assert {r["method"] for r in records} == {"checked", "best-of-n", "repair-n"}
    for r in records:
        assert r["verdict"] in ("pass", "fail") and 1 <= r["candidates"] <= (1 if r["method"] == "checked" else 3)
        assert 1 <= r["chosen"] <= r["candidates"]
        # a budget stops early only on a pass; a failing verdict means all three were tried
        if r["method"] != "checked" and r["verdict"] == "fail":
            assert r["candidates"] == 3


def test_the_checks_table_counts_repaired_passes_the_hidden_tests_fail() -> None:
    def attempt(item: str, verdict: str, passed: bool, repaired: bool) -> Attempt:
        return Attempt("debug", item, "m", "repair-n", "", "", 10, 1.0, passed=passed, verdict=verdict,
                       repaired=repaired, tier="hard")
    rows = [attempt("a", "pass", True, True), attempt("b", "pass", False, True), attempt("c", "pass", False, False),
            attempt("d", "fail", False, True)]  # d: a repair that failed is no repaired pass
    line = next(r for r in checks_table(rows).splitlines() if r.startswith("| hard | debug |"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    # checks pass 3, of them 2 false; repaired passes 2, of them 1 false (the hidden tests fail b)
    assert cells[5:7] == ["3", "2 (67%)"] and cells[9:11] == ["2", "1 (50%)"]


@pytest.mark.model
def test_an_interrupted_run_resumes_and_saved_runs_report_together(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "answers.jsonl"
    base = ["--models", "smollm2", "--tasks", "complete", "--methods", "pipeline", "--max-tokens", "64",
            "--out", str(out), "--quiet"]
    assert main([*base, "--limit", "1"]) == 0
    first = out.read_text().splitlines()
    out.write_text(out.read_text() + '{"task": "comp')  # the line an interrupted run was writing
    capsys.readouterr()
    assert main([*base, "--limit", "2", "--resume"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == first[0] and len([x for x in lines if x.endswith("}")]) == 2  # only item 2 was run
    assert "| basic | complete | smollm2 | pipeline |" in capsys.readouterr().out
    items = {json.loads(x)["item"] for x in lines if x.endswith("}")}
    assert items == {i.name for i in load_items("complete")[:2]}

    assert main(["--report", str(out)]) == 0
    row = next(r for r in capsys.readouterr().out.splitlines() if "| complete | smollm2 |" in r)
    assert row.split(" | ")[4].endswith("/2")  # both items, from the one file
    assert main(["--report", str(tmp_path / "missing.jsonl")]) == 2
    assert main(["--resume", "--models", "smollm2"]) == 2


def test_methods_that_send_the_same_request_share_one_generation(engine: Engine, greedy: GenerationParams) -> None:
    replay = Replay(engine)
    item = load_items("complete")[0]
    plain = answer_pipeline(replay, "smollm2", item, greedy, ["pipeline"])[0]
    checked = answer_checked(replay, "smollm2", item, greedy, "checked")
    assert (replay.generated, replay.replayed) == (1, 1)  # the same prompt and settings: generated once
    assert checked.answer == plain.answer and checked.tokens == plain.tokens
    assert checked.seconds >= replay.saved_seconds > 0  # the table still shows what the method costs
    fresh = pipeline.run("complete", item.code, language="python", params=greedy, engine=engine, checks=False)
    assert fresh.answer.text == plain.answer  # a replay is what the engine gives for that request
    sampled = greedy.model_copy(update={"temperature": 0.8, "seed": 7})
    answer_pipeline(replay, "smollm2", item, sampled, ["pipeline"])
    assert (replay.generated, replay.replayed) == (2, 1)  # other settings are a new request
    assert Replay.key("p", greedy.model_copy(update={"candidates": 3, "policy": Policy.REPAIR}), None) == \
        Replay.key("p", greedy, None)  # the policies at equal budget share their first answer


# --- lint-guided repair ---------------------------------------------------------------------------

# The undefined name sits on a finished line, so whatever Complete appends, the first round has an error:
# `itemz` stays undefined, or the continuation adds a syntax error (the exact continuation varies with the
# machine's float rounding even at temperature 0, so the test asks for "an error", then for those errors).
BROKEN = "def total(items):\n    count = len(itemz)\n    return"


def test_repair_asks_again_with_the_lint_errors_and_keeps_both_rounds(engine: Engine,
                                                                       greedy: GenerationParams) -> None:
    result = pipeline.run("complete", BROKEN, language="python", params=greedy, engine=engine, repair=True)
    assert len(result.rounds) == 2
    first, second = result.rounds
    assert errors(first.answer.lint)
    assert all(f.message in second.prompt for f in errors(first.answer.lint))
    assert second.prompt.endswith("```python\n")
    assert first.tokens > 0 and second.tokens > 0
    assert result.stats.completion_tokens == first.tokens + second.tokens
    chosen = second if improved(first, second) else first
    assert result.answer is chosen.answer  # the round's answer itself, not a copy of its fields


def test_no_repair_round_without_the_option_or_without_errors(engine: Engine, greedy: GenerationParams) -> None:
    plain = pipeline.run("complete", BROKEN, language="python", params=greedy, engine=engine)
    assert plain.rounds == () and errors(plain.answer.lint)
    js = pipeline.run("translate", "def one():\n    return 1\n", language="python", target="javascript",
                      params=greedy, engine=engine, repair=True)
    assert js.rounds == ()  # lint covers Python only, so there is nothing to repair


# --- extraction of messy answers (a small change to playground/extract.py, measured by the eval) ---

@pytest.mark.parametrize(("answer", "code"), [
    ("def f():\n    return 1\n```", "def f():\n    return 1"),  # opening fence skipped, closing one written
    ("def f():\n    return 1\n```\n", "def f():\n    return 1"),
    ("Here it is:\n```python", ""),  # an opening fence still streaming in is not a closing one
    ("text\n```\n```", ""),  # a real (empty) block
])
def test_extract_recovers_code_when_only_the_closing_fence_was_written(answer: str, code: str) -> None:
    from playground.extract import extract

    assert extract(answer, "python").code == code
