"""The class record: a database of the requests students made and the ratings they gave.

SQLite by default (one file in the data folder, WAL mode, made on the first start), or any SQLAlchemy URL
(PLAYGROUND_RECORD_URL, e.g. postgresql+psycopg://...). Writes never raise into the caller: a database that
cannot be opened or written (a read-only folder, a full disk) turns the record off with one logged line, and
the playground keeps answering. The code and the answer are kept only when the teacher turned that on.
"""

from __future__ import annotations

import atexit
import hmac
import logging
import time
import weakref
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, delete, event, func, insert, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..errors import AccessError, PlaygroundError, RecordError
from .schema import migrate, ratings, requests
from .writer import WAIT_S, Write, Writer

log = logging.getLogger(__name__)
_OPEN: weakref.WeakSet[Record] = weakref.WeakSet()

OFF = "off"
FILE_NAME = "class-record.sqlite3"
COMMENT_CHARS = 300
WRONG_TOKEN_S = 0.5


@dataclass(frozen=True)
class Entry:
    """One request as the record keeps it (the columns of `requests`)."""

    id: str
    session: str
    surface: str
    task: str
    source_language: str
    target_language: str
    model: str
    engine: str
    outcome: str
    verdict: str
    checks_passed: int
    checks_total: int
    answers: int
    tokens: int
    seconds: float
    first_token: float
    created: float = 0.0
    code: str | None = None
    answer: str | None = None
    error_kind: str | None = None
    hint_step: int | None = None
    waited: float | None = None
    kind: str = "answer"  # answer, hint, explanation


