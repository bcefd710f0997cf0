"""Translate: rewrite code in another language; the original's behaviour is the expectation."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import Expect
from ..errors import InputError
from ..languages import display_name
from ..prompting import Extra
from .base import ForAgents, Task


@dataclass(frozen=True)
class Translate(Task):
    def answer_language(self, language: str, target: str | None) -> str:
        return target or language

    def refuse(self, code: str, *, language: str, target: str | None, suffix: str) -> None:
        if language == (target or language):
            raise InputError(f"Source and target language are both {display_name(language)}: pick another target.")


TRANSLATE = Translate(
    "translate", "Translate", "Rewrite code in another language.", expect=Expect.SAME_BEHAVIOUR,
    anchor="Translate this Python code to JavaScript:\n{code}",
    agents=ForAgents("Translate code into another programming language with the local model; the answer is run in a "
                     "sandbox.", "the source code to translate.",
                     "the language to translate into, e.g. javascript, rust, go."),
    extra=Extra("target", "Translate to", "language", "--to", "target_language", "target language, e.g. javascript",
                default="javascript", required=True))
