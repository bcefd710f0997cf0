"""The class record through the running app: real Gradio servers on loopback with their own SQLite file,
gradio_client as API clients (each Client is one session), the real `mcp` client, and Chromium for the page
(rating an answer, the teacher's page with and without the token; screenshots in screenshots/). The echo
engine writes the answers: these tests are about what is recorded and who may see it, not about the model."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import pytest

from playground.catalog import SMALL_MODEL
from playground.settings import reload_settings
from playground.web import ModelManager
from tests import fakes  # noqa: F401 (registers the "echo" engine)
from tests.browser import client, fill_code, serve, shot, wait_finished
from tests.test_mcp import mcp_call, text

pytestmark = pytest.mark.server
TOKEN = "class-9c-token"
SHORT = {"temperature": 0.0, "top_p": 0.95, "top_k": 40, "max_tokens": 60, "repeat_penalty": 1.1, "seed": 1,
         "candidates": 1, "policy": "fresh"}
CODE = "def double(x):\n    return x * 2\n"


@pytest.fixture(scope="module")
def class_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The page on the echo engine with an admin token and a record of its own: (url, the SQLite file)."""
    folder = tmp_path_factory.mktemp("class-data")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PLAYGROUND_DATA_DIR", str(folder))
        reload_settings()
        manager = ModelManager(engine="echo", model=SMALL_MODEL, public=False, admin_token=TOKEN)
        with serve(manager) as (url, _):
            yield url, folder / "class-record.sqlite3"
    reload_settings()


def ask(api: Any, code: str = CODE) -> dict[str, Any]:
    result: dict[str, Any] = api.predict(code=code, source_language="python", tests="", **SHORT,
                                         api_name="/simplify")[0]
    assert result["done"] and not result["error"]
    return result


