"""Translate: rewrite code in another language; the original's behaviour is the expectation."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import Expect
from ..errors import InputError
from ..languages import canonical_language, display_name
from ..lint import Finding
from ..models import ModelInfo
from ..prompting import Extra, Prompt
from .base import Task


@dataclass(frozen=True)
class Translate(Task):
    def answer_language(self, language: str, target: str | None) -> str:
        return target or language

    def prompt(self, code: str, info: ModelInfo, *, source: str, target: str | None = None, error: str = "",
               suffix: str = "", findings: list[Finding] | None = None) -> Prompt:
        if canonical_language(source) == canonical_language(target or source):
            raise InputError(f"Source and target language are both {display_name(canonical_language(source))}: "
                             "pick another target.")
        return super().prompt(code, info, source=source, target=target, error=error, suffix=suffix,
                              findings=findings)


TRANSLATE = Translate(
    "translate", "Translate", "Rewrite code in another language.", expect=Expect.SAME_BEHAVIOUR,
    extra=Extra("target", "Translate to", "language", "--to", "target_language", "target language, e.g. javascript",
                default="javascript", required=True))
