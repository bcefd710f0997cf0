"""The app's tools for programs and agents: the five tasks and the code check as typed endpoints.

Gradio makes each function here an API endpoint (`/translate_code`, `/simplify_code`, `/debug_code`,
`/complete_code`, `/check_code`) and, with `launch(mcp_server=True)` (PLAYGROUND_MCP), an MCP tool named
after the function (translate, simplify, debug, complete, check_code), its parameters typed from the
signature and described by the docstring. Each returns, as JSON text, the record the CLI's `--json`
prints (an MCP client gets text, and Gradio would give it a Python repr of a dict). A bad
argument raises gr.Error with the message the page would show, which an MCP client gets as a tool error.
The tools use the page's model (public mode's choice of models applies: the tools cannot pick one).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import gradio as gr
from gradio.events import api

from .. import pipeline
from ..checks import Expect, check
from ..errors import InputError, PlaygroundError
from ..languages import canonical_language
from ..params import GenerationParams
from ..tasks import TASKS
from .manager import ModelManager

MAX_TOKENS = GenerationParams.model_fields["max_tokens"].default


def _language(name: str) -> str | None:
    return None if name.strip().lower() in ("", "auto") else canonical_language(name)


def _fail(exc: PlaygroundError) -> gr.Error:
    """The page's message as the tool's error (gr.Error's text reaches the client; a traceback does not)."""
    return gr.Error(str(exc), print_exception=False)


def task_tools(manager: ModelManager) -> list[Callable[..., str]]:
    """translate, simplify, debug, complete and tests on the manager's model, returning the answer's record."""

    def run(task: str, code: str, language: str, tests: str, candidates: int, max_tokens: int,
            target: str = "", error: str = "", suffix: str = "") -> str:
        try:
            params = GenerationParams.build(candidates=candidates, max_tokens=max_tokens)
            result = pipeline.run(task, code, language=_language(language), params=params, tests=tests,
                                  engine=manager.engine(), target=target or None, error=error, suffix=suffix)
        except PlaygroundError as exc:
            raise _fail(exc) from None
        return json.dumps(result.to_dict())

    def translate(code: str, target_language: str, source_language: str = "auto", tests: str = "",
                  candidates: int = 1, max_tokens: int = MAX_TOKENS) -> str:
        """Translate code into another programming language with the local model; the answer is run in a sandbox.

        Args:
            code: the source code to translate.
            target_language: the language to translate into, e.g. javascript, rust, go.
            source_language: the code's language, or auto to guess it.
            tests: optional doctest (>>>) examples or assert lines the answer must pass.
            candidates: answers to try (1-8) until one passes its checks.
            max_tokens: the longest answer, in tokens.
        """
        return run("translate", code, source_language, tests, candidates, max_tokens, target=target_language)

    def simplify(code: str, source_language: str = "auto", tests: str = "", candidates: int = 1,
                 max_tokens: int = MAX_TOKENS) -> str:
        """Rewrite code shorter and clearer with the local model, keeping its behaviour (checked against the original).

        Args:
            code: the code to simplify.
            source_language: the code's language, or auto to guess it.
            tests: optional doctest (>>>) examples or assert lines the answer must pass.
            candidates: answers to try (1-8) until one keeps the original's behaviour.
            max_tokens: the longest answer, in tokens.
        """
        return run("simplify", code, source_language, tests, candidates, max_tokens)

    def debug(code: str, error_message: str = "", source_language: str = "auto", tests: str = "",
              candidates: int = 1, max_tokens: int = MAX_TOKENS) -> str:
        """Find and fix a bug in code with the local model, optionally given the error message it raised.

        Args:
            code: the code with a bug.
            error_message: the error or traceback it gave, if any.
            source_language: the code's language, or auto to guess it.
            tests: optional doctest (>>>) examples or assert lines the fixed code must pass.
            candidates: answers to try (1-8) until one passes its checks.
            max_tokens: the longest answer, in tokens.
        """
        return run("debug", code, source_language, tests, candidates, max_tokens, error=error_message)

    def complete(code: str, suffix: str = "", source_language: str = "auto", tests: str = "",
                 candidates: int = 1, max_tokens: int = MAX_TOKENS) -> str:
        """Continue unfinished code with the local model (fill in the middle when a suffix is given and it can).

        Args:
            code: the code before the cursor.
            suffix: the code after the cursor, if any.
            source_language: the code's language, or auto to guess it.
            tests: optional doctest (>>>) examples or assert lines the completed code must pass.
            candidates: answers to try (1-8) until one passes its checks.
            max_tokens: the longest answer, in tokens.
        """
        return run("complete", code, source_language, tests, candidates, max_tokens, suffix=suffix)

    def tests(code: str, source_language: str = "auto", candidates: int = 1, max_tokens: int = MAX_TOKENS) -> str:
        """Write tests for code with the local model: each runs on the code in a sandbox and is kept only if it passes.

        The record's checks.strength says how many bugs planted in the code the kept tests catch.

        Args:
            code: the code to write tests for (Python and JavaScript tests run; other languages get a syntax check).
            source_language: the code's language, or auto to guess it.
            candidates: answers to try (1-8) until one keeps a test that catches a planted bug.
            max_tokens: the longest answer, in tokens.
        """
        return run("tests", code, source_language, "", candidates, max_tokens)

    return [translate, simplify, debug, complete, tests]


def check_code(code: str, tests: str = "", against: str = "", language: str = "python",
               against_language: str = "", task: str = "", error: str = "") -> str:
    """Run code in a WebAssembly sandbox against its >>> examples, the tests, and the original's behaviour; no model.

    Args:
        code: the code to check (Python, JavaScript and TypeScript run; other languages get a syntax check).
        tests: optional doctest (>>>) examples or assert lines.
        against: optional original code whose behaviour the code must keep (results compared on the same inputs).
        language: the code's language.
        against_language: the original's language, if it differs (Python to JavaScript).
        task: optional "debug" when the code is a fix of `against`, judged as the Debug tab judges it.
        error: with task "debug": the error message or traceback the original gave.
    """
    try:
        judged = [n for n, t in TASKS.items() if t.expect is not Expect.OWN_CHECKS]
        if task and (task not in judged or not against):
            raise InputError(f"task must be one of {', '.join(judged)}, with the original as `against`.")
        verdict = check(code, language=canonical_language(language), tests=tests, against=against or None,
                        against_language=canonical_language(against_language) if against_language else None,
                        expect=TASKS[task].expect if task else None, error=error)
    except PlaygroundError as exc:
        raise _fail(exc) from None
    return json.dumps(verdict.to_dict())


def add_tools(manager: ModelManager, limit: int) -> None:
    """Register the tools as endpoints of the Blocks being built (models at `limit` at once, as the tabs)."""
    for tool in task_tools(manager):
        api(tool, api_name=f"{tool.__name__}_code", concurrency_id="model", concurrency_limit=limit)
    api(check_code, api_name="check_code", concurrency_id="sandbox", concurrency_limit=2)
