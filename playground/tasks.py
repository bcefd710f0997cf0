"""The tasks as data: a small dataclass each, plus a template file in prompts/."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal, TypedDict

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from .chat import Message, render_chat
from .errors import InputError, PlaygroundError
from .languages import canonical_language, display_name
from .lint import Finding
from .models import ModelInfo


@dataclass(frozen=True)
class Extra:
    """The one input a task takes beyond the code, described once for the UI, the CLI and the API."""

    name: Literal["target", "error", "suffix"]  # its keyword of pipeline.stream()
    label: str
    kind: str  # "language" (a picker), "text" (a text box) or "code" (a code box; a file on the command line)
    flag: str  # the command line's option
    api_name: str  # the web API's parameter name
    help: str
    default: str = ""
    required: bool = False


class TaskInputs(TypedDict, total=False):
    """A task's extra input as pipeline.stream()'s keyword argument (Extra.name says which)."""

    target: str
    error: str
    suffix: str


@dataclass(frozen=True)
class Task:
    """A thing the playground can do to code."""

    name: str
    title: str
    description: str
    # Which language the answer is in: the target (translate) or the source (the rest).
    output: str = "source"
    extra: Extra | None = None
    # The original's behaviour is the expectation: the answer must give the same results and output.
    oracle: bool = False
    # The input has a bug: pyflakes' findings go into the prompt, the error message names an exception the
    # answer must not raise, and the input is not the expectation (the model may write what it should do).
    repairs: bool = False
    # No harm: when no candidate keeps the original's behaviour, the answer is the original, unchanged.
    keeps_original: bool = False
    # The answer should be shorter than the input (the evaluation fails one that is not).
    shortens: bool = False
    # The answer is shown as a diff against the input.
    diff: bool = False
    # Fill in the middle: the answer goes between the code and the code after the cursor, and the checks
    # run that whole program.
    fills_middle: bool = False
    # The answer is tests for the input, not a new version of it: its checks run it against the input and
    # keep the tests that pass, scored by bugs planted in the input (checks/suite.py); it is linted as code
    # that runs after the input, and nothing is restored into it from the input.
    writes_tests: bool = False

    def answer_language(self, language: str, target: str | None) -> str:
        """The language of the answer's code, for input in language."""
        return target if self.output == "target" and target else language

    def inputs(self, value: str | None) -> TaskInputs:
        """The keyword arguments the extra input's value becomes for pipeline.stream()."""
        given = TaskInputs()
        if self.extra is not None:
            given[self.extra.name] = value if value is not None else self.extra.default
        return given


TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task("translate", "Translate", "Rewrite code in another language.", output="target", oracle=True,
             extra=Extra("target", "Translate to", "language", "--to", "target_language",
                         "target language, e.g. javascript", default="javascript", required=True)),
        Task("simplify", "Simplify", "Make code shorter and clearer, same behaviour.", oracle=True,
             keeps_original=True, shortens=True, diff=True),
        Task("debug", "Debug", "Find and fix a bug, with a short explanation.", repairs=True, diff=True,
             extra=Extra("error", "Error message or traceback (optional)", "text", "--error", "error_message",
                         "the error message or traceback you saw")),
        Task("complete", "Complete", "Continue unfinished code (fill in the middle if a suffix is given).",
             fills_middle=True,
             extra=Extra("suffix", "Code after the cursor (optional suffix)", "code", "--suffix", "suffix",
                         "file with the code after the cursor (fill in the middle)")),
        Task("tests", "Tests", "Write tests for code: each is run on it and kept if it passes, then scored by "
             "the planted bugs it catches.", writes_tests=True),
    )
}


# A fill-in-the-middle answer ends at the end of text or at the next file or pad token; without these a
# model may run on into another file (Qwen2.5-Coder's <|fim_pad|>, <|file_sep|>; StarCoder's <file_sep>).
FIM_STOPS = ("<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|im_end|>", "<|repo_name|>", "<file_sep>", "```")


@dataclass(frozen=True)
class Prompt:
    """Everything sent to the model for one request, and how to read its answer."""

    text: str  # the exact string sent to the model
    prefill: str  # the part of `text` that is already the start of the answer
    stop: list[str]
    language: str  # language of the answer's code
    mode: str  # "chat" (instruct template) or "fim" (fill in the middle)
    messages: list[Message] = field(default_factory=list)
    notice: str = ""  # something the user should know (e.g. FIM not available)
    source: str = ""  # language of the user's code