def record_url(setting: str, data_dir: Path) -> str:
    """The database's URL: PLAYGROUND_RECORD_URL, else a SQLite file in the data folder ("off" stays "off")."""
    setting = setting.strip()
    if setting.lower() == OFF:
        return OFF
    return setting or f"sqlite:///{data_dir / FILE_NAME}"


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Each SQLite connection: wait for a lock instead of failing at once (first: the switch to WAL may wait for
    one), write-ahead log (readers never wait for the writer, a crash mid-write leaves the last committed state),
    fsync at checkpoints only; and transactions begun by SQLAlchemy, not by the driver (see _sqlite_begin)."""
    connection.isolation_level = None
    cursor = connection.cursor()
    for pragma in ("busy_timeout=10000", "journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Begin each transaction explicitly, taking the write lock at once: Python's sqlite3 driver would begin one
    only before an INSERT, UPDATE or DELETE, so a migration's CREATE and ALTER would each commit on their own (a
    migration cut short would leave half a schema), and two processes building one database would race."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def sqlite_engine(url: str | URL) -> Engine:
    """An engine on a SQLite database as the record uses one: its pragmas, and transactions it begins itself."""
    engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


class Record:
    """The class record of one app: add requests, rate them, read them back for the teacher and the student.

    Writes go through one writer thread (writer.py), in batches: `add` only puts the row in line, so a request
    pays microseconds for being recorded, not a commit; `rate` waits for its write (it answers whether the
    rating was kept); reads first wait for the writes before them."""

    def __init__(self, url: str, keep_code: bool = False) -> None:
        self.url = url
        self.keep_code = keep_code
        self._engine: Engine | None = None
        self._off = "PLAYGROUND_RECORD_URL=off" if url == OFF else ""
        self._writer: Writer | None = None
        if not self._off:
            self._open()

    def _open(self) -> None:
        try:
            url = make_url(self.url)
            if url.get_backend_name() == "sqlite" and url.database:
                Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = sqlite_engine(url) if url.get_backend_name() == "sqlite" else create_engine(url,
                                                                                                  pool_pre_ping=True)
            migrate(engine)
        except ImportError as exc:  # the database's driver (SQLite's is Python's own)
            self._turn_off(f"cannot open {self.where}: its driver is not installed ({exc}; e.g. pip install "
                           "'psycopg[binary]' for postgresql+psycopg://)")
            return
        except (SQLAlchemyError, ArgumentError, OSError, RuntimeError, ValueError) as exc:
            self._turn_off(f"cannot open {self.where}: {_reason(exc)}")
            return
        self._engine = engine
        self._writer = Writer(engine, self._failed)
        _OPEN.add(self)

    @property
    def where(self) -> str:
        """The database, for messages: the SQLite file's path, else the URL without its password."""
        try:
            url = make_url(self.url)
        except ArgumentError:
            return self.url
        return url.database or "" if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)

    @property
    def on(self) -> bool:
        return self._engine is not None and not self._off

    @property
    def off_reason(self) -> str:
        """Why the record is off ("" while it is on)."""
        return self._off

    def _turn_off(self, reason: str) -> None:
        if not self._off:
            self._off = reason
            log.warning("The class record is off: %s. The playground goes on answering without it.", reason)

    def _failed(self, exc: BaseException) -> PlaygroundError:
        """A write failed in the database: the record turns off; what the batch's writes raise."""
        self._turn_off(f"cannot write to {self.where}: {_reason(exc)}")
        return RecordError(f"It was not kept: {self.policy()}")

    def _put(self, write: Write) -> Future[None] | None:
        """Put a write in line; None when the record is off or too far behind to take it."""
        return self._writer.put(write) if self._writer is not None and self.on else None

    def add(self, entry: Entry) -> bool:
        """Put one request in line to be kept (its code and answer only when the teacher turned that on); never
        raises, never waits for the database: a failed write turns the record off. Returns whether it was put in
        line (False: the record is off)."""
        row = _fitted(asdict(entry) | {"created": entry.created or time.time()})
        if not self.keep_code:
            row |= {"code": None, "answer": None}
        return self._put(lambda connection: _insert(connection, row)) is not None

    def rate(self, request_id: str, session: str, up: bool, comment: str = "") -> None:
        """Keep a student's rating of one of their own answers (a second rating replaces the first); waits for
        it to be written.

        Raises RecordError when the record is off or knows no such request, AccessError when the request is
        another session's."""
        comment = " ".join(comment.split())[:COMMENT_CHARS]

        def write(connection: Connection) -> None:
            owner = connection.execute(select(requests.c.session).where(requests.c.id == request_id)).scalar()
            if owner is None:
                raise RecordError("The class record has no answer with that request_id (an answer is recorded "
                                  "when it ends; a stopped or failed one is too).")
            if owner != session:
                raise AccessError("That answer was asked for in another session: only the student who asked "
                                  "for an answer can rate it.")
            connection.execute(delete(ratings).where(ratings.c.request_id == request_id))
            connection.execute(insert(ratings).values(request_id=request_id, created=time.time(), up=up,
                                                      comment=comment))

        done = self._put(write)
        if done is None:
            raise RecordError(f"The rating was not kept: {self.policy()}")
        try:
            done.result(WAIT_S)
        except TimeoutError:
            raise RecordError(f"The rating was not kept: the class record did not answer in {WAIT_S:.0f} s (the "
                              "database is busy); try again.") from None

    def flush(self) -> None:
        """Wait until every write put in line before now is done (or failed)."""
        if self._writer is not None and self.on:
            self._writer.flush()

    def rows(self, since: float = 0.0, session: str | None = None) -> list[dict[str, Any]]:
        """The requests since a time (Unix seconds), oldest first, each with its rating (`rating`: up, down or
        "", `comment`); one session's only when given. Writes put in line before are in it."""
        if self._engine is None:
            return []
        self.flush()
        query = (select(requests, ratings.c.up, ratings.c.comment)
                 .outerjoin(ratings, ratings.c.request_id == requests.c.id)
                 .where(requests.c.created >= since).order_by(requests.c.created))
        if session is not None:
            query = query.where(requests.c.session == session)
        try:
            with self._engine.connect() as connection:
                found = connection.execute(query).mappings().all()
        except SQLAlchemyError as exc:
            raise RecordError(f"The class record cannot be read ({_reason(exc)}).") from None
        return [_with_rating(dict(row)) for row in found]

    def count(self) -> int:
        """How many requests the record holds."""
        if self._engine is None:
            return 0
        self.flush()
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(requests)).scalar_one())

    def policy(self) -> str:
        """What the record keeps, in a sentence for the page."""
        if not self.on:
            return f"The class record is off ({self._off}): nothing you do here is recorded."
        if self.keep_code:
            return ("The class record keeps each request with its code and answer (the teacher turned "
                    "PLAYGROUND_RECORD_CODE on).")
        return ("The class record keeps each request's task, languages, checks and timing, and your ratings; "
                "not your code or the answer.")

    def close(self) -> None:
        """Write what is in line, stop the writer and let the database go."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        _OPEN.discard(self)
        if self._engine is not None:
            self._engine.dispose()


def _fitted(row: dict[str, Any]) -> dict[str, Any]:
    """The row with each text cut to its column's width (PostgreSQL refuses a longer one, and a batch with it)."""
    for column in requests.columns:
        width = getattr(column.type, "length", None)
        if width and isinstance(row.get(column.name), str):
            row[column.name] = row[column.name][:width]
    return row


def _insert(connection: Connection, row: dict[str, Any]) -> None:
    connection.execute(insert(requests).values(**row))


@atexit.register
def _close_open() -> None:
    """At exit, the requests still in line are written (a kill loses them: at most the last few milliseconds)."""
    for record in list(_OPEN):
        record.close()


def _with_rating(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    up = out.pop("up")
    out["rating"] = "" if up is None else ("up" if up else "down")
    out["comment"] = out.get("comment") or ""
    return out


def _reason(exc: BaseException) -> str:
    """The error's own words, first line (SQLAlchemy adds the statement and a link below it)."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def check_admin(token: str, configured: str) -> None:
    """Refuse a teacher's page or setting without the admin token (compared in constant time)."""
    if not configured:
        raise AccessError("The teacher's page needs an admin token: start the app with PLAYGROUND_ADMIN_TOKEN set "
                          "to a secret of your choice, then enter it here.")
    if not token.strip():
        raise AccessError("Enter the admin token (PLAYGROUND_ADMIN_TOKEN) to see the teacher's page.")
    if not hmac.compare_digest(token.strip().encode(), configured.encode()):
        time.sleep(WRONG_TOKEN_S)  # a guesser's every try costs this long
        raise AccessError("That is not the admin token. Ask whoever runs this app for it (they set it as "
                          "PLAYGROUND_ADMIN_TOKEN).")
