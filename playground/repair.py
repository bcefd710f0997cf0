"""Lint-guided repair: when an answer has pyflakes errors, ask the model once more with the findings.

The pipeline calls this when asked (`repair=True`); the Result then carries both rounds, and shows
the repaired one only if it has fewer errors than the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .chat import render_chat
from .languages import display_name
from .lint import Finding
from .models import ModelInfo
from .tasks import Prompt, fill, load_template


@dataclass(frozen=True)
class Round:
    """One round of answering: the raw answer, its code and prose, lint findings, and the prompt."""

    answer: str
    code: str
    explanation: str = ""
    lint: list[Finding] = field(default_factory=list)
    prompt: str = ""
    tokens: int = 0  # completion tokens of this round
    seconds: float = 0.0  # wall time of this round


def errors(findings: list[Finding]) -> list[Finding]:
    """The findings that mean the code cannot run as written."""
    return [f for f in findings if f.kind == "error"]


def repair_prompt(prompt: Prompt, code: str, findings: list[Finding], info: ModelInfo) -> Prompt | None:
    """The follow-up prompt (first conversation + the answer's code + the errors); None for FIM prompts."""
    if prompt.mode != "chat" or not prompt.messages:
        return None
    template = load_template("repair", info.architecture)
    variables = {"findings": findings, "language": prompt.language,
                 "language_name": display_name(prompt.language)}
    messages = [*prompt.messages,
                {"role": "assistant", "content": f"```{prompt.language}\n{code}\n```"},
                {"role": "user", "content": fill(template["user"], variables)}]
    prefill = fill(template.get("prefill", ""), variables)
    text = render_chat(messages, info.chat_template, info.bos_token, info.eos_token) + prefill
    return Prompt(text=text, prefill=prefill, stop=list(template.get("stop", [])), language=prompt.language,
                  mode="chat", messages=messages, source=prompt.source)


def improved(first: Round, second: Round) -> bool:
    """True when the second round has code and fewer errors than the first."""
    return bool(second.code.strip()) and len(errors(second.lint)) < len(errors(first.lint))
