"""The whole pipeline on the real bundled model: every example, streaming, bad input, faults."""

from __future__ import annotations

import threading

import pytest
from pyflakes import api as pyflakes_api

from playground.engines import Engine
from playground.errors import ContextOverflowError, EngineError, InputError, UnknownLanguageError
from playground.inputs import decode_source
from playground.languages import display_name
from playground.markup.highlight import highlighted
from playground.params import GenerationParams
from playground.pipeline import run, stream
from playground.result import Result, Status
from playground.tasks import TASKS, get_task
from playground.tasks.examples import Example, load_examples
from tests.fakes import Wrapped

ALL_EXAMPLES = [ex for task in TASKS for ex in load_examples(task)]


@pytest.mark.parametrize("example", ALL_EXAMPLES, ids=lambda e: f"{e.task}-{e.name}")
def test_every_task_on_every_example(example: Example, engine: Engine, greedy: GenerationParams) -> None:
    result = run(example.task, example.code, language=example.language, target=example.target,
                 error=example.error, suffix=example.suffix, params=greedy, engine=engine)
    assert result.status.finished and result.prompt and result.answer.text.strip()
    if example.task == "tests" and not result.answer.code.strip():
        # SmolLM2's tests may all fail on the input: none is kept, and the checks say so
        assert result.checks is not None and result.checks.status == "fail", result.answer.text
        assert [i.passed for i in result.checks.items if i.name == "a written test passes on your code"] == [False]
    elif get_task(example.task).shows.code_answer:
        assert result.answer.code.strip(), result.answer.text
    assert result.stats.prompt_tokens > 50 and result.stats.completion_tokens > 0
    assert 0 < result.stats.ttft_s <= result.stats.total_s
    assert result.stats.context_size == engine.context_size
    assert result.model == "SmolLM2-135M-Instruct.Q4_1.gguf" and result.engine == "llama-cpp"
    if not get_task(example.task).shows.code_answer:  # prose back (Explain): no code; the checks run the input
        assert result.answer.code == "" and result.answer.lint == () and result.lint_note is None
        assert result.checks is not None and result.checks.items and result.language == example.language
        return
    assert "<pre" in highlighted(result.answer.code, result.language)
    assert result.language == (example.target or example.language)
    assert result.checks is not None and result.checks.candidate == 1 == result.checks.candidates_tried
    if result.language == "python":
        assert result.lint_note is None
    else:  # tree-sitter checks the syntax; the "parses as" check agrees with the lint panel
        assert result.lint_note == f"Only the syntax of the {display_name(result.language)} output is checked " \
                                   "(tree-sitter)."
        assert all(f.kind == "error" and f.message.startswith("syntax error") for f in result.answer.lint)
        parses = result.checks.items[0]
        assert parses.name == f"parses as {display_name(result.language)}"
        assert parses.passed == (not result.answer.lint)


def test_complete_produces_code_that_pyflakes_parses(engine: Engine, greedy: GenerationParams) -> None:
    code = "def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n"
    result = run("complete", code, language="python", params=greedy, engine=engine)
    assert result.answer.code.startswith(code.rstrip())
    errors: list[str] = []

    class Collect:  # a pyflakes reporter: the three methods pyflakes calls (as playground/lint.py's)
        def syntaxError(self, *args: object) -> None:  # noqa: N802 (pyflakes' name)
            errors.append(str(args))

        def unexpectedError(self, *args: object) -> None:  # noqa: N802
            errors.append(str(args))

        def flake(self, message: object) -> None:
            pass

    pyflakes_api.check(result.answer.code, "completion.py", Collect())
    assert errors == [], result.answer.code
    assert not any(f.kind == "error" and "invalid syntax" in f.message for f in result.answer.lint)


def test_streaming_yields_growing_partial_results(engine: Engine, greedy: GenerationParams) -> None:
    seen: list[tuple[int, bool]] = []
    for partial in stream("translate", "print('hi')", language="python", target="javascript",
                          params=greedy, engine=engine):
        seen.append((len(partial.answer.text), partial.status.finished))
    assert len(seen) > 3
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)
    assert [done for _, done in seen] == [False] * (len(seen) - 1) + [True]


def test_temperature_zero_gives_the_same_result_twice(engine: Engine, greedy: GenerationParams) -> None:
    one = run("simplify", load_examples("simplify")[0].code, language="python", params=greedy, engine=engine)
    two = run("simplify", load_examples("simplify")[0].code, language="python", params=greedy, engine=engine)
    assert one.answer.text == two.answer.text and one.prompt == two.prompt