def rows(database: Path, having: str = "") -> list[dict[str, Any]]:
    """The record's requests, read from its file; with `having`, waits (10 s at most) until a request with that id
    is in it: the app's writer commits a request's row moments after the answer has gone out."""
    deadline = time.monotonic() + 10
    while True:
        with sqlite3.connect(database) as db:
            db.row_factory = sqlite3.Row
            found = [dict(row) for row in db.execute("select * from requests order by created")]
        if not having or any(row["id"] == having for row in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def refused(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(Exception) as caught:  # gradio_client raises AppError with the gr.Error's words
        call(*args, **kwargs)
    return str(caught.value)


def test_an_answer_carries_its_request_id_and_only_its_asker_may_rate_it(class_app: tuple[str, Path]) -> None:
    url, database = class_app
    alice, bob = client(url), client(url)
    answer = ask(alice)
    request_id = answer["request_id"]
    mine = [row for row in rows(database, request_id) if row["id"] == request_id]
    assert len(mine) == 1 and mine[0]["task"] == "simplify" and mine[0]["surface"] == "api"
    assert mine[0]["outcome"] == "done" and mine[0]["code"] is None  # the code is not kept by default
    assert mine[0]["tokens"] == answer["stats"]["completion_tokens"]
    assert 0 <= mine[0]["waited"] < 5  # nobody else asked: it waited for nobody

    said = json.loads(alice.predict(request_id=request_id, rating="down", comment="the test it wrote is wrong",
                                    api_name="/rate"))
    assert said["kept"] and said["rating"] == "down"
    assert "only the student who asked" in refused(bob.predict, request_id=request_id, rating="up", comment="",
                                                   api_name="/rate")
    assert "no answer with that request_id" in refused(alice.predict, request_id="0" * 32, rating="up",
                                                       comment="", api_name="/rate")
    with sqlite3.connect(database) as db:
        assert db.execute("select up, comment from ratings where request_id = ?", (request_id,)).fetchall() == \
            [(0, "the test it wrote is wrong")]


def test_the_class_csv_is_the_teachers_only(class_app: tuple[str, Path]) -> None:
    url, _ = class_app
    api = client(url)
    request_id = ask(api)["request_id"]
    assert "Enter the admin token" in refused(api.predict, admin_token="", api_name="/class_csv")
    assert "That is not the admin token" in refused(api.predict, admin_token="guess", api_name="/class_csv")
    table = list(csv.DictReader(io.StringIO(api.predict(admin_token=TOKEN, api_name="/class_csv"))))
    assert request_id in [row["id"] for row in table] and {"rating", "comment", "task", "seconds"} <= set(table[0])


def test_a_session_goes_home_as_a_notebook_with_its_own_requests_only(class_app: tuple[str, Path]) -> None:
    url, _ = class_app
    alice, bob = client(url), client(url)
    ask(alice, "def triple(x):\n    return x * 3\n")
    notebook = nbformat.reads(alice.predict(format="ipynb", api_name="/export_session"), as_version=4)
    nbformat.validate(notebook)
    cells = [cell.source for cell in notebook.cells]
    assert "def triple(x):\n    return x * 3" in cells and any("Simplify (Python)" in c for c in cells)
    assert "no requests yet" in refused(bob.predict, format="md", api_name="/export_session")
    markdown = alice.predict(format="md", api_name="/export_session")
    assert markdown.startswith("# Code Playground session") and "def triple" in markdown


def test_thirty_clients_at_once_lose_no_request_and_no_rating(class_app: tuple[str, Path]) -> None:
    url, database = class_app
    before = len(rows(database))

    def student(n: int) -> str:
        api = client(url)
        request_id = str(ask(api, f"def f{n}(x):\n    return x + {n}\n")["request_id"])
        api.predict(request_id=request_id, rating="up" if n % 2 else "down", comment=f"student {n}",
                    api_name="/rate")
        return request_id

    with ThreadPoolExecutor(30) as pool:
        asked = list(pool.map(student, range(30)))
    assert len(set(asked)) == 30
    assert len(rows(database, asked[-1])) == before + 30  # a rating waits for its row: all are in
    with sqlite3.connect(database) as db:
        comments = {c for (c,) in db.execute("select comment from ratings where comment like 'student %'")}
    assert comments == {f"student {n}" for n in range(30)}


def test_the_record_tools_over_mcp_keep_the_same_rules(class_app: tuple[str, Path]) -> None:
    """Gradio's MCP server is stateless: MCP clients are one session, in which the request_id an answer carries
    proves it is the caller's (a rating of an answer asked elsewhere is refused; a whole session is not given)."""
    url, database = class_app
    elsewhere = ask(client(url))["request_id"]
    tools, results = mcp_call(url, [("simplify", {"code": CODE, "candidates": 1, "max_tokens": 40}),
                                    ("class_csv", {"admin_token": ""}), ("class_csv", {"admin_token": TOKEN}),
                                    ("export_session", {"format": "md"}),
                                    ("rate", {"request_id": elsewhere, "rating": "up"})])
    assert {"rate", "class_csv", "export_session"} <= {tool.name for tool in tools}
    answer = json.loads(text(results[0]))
    assert [row["surface"] for row in rows(database, answer["request_id"]) if row["id"] == answer["request_id"]] == \
        ["mcp"]
    assert results[1].isError and "Enter the admin token" in text(results[1])
    assert not results[2].isError and answer["request_id"] in text(results[2])
    assert results[3].isError and "pass request_ids" in text(results[3])
    assert results[4].isError and "only the student who asked" in text(results[4])
    _, named = mcp_call(url, [("rate", {"request_id": answer["request_id"], "rating": "up", "comment": "ok"}),
                              ("export_session", {"format": "md", "request_ids": answer["request_id"]})])
    assert not named[0].isError and json.loads(text(named[0]))["kept"]
    assert not named[1].isError and "def double" in text(named[1]) and "1 request(s)" in text(named[1])


@pytest.mark.browser
def test_a_student_rates_an_answer_and_the_teacher_sees_it(class_app: tuple[str, Path], open_page: Any) -> None:
    url, database = class_app
    page = open_page(url)
    page.click("#tab-simplify-button") if page.locator("#tab-simplify-button").count() else \
        page.get_by_role("tab", name="Simplify").click()
    assert "not your code" in page.inner_text("#record-policy")
    fill_code(page, "simplify-code", "def half(x):\n    return x / 2\n")
    page.click("#simplify-generate")
    wait_finished(page, "simplify")
    page.wait_for_selector("#simplify-rate-row", state="visible", timeout=30_000)
    comment = "it changed nothing <img src=x onerror=\"document.title='pwned'\">"
    page.fill("#simplify-rate-comment textarea, #simplify-rate-comment input", comment)
    page.click("#simplify-rate-down")
    page.wait_for_function("() => /Thanks/.test(document.querySelector('#simplify-rate-note')?.innerText || '')",
                           timeout=30_000)
    shot(page, "class-rated")
    mine = [row for row in rows(database) if row["surface"] == "page"]
    assert mine and mine[-1]["session"].startswith("browser-")
    with sqlite3.connect(database) as db:
        assert db.execute("select up, comment from ratings where request_id = ?", (mine[-1]["id"],)).fetchone() == \
            (0, comment)

    # a reload is the same browser: the session goes home with the answer asked before it
    page.reload()
    page.wait_for_selector("#model-card table", timeout=60_000)
    page.click("#session-download")
    page.wait_for_selector("#session-file a", timeout=30_000)
    assert ".ipynb" in page.inner_text("#session-file")

    teacher = open_page(url)
    teacher.get_by_role("tab", name="Class (teacher)").click()
    teacher.click("#class-show")
    teacher.wait_for_function("() => /Enter the admin token/.test(document.querySelector('#class-note')?.innerText"
                              " || '')", timeout=30_000)
    assert not teacher.locator("#class-ratings").is_visible()
    shot(teacher, "class-locked")
    teacher.fill("#class-token input", TOKEN)
    teacher.click("#class-show")
    teacher.wait_for_selector("#class-ratings", state="visible", timeout=30_000)
    time.sleep(1)  # the plots draw
    assert comment in teacher.inner_text("#class-ratings")  # a student's markup is text on the teacher's page
    assert teacher.locator("#class-ratings img").count() == 0 and teacher.title() != "pwned"
    assert re.match(r"\d+ requests? today, kept without their code", teacher.inner_text("#class-note"))
    assert teacher.locator("#class-by-task").is_visible() and teacher.locator("#class-csv a").count() == 1
    shot(teacher, "class-teacher")


def test_the_page_says_so_when_the_record_turns_off_while_the_app_runs(tmp_path: Path) -> None:
    from playground.record import Record
    from playground.record.classroom import Classroom
    from playground.scratch import Scratch
    from playground.web.classroom import ClassroomApp
    from tests.test_class_record import entry

    path = tmp_path / "record.sqlite3"
    Record(f"sqlite:///{path}").close()
    record = Record(f"sqlite:///file:{path}?mode=ro&uri=true")  # opens, then cannot write
    app = ClassroomApp(Classroom(record), Scratch())
    assert "not your code" in app.policy_html()  # what a page loaded now says
    record.add(entry(1))
    record.flush()
    said = app.policy_html()  # what the next page load says (demo.load refreshes it)
    assert "The class record is off" in said and "readonly database" in said and "nothing you do here" in said
