"""Complete: continue unfinished code, filling in the middle when the code after the cursor is given."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..errors import InputError, ModelError
from ..languages import canonical_language
from ..lint import Finding
from ..models import ModelInfo
from ..prompting import Extra, Mode, Prompt, chat_prompt, fim_prompt, load_template, variables
from .base import ForAgents, Shows, Task


@dataclass(frozen=True)
class Complete(Task):
    def refuse(self, code: str, *, language: str, target: str | None, suffix: str) -> None:
        if suffix and not code.strip():
            raise InputError("Complete needs the code before the cursor; the suffix alone is not enough.")

    def prompt(self, code: str, info: ModelInfo, *, source: str, target: str | None = None, error: str = "",
               suffix: str = "", findings: list[Finding] | None = None) -> Prompt:
        """With a suffix, or for a model family whose template asks for it, Complete fills in the middle."""
        source = canonical_language(source)
        template = load_template(self.name, info.architecture)
        values = variables(code, source, source, error, suffix, findings)
        notice = ""
        if suffix.strip() or template.get("fim_without_suffix"):
            if info.fim_tokens:
                return self._with_conversation(fim_prompt(template, values, code, info.fim_tokens, source, source),
                                               template, values, info, source, suffix)
            if suffix.strip():
                notice = (f"Fill-in-the-middle is not available for {info.name} (no FIM tokens); "
                          "completing from the code before the cursor.")
        return chat_prompt(template, values, info, source, source, notice)

    def program(self, answer: str, prompt: Prompt, suffix: str) -> str:
        """The whole program: a chat answer is followed by the code after the cursor (a FIM answer has it)."""
        if prompt.mode is not Mode.FIM and suffix.strip():
            return answer.rstrip("\n") + "\n" + suffix
        return answer

    @staticmethod
    def _with_conversation(fim: Prompt, template: dict[str, Any], values: dict[str, Any], info: ModelInfo,
                           source: str, suffix: str) -> Prompt:
        """A fill-in-the-middle prompt with the same request as chat, for a repair turn to follow up (repair.py),
        when there is nothing after the cursor (the default model fills in the middle even then): the corrected
        answer is then the whole program, starting with the code before the cursor. With code after the cursor
        a whole program could not be told from a middle, and a chat template that refuses the request's roles
        (some raise on a system message) leaves it without: a failed answer is then followed by a fresh one."""
        if suffix.strip():
            return fim
        try:
            conversation = chat_prompt(template, values, info, source, source).messages
        except ModelError:
            return fim
        return replace(fim, conversation=conversation, keep=values["raw_code"])

    def reference(self, code: str, solution: str, tests: str) -> str:
        return code + solution


COMPLETE = Complete(
    "complete", "Complete", "Continue unfinished code (fill in the middle if a suffix is given).",
    anchor="Complete this Python code:\n{code}",
    shows=Shows(fills_middle=True, hints=True),
    agents=ForAgents("Continue unfinished code with the local model (fill in the middle when a suffix is given and it "
                     "can).", "the code before the cursor.", "the code after the cursor, if any."),
    extra=Extra("suffix", "Code after the cursor (optional suffix)", "code", "--suffix", "suffix",
                "file with the code after the cursor (fill in the middle)"))
