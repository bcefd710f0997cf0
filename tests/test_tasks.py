"""Prompt rendering: golden files for every example, and clear errors for bad task input."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from playground.errors import InputError, PlaygroundError, UnknownLanguageError
from playground.models import ModelInfo, model_info
from playground.tasks import TASKS, build_prompt, fill
from playground.tasks.examples import Example, load_examples
from tests.helpers import bundled_model_path

GOLDEN = Path(__file__).parent / "golden"
INFO = model_info(bundled_model_path())
ALL_EXAMPLES = [ex for task in TASKS for ex in load_examples(task)]


def test_every_task_has_at_least_three_examples() -> None:
    for task in TASKS:
        assert len(load_examples(task)) >= 3, task


@pytest.mark.parametrize("example", ALL_EXAMPLES, ids=lambda e: f"{e.task}-{e.name}")
def test_rendered_prompt_matches_golden_file(example: Example, update_goldens: bool) -> None:
    prompt = build_prompt(example.task, example.code, INFO, source=example.language, target=example.target,
                          error=example.error, suffix=example.suffix)
    golden = GOLDEN / f"{example.task}-{example.name}.txt"
    if update_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(prompt.text, "utf-8")
    assert golden.is_file(), f"missing {golden}: run pytest --update-goldens"
    assert prompt.text == golden.read_text("utf-8")
    assert prompt.text.startswith("<|im_start|>system\n")
    assert prompt.text.endswith(prompt.prefill)


def test_debug_prompt_folds_in_lint_findings_and_the_error() -> None:
    code = "def f(xs):\n    return len(x)\n"
    prompt = build_prompt("debug", code, INFO, source="python", error="NameError: name 'x' is not defined")
    user = prompt.messages[-1]["content"]
    assert "undefined name 'x'" in user
    assert "NameError: name 'x' is not defined" in user


def test_translate_prefills_a_fence_in_the_target_language() -> None:
    prompt = build_prompt("translate", "print(1)", INFO, source="py", target="JavaScript")
    assert prompt.prefill == "```javascript\n" and prompt.language == "javascript"
    assert "Translate this Python code to JavaScript" in prompt.messages[-1]["content"]
    assert prompt.stop == ["```"]


def test_complete_prefills_the_code_so_the_model_continues_it() -> None:
    code = "def square(x):\n    "
    prompt = build_prompt("complete", code, INFO, source="python")
    assert prompt.prefill == "```python\n" + code.rstrip()  # no trailing whitespace token
    assert prompt.mode == "chat" and not prompt.notice


def test_complete_with_suffix_says_when_fim_is_unavailable() -> None:
    prompt = build_prompt("complete", "def f():\n", INFO, source="python", suffix="    return 1\n")
    assert prompt.mode == "chat"
    assert "Fill-in-the-middle is not available" in prompt.notice


def test_complete_uses_the_models_fim_sentinels_in_psm_order() -> None:
    info = replace(INFO, fim_tokens=("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"))
    prompt = build_prompt("complete", "def f():\n", info, source="python", suffix="\nprint(f())\n")
    assert prompt.mode == "fim"
    assert prompt.text == "<|fim_prefix|>def f():\n<|fim_suffix|>\nprint(f())\n<|fim_middle|>"


def test_model_without_chat_template_gets_the_plain_layout() -> None:
    prompt = build_prompt("simplify", "x = 1", ModelInfo(name="base"), source="python")
    assert "### Instruction:" in prompt.text and prompt.text.endswith("### Response:\n```python\n")


@pytest.mark.parametrize("name", ["klingon", "python4", ""])
def test_unknown_language_lists_the_valid_ones(name: str) -> None:
    with pytest.raises(UnknownLanguageError, match="javascript"):
        build_prompt("translate", "x = 1", INFO, source="python", target=name or "?")


def test_translating_to_the_same_language_is_refused() -> None:
    with pytest.raises(InputError, match="both Python"):
        build_prompt("translate", "x = 1", INFO, source="python", target="py")


def test_unknown_task_lists_the_valid_ones() -> None:
    with pytest.raises(InputError, match="translate, simplify, debug, complete"):
        build_prompt("refactor", "x = 1", INFO, source="python")


def test_a_template_missing_a_variable_says_so() -> None:
    with pytest.raises(PlaygroundError, match="missing a variable"):
        fill("{{ nope }}", {})


@pytest.mark.parametrize(
    "language", ["python", "javascript", "typescript", "java", "c", "cpp", "csharp", "go", "rust", "ruby", "php",
                 "kotlin", "swift", "bash", "sql"],
)
def test_translate_supports_the_required_languages(language: str) -> None:
    source = "ruby" if language == "python" else "python"
    prompt = build_prompt("translate", "x = 1", INFO, source=source, target=language)
    assert prompt.language == language


def test_a_request_is_checked_once_and_keeps_only_what_its_task_reads() -> None:
    from playground.tasks import Request

    complete = Request.build("complete", "def f(x):\n", suffix="\nprint(f(1))\n")
    assert (complete.language, complete.suffix) == ("python", "\nprint(f(1))\n")  # the language guessed
    translate = Request.build("translate", "def f(x):\n    return x\n", language="py", target="js",
                              suffix="ignored")
    assert (translate.language, translate.target, translate.suffix) == ("python", "javascript", "")
    assert translate.answer_language == "javascript" and translate.task is TASKS["translate"]
    with pytest.raises(InputError, match="language"):
        Request.build("translate", "def f(x):\n    return x\n", language="python", target="python")
