"""Prompts: the templates in prompts/ (one per task, with tables per model family), rendered in the model's
own chat template or fill-in-the-middle layout. What differs between tasks is in playground/tasks/."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, Literal, TypedDict

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from .chat import Message, render_chat
from .errors import PlaygroundError
from .languages import display_name
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


class Mode(StrEnum):
    """How a prompt asks: in the instruct model's chat template, or filling in the middle of the code."""

    CHAT = "chat"
    FIM = "fim"


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
    mode: Mode  # chat (instruct template) or fim (fill in the middle); equal to its string
    messages: list[Message] = field(default_factory=list)
    notice: str = ""  # something the user should know (e.g. FIM not available)
    source: str = ""  # language of the user's code
    # A fill-in-the-middle prompt has no conversation of its own: the same request as chat messages, which a
    # repair turn follows up (repair.py), and the code the answer must start with (the code before the cursor).
    conversation: list[Message] = field(default_factory=list)
    keep: str = ""


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


def variables(code: str, source: str, target: str, error: str = "", suffix: str = "",
              findings: list[Finding] | None = None) -> dict[str, Any]:
    """What a template may use."""
    return {
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


def chat_prompt(template: dict[str, Any], values: dict[str, Any], info: ModelInfo, language: str, source: str,
                notice: str = "") -> Prompt:
    """The template's system message, few-shot examples and user message in the model's chat template, then
    the template's prefill (the start of the answer)."""
    messages: list[Message] = [{"role": "system", "content": template["system"]}]
    for example in template.get("examples", []):
        messages.append({"role": "user", "content": example["user"]})
        messages.append({"role": "assistant", "content": example["assistant"]})
    messages.append({"role": "user", "content": fill(template["user"], values)})
    prefill = fill(template.get("prefill", ""), values)
    text = render_chat(messages, info.chat_template, info.bos_token, info.eos_token) + prefill
    return Prompt(text=text, prefill=prefill, stop=list(template.get("stop", [])), language=language,
                  mode=Mode.CHAT, messages=messages, notice=notice, source=source)


def fim_prompt(template: dict[str, Any], values: dict[str, Any], code: str, sentinels: tuple[str, str, str],
               language: str, source: str) -> Prompt:
    """Fill in the middle: prefix, suffix, then the model writes the middle (PSM order)."""
    pre, suf, mid = sentinels
    # FIM keeps the prefix exactly as typed: the middle starts right after its last character.
    text = fill(template["fim"], {**values, "raw_code": code, "fim_prefix": pre, "fim_suffix": suf,
                                  "fim_middle": mid})
    return Prompt(text=text, prefill="", stop=[*FIM_STOPS, *sentinels], language=language, mode=Mode.FIM,
                  source=source)
