"""The class record's tables and the migrations that build them, one version at a time.

A database starts empty (version 0) and each migration takes it one version up in its own transaction, so a
record made by an older playground is brought up to date when a newer one opens it, and an empty one is built
by the same steps. The version is a row of `record_schema`. Written for SQLite (the default) and PostgreSQL
(any SQLAlchemy URL): plain types, no dialect-specific statements.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
    text,
    update,
)

metadata = MetaData()

version_table = Table("record_schema", metadata, Column("version", Integer, nullable=False))

# One row per request a student made (page, API, MCP or command line). `id` is the request_id the answer
# carries; `session` the anonymous id of the browser (or API client) that asked. `code` and `answer` stay
# empty unless the teacher turned PLAYGROUND_RECORD_CODE on.
requests = Table(
    "requests", metadata,
    Column("id", String(32), primary_key=True),
    Column("created", Float, nullable=False, index=True),  # Unix time the request ended
    Column("session", String(64), nullable=False, index=True),
    Column("surface", String(16), nullable=False),  # page, api, mcp, cli
    Column("task", String(16), nullable=False),
    Column("source_language", String(32), nullable=False),
    Column("target_language", String(32), nullable=False),  # the answer's language
    Column("model", String(200), nullable=False),
    Column("engine", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),  # done, stopped, error
    Column("verdict", String(16), nullable=False),  # the checks' status (pass, fail, ...), "" when not checked
    Column("checks_passed", Integer, nullable=False),
    Column("checks_total", Integer, nullable=False),
    Column("answers", Integer, nullable=False),  # answers the request tried
    Column("tokens", Integer, nullable=False),
    Column("seconds", Float, nullable=False),  # the whole request, checks included
    Column("first_token", Float, nullable=False),
    Column("code", Text),
    Column("answer", Text),
    # version 2
    Column("error_kind", String(64)),  # the exception named in the error message given with the code (Debug)
    Column("hint_step", Integer),  # a hint's step, when the request was a hint (the tutor's)
    Column("waited", Float),  # seconds the request waited in the model's queue before it began
    # version 3
    Column("kind", String(16)),  # answer, hint (hint_step says which), explanation (an error explained)
)

ratings = Table(
    "ratings", metadata,
    Column("request_id", String(32), ForeignKey("requests.id"), primary_key=True),
    Column("created", Float, nullable=False),
    Column("up", Boolean, nullable=False),
    Column("comment", String(300), nullable=False),
)

VERSION_1_COLUMNS = ("id", "created", "session", "surface", "task", "source_language", "target_language", "model",
                     "engine", "outcome", "verdict", "checks_passed", "checks_total", "answers", "tokens", "seconds",
                     "first_token", "code", "answer")


def _version_1(connection: Connection) -> None:
    """The first record: the version row and the requests, without what version 2 adds."""
    version_table.create(connection)
    connection.execute(insert(version_table).values(version=0))
    first = MetaData()
    Table("requests", first, *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, index=c.index)
                               for c in requests.columns if c.name in VERSION_1_COLUMNS))
    first.create_all(connection)


def _version_2(connection: Connection) -> None:
    """Ratings; per request the exception of the error message it came with, its hint step and its wait."""
    ratings.create(connection)
    for column in ("error_kind", "hint_step", "waited"):
        kind = requests.c[column].type.compile(connection.dialect)
        connection.execute(text(f"ALTER TABLE requests ADD COLUMN {column} {kind}"))


def _version_3(connection: Connection) -> None:
    """What a request was: an answer, a hint or an error explained (the tutor's); the rows before were answers,
    or hints where they have a step."""
    connection.execute(text(f"ALTER TABLE requests ADD COLUMN kind {requests.c.kind.type.compile(connection.dialect)}"))
    connection.execute(update(requests).values(kind="answer").where(requests.c.hint_step.is_(None)))
    connection.execute(update(requests).values(kind="hint").where(requests.c.hint_step.is_not(None)))


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_version_1, _version_2, _version_3)
VERSION = len(MIGRATIONS)


def version_of(connection: Connection) -> int:
    """The database's schema version (0: empty)."""
    if not inspect(connection).has_table(version_table.name):
        return 0
    return int(connection.execute(select(version_table.c.version)).scalar_one())


def migrate(engine: Engine, up_to: int = VERSION) -> int:
    """Bring the database up to version `up_to`, each migration in a transaction of its own (a migration cut
    short leaves the version before it: SQLite's DDL is transactional once the transaction is begun explicitly,
    store._sqlite_begin); returns the version it was at.

    A database newer than this playground is refused: its columns may mean what this code does not know."""
    with engine.connect() as connection:
        found = version_of(connection)
    if found > VERSION:
        raise RuntimeError(f"the class record is at schema version {found}, newer than this playground's {VERSION}: "
                           "upgrade the playground or point PLAYGROUND_RECORD_URL at another database")
    for number in range(found + 1, up_to + 1):
        with engine.begin() as connection:
            if version_of(connection) >= number:
                continue  # another process (the app, the command line) made this step first
            MIGRATIONS[number - 1](connection)
            connection.execute(update(version_table).values(version=number))
    return found
