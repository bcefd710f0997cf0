"""Repair: a follow-up turn with what failed (feedback.py), so the model fixes its own answer.

The pipeline asks for one when an answer fails its checks and the policy repairs (GenerationParams.policy),
and for a lint round when asked (`repair=True`: pyflakes errors only; the Result then carries both rounds,
and shows the repaired one only if it has fewer errors than the first).
"""

from __future__ import annotations

from collections.abc import Iterable

from .chat import render_chat
from .languages import display_name
from .lint import Finding
from .models import ModelInfo
from .prompting import Mode, Prompt, fill, load_template
from .result import Round


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that mean the code cannot run as written."""
    return [f for f in findings if f.kind == "error"]


def repair_prompt(prompt: Prompt, code: str, feedback: str, info: ModelInfo) -> Prompt | None:
    """The follow-up prompt (the first conversation + the answer's code + what failed, as feedback.py writes
    it); None without feedback or a conversation to follow up. A fill-in-the-middle answer is followed up in
    the same request's chat conversation (Prompt.conversation), the answer's code the whole program, and the
    corrected one starts with the code before the cursor (Prompt.keep): only the model's part is rewritten."""
    turns = prompt.messages if prompt.mode is Mode.CHAT else prompt.conversation
    if not turns or not feedback.strip():
        return None
    template = load_template("repair", info.architecture)
    variables = {"feedback": feedback, "language": prompt.language, "language_name": display_name(prompt.language)}
    messages = [*turns,
                {"role": "assistant", "content": f"```{prompt.language}\n{code.rstrip()}\n```"},
                {"role": "user", "content": fill(template["user"], variables)}]
    prefill = fill(template.get("prefill", ""), variables) + (prompt.keep if prompt.mode is Mode.FIM else "")
    text = render_chat(messages, info.chat_template, info.bos_token, info.eos_token) + prefill
    return Prompt(text=text, prefill=prefill, stop=list(template.get("stop", [])), language=prompt.language,
                  mode=Mode.CHAT, messages=messages, source=prompt.source)


def improved(first: Round, second: Round) -> bool:
    """True when the second round has code and fewer errors than the first."""
    return bool(second.answer.code.strip()) and len(errors(second.answer.lint)) < len(errors(first.answer.lint))
