"""The app as an MCP server: the real `mcp` SDK client over streamable HTTP against the running app."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from playground.catalog import SMALL_MODEL
from playground.checks import keep_passing
from playground.settings import reload_settings
from playground.tasks import get_task
from playground.web import ModelManager
from tests import fakes  # noqa: F401 (registers the "echo" engine)
from tests.browser import serve

pytestmark = pytest.mark.server
TOOLS = {"translate", "simplify", "debug", "complete", "tests", "explain", "check_code", "rate", "class_csv",
         "export_session", "hint", "explain_error"}


def mcp_call(url: str, calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[Any], list[Any]]:
    """List the tools, then make each call, in one MCP session: (tools, results)."""

    async def session() -> tuple[list[Any], list[Any]]:
        http = httpx.AsyncClient(timeout=httpx.Timeout(30, read=300))
        async with http, streamable_http_client(url + "gradio_api/mcp/", http_client=http) as (read, write, _):
            async with ClientSession(read, write) as client:
                await client.initialize()
                tools = (await client.list_tools()).tools
                results = [await client.call_tool(name, arguments) for name, arguments in calls]
                return tools, results

    # In a thread of its own: Playwright's sync API (the browser tests, same session) leaves a loop running here.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(session())).result()


def text(result: Any) -> str:
    return "".join(getattr(part, "text", "") for part in result.content)


@pytest.fixture(scope="module")
def public_url() -> Iterator[str]:
    """The app in public mode (as on a Space) on the bundled model."""
    with serve(ModelManager(engine="llama-cpp", model=SMALL_MODEL, public=True)) as (url, _):
        yield url


def test_the_tools_are_listed_typed_and_described(model_url: str) -> None:
    tools, _ = mcp_call(model_url, [])
    by_name = {tool.name: tool for tool in tools}
    assert set(by_name) == TOOLS  # the tabs' streaming endpoints are not tools
    translate = by_name["translate"].inputSchema
    assert translate["required"] == ["code", "target_language"]
    assert translate["properties"]["candidates"]["type"] == "integer"
    assert "language to translate into" in translate["properties"]["target_language"]["description"]
    assert by_name["simplify"].description.startswith("Rewrite code shorter and clearer")
    assert set(by_name["check_code"].inputSchema["properties"]) == {"code", "tests", "against", "language",
                                                                     "against_language", "task", "error"}


def test_translate_returns_checked_code(model_url: str) -> None:
    code = "def add(a, b):\n    return a + b\n"
    _, [result] = mcp_call(model_url, [("translate", {"code": code, "target_language": "javascript",
                                                      "source_language": "python", "max_tokens": 96})])
    assert not result.isError, text(result)
    record = json.loads(text(result))
    assert record["language"] == "javascript" and record["code"].strip() and record["stopped"] is False
    assert record["model"].startswith("SmolLM2") and record["stats"]["completion_tokens"] > 0
    assert record["checks"] is not None and record["checks"]["verdict"]  # run in the sandbox, whatever it says


def test_explain_returns_words_and_the_codes_own_run(model_url: str) -> None:
    """The tool made from the Explain task alone: prose, no code, and the code's example run in the sandbox."""
    code = "def double(x):\n    return x * 2\n\n\nprint(double(21))\n"
    tools, [result] = mcp_call(model_url, [("explain", {"code": code, "source_language": "python",
                                                        "max_tokens": 24})])
    schema = next(t for t in tools if t.name == "explain").inputSchema
    assert schema["required"] == ["code"] and "tests" not in schema["properties"]
    assert not result.isError, text(result)
    record = json.loads(text(result))
    assert record["task"] == "explain" and record["code"] == "" and record["explanation"].strip()
    assert [(i["name"], i["got"]) for i in record["checks"]["items"]] == [("the program's own output", "42"),
                                                                         ("double(21)", "42")]


def test_tests_returns_only_tests_that_pass_on_the_code(model_url: str) -> None:
    code = "def double(x):\n    return x * 2\n"
    _, [result] = mcp_call(model_url, [("tests", {"code": code, "source_language": "python", "max_tokens": 96})])
    assert not result.isError, text(result)
    record = json.loads(text(result))
    assert record["task"] == "tests" and record["checks"] is not None
    assert "def double" not in record["code"]  # tests only: the function is not copied into them
    if record["code"].strip():  # whatever the small model wrote, what was kept passes on the code, all of it
        assert keep_passing(get_task("tests").plan(code, language="python"), record["code"]).code == record["code"]


def test_bad_arguments_are_clear_tool_errors(model_url: str) -> None:
    _, results = mcp_call(model_url, [
        ("simplify", {"code": "   "}),
        ("translate", {"code": "x = 1", "source_language": "python", "target_language": "klingon"}),
        ("simplify", {"code": "x = 1", "candidates": 99}),
        ("check_code", {"code": "def f(x):\n    return x\n", "tests": "assert f(1) == 2", "language": "python"}),
    ])
    empty, unknown, too_many, failing = results
    assert empty.isError and "The code box is empty" in text(empty)
    assert unknown.isError and "Unknown language 'klingon'" in text(unknown)
    assert too_many.isError and "candidates" in text(too_many)
    for error in (empty, unknown, too_many):
        assert "Traceback" not in text(error)
    verdict = json.loads(text(failing))  # a failing check is an answer, not an error
    assert not failing.isError and verdict["verdict"] == "fail" and verdict["passed"] == 0


def test_check_code_judges_a_debug_fix_as_the_tab_does(model_url: str) -> None:
    buggy = "def last_item(items):\n    return items[len(items)]\n"
    common = {"against": buggy, "task": "debug", "error": "IndexError: list index out of range",
              "tests": "assert last_item([1, 2, 3]) == 3"}
    _, [fixed, unchanged, no_original] = mcp_call(model_url, [
        ("check_code", {"code": buggy.replace("len(items)]", "-1]"), **common}),
        ("check_code", {"code": buggy, **common}),
        ("check_code", {"code": buggy, "task": "debug"}),
    ])
    verdict = json.loads(text(fixed))
    assert verdict["verdict"] == "pass" and verdict["warnings"] >= 1  # last_item([]) still raises: a warning row
    assert "still raises IndexError on `last_item([])`: intended?" in verdict["summary"]
    assert json.loads(text(unchanged))["verdict"] == "fail"
    assert no_original.isError and "with the original as `against`" in text(no_original)


def test_the_app_keeps_serving_the_page_after_tool_errors(model_url: str) -> None:
    mcp_call(model_url, [("simplify", {"code": ""})])
    assert httpx.get(model_url, timeout=10).status_code == 200
    _, [ok] = mcp_call(model_url, [("check_code", {"code": "def f(x):\n    '''\n    >>> f(2)\n    2\n    '''\n"
                                                   "    return x\n"})])
    assert json.loads(text(ok))["verdict"] == "pass"


def test_public_mode_serves_the_same_tools_none_choosing_a_model(public_url: str) -> None:
    tools, _ = mcp_call(public_url, [])
    assert {tool.name for tool in tools} == TOOLS
    for tool in tools:
        assert not {"model", "path", "engine", "repo"} & set(tool.inputSchema["properties"])


def test_the_mcp_server_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_MCP", "0")
    reload_settings()
    with serve(ModelManager(engine="echo", model=SMALL_MODEL, public=False)) as (url, _):
        assert httpx.get(url, timeout=10).status_code == 200
        assert httpx.post(url + "gradio_api/mcp/", json={}, timeout=10).status_code == 404
