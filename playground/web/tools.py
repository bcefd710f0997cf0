"""The app's tools for programs and agents: every task and the code check as typed endpoints.

Gradio makes each function here an API endpoint (`/<task>_code`: `/translate_code`, `/simplify_code`, ...,
and `/check_code`) and, with `launch(mcp_server=True)` (PLAYGROUND_MCP), an MCP tool named after the function
(the task's name, and check_code), its parameters typed from the signature and described by the docstring.
The tasks' tools are made from the task list (signatures.py), each described by its task (Task.for_agents).
Each returns, as JSON text, the record the CLI's `--json`
prints (an MCP client gets text, and Gradio would give it a Python repr of a dict). A bad argument raises gr.Error
with the message the page would show, which an MCP client gets as a tool error.
The tools use the page's model (public mode's choice of models applies: the tools cannot pick one).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import gradio as gr
from gradio.events import api

from .. import pipeline
from ..checks import Expect, check
from ..errors import InputError, PlaygroundError
from ..languages import canonical_language
from ..limits import Limits
from ..params import GenerationParams
from ..record import new_request_id
from ..record.classroom import Asked, Classroom
from ..settings import get_settings
from ..tasks import TASKS, Request, Task
from .classroom import owner_of, surface_of
from .manager import ModelManager
from .signatures import REQUIRED, signed

MAX_TOKENS = GenerationParams.model_fields["max_tokens"].default


def _language(name: str) -> str | None:
    return None if name.strip().lower() in ("", "auto") else canonical_language(name)


def _fail(exc: PlaygroundError) -> gr.Error:
    """The page's message as the tool's error (gr.Error's text reaches the client; a traceback does not)."""
    return gr.Error(str(exc), print_exception=False)


def task_tool(manager: ModelManager, task: Task, classroom: Classroom | None = None,
              limits: Limits | None = None) -> Callable[..., str]:
    """The task as a typed tool on the manager's model, made from the task list: `code`, the task's extra input by
    its API name (required when the task needs it), `source_language`, `tests` (when the task takes tests),
    `candidates`, `policy` and `max_tokens`; it returns the answer's record."""
    words = task.for_agents
    extra = task.extra
    parameters: list[tuple[str, type, Any]] = [("code", str, REQUIRED)]
    described = [f"code: {words.code}"]
    if extra is not None:
        parameters.append((extra.api_name, str, REQUIRED if extra.required else extra.default))
        described.append(f"{extra.api_name}: {words.extra or extra.help}")
    parameters.append(("source_language", str, "auto"))
    described.append("source_language: the code's language, or auto to guess it.")
    if task.shows.tests_box:
        parameters.append(("tests", str, ""))
        described.append("tests: optional doctest (>>>) examples or assert lines the answer must pass.")
    settings = get_settings()
    parameters += [("candidates", int, settings.candidates), ("max_tokens", int, MAX_TOKENS),
                   ("policy", str, str(settings.policy))]  # last: a new parameter moves no other one
    described += [f"candidates: answers to try (1-8) until {words.until}.",
                  "max_tokens: the longest answer, in tokens.",
                  "policy: after a failed answer, repair (the model is shown what failed and fixes it), fresh (a "
                  "new sample) or mixed."]
    args = "\n".join(f"    {line}" for line in described)
    parameters.append(("request", gr.Request, None))  # Gradio's, not the tool's: who asked (the class record)

    def body(given: Mapping[str, Any]) -> str:
        asked = Asked(new_request_id(), owner_of(given["request"]), surface_of(given["request"]), task.name,
                      str(given["code"]), str(given["source_language"]))
        request: Request | None = None
        try:
            if limits is not None:
                limits.check_task(task.name, task.title)
            params = GenerationParams.build(candidates=given["candidates"], policy=given["policy"],
                                            max_tokens=given["max_tokens"])
            request = Request.build(task, given["code"], language=_language(given["source_language"]),
                                    tests=given.get("tests", ""), params=params,
                                    **task.inputs(given[extra.api_name] if extra is not None else None))
            result = pipeline.run_request(request, engine=manager.engine())
        except PlaygroundError as exc:
            if classroom is not None:
                classroom.keep(replace(asked, request=request), None, failed=True)
            raise _fail(exc) from None
        if classroom is not None:
            classroom.keep(replace(asked, request=request), result)
        return json.dumps(result.to_dict() | {"request_id": asked.request_id})

    return signed(body, task.name, f"{words.summary}\n\nArgs:\n{args}\n", parameters, str)


def task_tools(manager: ModelManager, classroom: Classroom | None = None,
               limits: Limits | None = None) -> list[Callable[..., str]]:
    """Every task's tool (translate, simplify, debug, complete, tests, ...), in the page's order."""
    return [task_tool(manager, task, classroom, limits) for task in TASKS.values()]


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


def add_tools(manager: ModelManager, limit: int, classroom: Classroom | None = None,
              limits: Limits | None = None) -> None:
    """Register the tools as endpoints of the Blocks being built (models at `limit` at once, as the tabs); each
    request is kept in the class record, within the class's limits."""
    for tool in task_tools(manager, classroom, limits):
        api(tool, api_name=f"{tool.__name__}_code", concurrency_id="model", concurrency_limit=limit)
    api(check_code, api_name="check_code", concurrency_id="sandbox", concurrency_limit=2)