@pytest.mark.parametrize("code", ["", "   \n\t  \n"])
def test_empty_input_is_refused_without_a_model_call(code: str, engine: Engine) -> None:
    spy = Wrapped(engine)
    with pytest.raises(InputError, match="empty"):
        run("simplify", code, language="python", engine=spy)
    assert spy.calls == 0


def test_input_over_the_context_window_names_both_numbers(engine: Engine) -> None:
    code = "".join(f"value_{i} = compute_something({i}, 'text {i}')\n" for i in range(900))
    spy = Wrapped(engine)
    with pytest.raises(ContextOverflowError) as err:
        run("simplify", code, language="python", engine=spy)
    assert err.value.context_size == 4096 and err.value.prompt_tokens > 4096
    assert str(err.value.prompt_tokens) in str(err.value) and "4096" in str(err.value)
    assert spy.calls == 0


def test_huge_input_is_capped_before_tokenizing(engine: Engine) -> None:
    with pytest.raises(InputError, match="limit is 100,000"):
        run("simplify", "x = 1\n" * 200_000, language="python", engine=engine)


def test_long_answer_request_is_trimmed_to_the_room_left(engine: Engine) -> None:
    code = "".join(f"v{i} = {i}\n" for i in range(380))
    result = run("simplify", code, language="python", engine=engine,
                 params=GenerationParams(temperature=0, max_tokens=2048))
    assert "answer is limited to" in result.notice
    assert result.stats.prompt_tokens + result.stats.completion_tokens <= 4096


def test_unknown_language_is_a_clear_error(engine: Engine) -> None:
    with pytest.raises(UnknownLanguageError, match="python"):
        run("translate", "x = 1", language="python", target="brainfork", engine=engine)


def test_undetectable_language_asks_the_user_to_pick(engine: Engine) -> None:
    with pytest.raises(InputError, match="pick it"):
        run("simplify", "hello there, how are you", engine=engine)


def test_suffix_without_prefix_is_refused(engine: Engine) -> None:
    with pytest.raises(InputError):
        run("complete", "   ", language="python", suffix="return x\n", engine=engine)


def test_engine_dying_mid_stream_keeps_the_partial_answer(engine: Engine, greedy: GenerationParams) -> None:
    spy = Wrapped(engine, fail_after=4)
    partials: list[str] = []
    with pytest.raises(EngineError, match="failed while generating.*llama_decode") as err:
        for partial in stream("simplify", "x = [i for i in range(3)]", language="python", params=greedy,
                              engine=spy):
            partials.append(partial.answer.text)
    assert partials and err.value.partial is not None
    assert isinstance(err.value.partial, Result)  # the error types it as object: the state stream() yielded
    assert err.value.partial.answer.text == partials[-1]
    # The engine is free again and the next request works.
    assert run("simplify", "x = 1", language="python", params=greedy, engine=engine).status.finished


def test_stop_during_stream_marks_the_result_stopped(engine: Engine) -> None:
    cancel = threading.Event()
    last = None
    for last in stream("simplify", load_examples("simplify")[1].code, language="python", engine=engine,
                       params=GenerationParams(temperature=0, max_tokens=400), cancel=cancel):
        if last.stats.completion_tokens >= 5:
            cancel.set()
    assert last is not None and last.status is Status.STOPPED
    assert last.stats.completion_tokens <= 6


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("caf\u00e9 = 1".encode("latin-1"), "not UTF-8"),
        (b"\xff\xfe\x00x\x00", "binary"),
    ],
)
def test_bad_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_source(data, "upload.py")


def test_utf8_with_bom_emoji_and_rtl_text_is_accepted() -> None:
    text = "# \u05e9\u05dc\u05d5\u05dd \U0001f600\nprint('hi')\n"
    assert decode_source(("\ufeff" + text).encode("utf-8")) == text


def test_an_answer_that_ends_at_once_reports_no_speed_not_a_negative_one() -> None:
    # Qwen answered Complete's old prompt with an end-of-turn and no token: the stats said -2652.9 tokens/s.
    from playground.engines import Chunk, StopReason
    from tests.fakes import FakeEngine

    class EndsAtOnce(FakeEngine):
        def pieces(self, prompt: str, params: GenerationParams, stop: list[str] | None,
                   cancel: threading.Event | None) -> list[Chunk]:
            return [Chunk("", 0, finish_reason=StopReason.STOP)]

    result = run("complete", "def f(x):\n", language="python", engine=EndsAtOnce(), checks=False)
    assert result.status.finished and result.stats.completion_tokens == 0 and result.stats.tokens_per_s == 0.0