def get_task(name: str) -> Task:
    """The task called name; unknown names list the valid ones."""
    try:
        return TASKS[name]
    except KeyError:
        raise InputError(f"Unknown task {name!r}. Valid tasks: {', '.join(TASKS)}.") from None


@cache
def _read_template(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("prompts", f"{name}.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_template(name: str, family: str = "") -> dict[str, Any]:
    """The parsed prompts/<name>.toml file, with its [family.<family>] table's keys in place of the common ones.

    family is the model's architecture (GGUF general.architecture: qwen2, llama, gemma3, ...): prompts are
    measured per model family, and what helps a 135M model (few-shot examples, a prefilled answer) can make
    a real code model worse.
    """
    template = _read_template(name)
    overrides = template.get("family", {}).get(family, {})
    return {**{k: v for k, v in template.items() if k != "family"}, **overrides}


_ENV = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)


def fill(source: str, variables: dict[str, Any]) -> str:
    """Render a template string; a missing variable or a broken template is a clear error."""
    try:
        return _ENV.from_string(source).render(**variables)
    except UndefinedError as exc:
        raise PlaygroundError(
            f"Prompt template is missing a variable ({exc.message}); fix the template."
        ) from None
    except TemplateError as exc:
        raise PlaygroundError(f"Prompt template error: {exc}; fix the template.") from None


def build_prompt(
    task: str,
    code: str,
    info: ModelInfo,
    *,
    source: str,
    target: str | None = None,
    error: str = "",
    suffix: str = "",
    findings: list[Finding] | None = None,
) -> Prompt:
    """Render the prompt for a task on code, in the model's own chat template (or FIM layout)."""
    spec = get_task(task)
    template = load_template(task, info.architecture)
    source = canonical_language(source)
    target = canonical_language(target) if target else source
    if task == "translate" and target == source:
        raise InputError(
            f"Source and target language are both {display_name(source)}: pick another target."
        )
    variables = {
        "code": code.rstrip("\n"),
        # Complete's prefill ends at the last character typed: a prompt ending in whitespace
        # tokens throws small models off (they close the fence), a bare end lets them break the line.
        "raw_code": code.rstrip(),
        "source": source,
        "target": target,
        "source_name": display_name(source),
        "target_name": display_name(target),
        "error": error.strip(),
        "suffix": suffix,
        "findings": findings or [],
    }
    language = target if spec.output == "target" else source
    notice = ""
    # With a suffix, or for a model family whose template asks for it, Complete fills in the middle.
    if task == "complete" and (suffix.strip() or template.get("fim_without_suffix")):
        if info.fim_tokens:
            return _fim_prompt(template, variables, code, info.fim_tokens, language, source)
        if suffix.strip():
            notice = (f"Fill-in-the-middle is not available for {info.name} (no FIM tokens); "
                      "completing from the code before the cursor.")
    messages: list[Message] = [{"role": "system", "content": template["system"]}]
    for example in template.get("examples", []):
        messages.append({"role": "user", "content": example["user"]})
        messages.append({"role": "assistant", "content": example["assistant"]})
    messages.append({"role": "user", "content": fill(template["user"], variables)})
    prefill = fill(template.get("prefill", ""), variables)
    text = render_chat(messages, info.chat_template, info.bos_token, info.eos_token) + prefill
    return Prompt(text=text, prefill=prefill, stop=list(template.get("stop", [])), language=language,
                  mode="chat", messages=messages, notice=notice, source=source)


def _fim_prompt(template: dict[str, Any], variables: dict[str, Any], code: str,
                sentinels: tuple[str, str, str], language: str, source: str) -> Prompt:
    """Fill in the middle: prefix, suffix, then the model writes the middle (PSM order)."""
    pre, suf, mid = sentinels
    # FIM keeps the prefix exactly as typed: the middle starts right after its last character.
    text = fill(template["fim"], {**variables, "raw_code": code, "fim_prefix": pre, "fim_suffix": suf,
                                   "fim_middle": mid})
    return Prompt(text=text, prefill="", stop=[*FIM_STOPS, *sentinels], language=language, mode="fim",
                  source=source)
