"""The class record's writer: one thread that commits the writes put in line, many to a transaction.

A request pays for putting its row in line (microseconds), never for a commit; a write that must answer (a
rating: kept or refused) waits for its Future. A write refuses (raises a PlaygroundError) before it changes
anything, so the others of its batch are committed. An error of the database itself (read-only, full, gone:
OperationalError) fails the batch and is handed to `failed`, which turns the record off; a write the database
refuses (a constraint) is retried alone, so only it fails.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import PlaygroundError, RecordError

log = logging.getLogger(__name__)

BATCH = 200  # writes committed together at most
PENDING = 10_000  # writes waiting at most; beyond, a request goes unrecorded (said once) rather than wait
PUT_WAIT_S = 1.0
WAIT_S = 30.0  # the longest a rating or a read waits for the writes before it
Write = Callable[[Connection], None]


class Writer:
    """The thread that writes to one database, and its line of writes."""

    def __init__(self, engine: Engine, failed: Callable[[BaseException], PlaygroundError]) -> None:
        self._engine = engine
        self._failed = failed  # a database error -> what each write of the failed batch raises
        self._pending: queue.Queue[tuple[Write, Future[None]] | None] = queue.Queue(PENDING)
        self._behind = False
        self._thread: threading.Thread | None = threading.Thread(target=self._run, name="class-record-writer",
                                                                 daemon=True)
        self._thread.start()

    def put(self, write: Write) -> Future[None] | None:
        """Put a write in line; None when the line is full (the database is too far behind)."""
        done: Future[None] = Future()
        try:
            self._pending.put((write, done), timeout=PUT_WAIT_S)
        except queue.Full:
            if not self._behind:
                self._behind = True
                log.warning("The class record's writer is %d writes behind: requests beyond that are not "
                            "recorded until it catches up.", PENDING)
            return None
        return done

    def flush(self, timeout: float = WAIT_S) -> None:
        """Wait until every write put in line before now is done (or failed), `timeout` seconds at most."""
        done = self.put(lambda connection: None)
        if done is not None:
            try:
                done.result(timeout)
            except PlaygroundError:
                pass  # the batch failed: the record has turned off, and nothing is left in line
            except TimeoutError:
                log.warning("The class record's writer did not catch up in %.0f s.", timeout)

    def close(self) -> None:
        """Write what is in line, then stop."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._pending.put(None)
            thread.join(WAIT_S)

    def _run(self) -> None:
        while True:
            first = self._pending.get()
            if first is None:
                return
            batch, stop = [first], False
            while len(batch) < BATCH:
                try:
                    item = self._pending.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            try:
                self._commit(batch)
            except Exception as exc:  # a bug must not leave the writer dead and every Future waiting for ever
                log.exception("The class record's writer failed")
                error = self._failed(exc)
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            if stop:
                return

    def _commit(self, batch: list[tuple[Write, Future[None]]]) -> None:
        refused: dict[int, PlaygroundError] = {}
        try:
            with self._engine.begin() as connection:
                for n, (write, _) in enumerate(batch):
                    try:
                        write(connection)
                    except PlaygroundError as exc:
                        refused[n] = exc
        except (OperationalError, OSError) as exc:  # the database itself: read-only, full, gone
            error = self._failed(exc)
            for _, done in batch:
                done.set_exception(error)
            return
        except SQLAlchemyError as exc:  # one write the database refused (a constraint, a width): the others stay
            if len(batch) > 1:
                for item in batch:
                    self._commit([item])
                return
            log.warning("The class record refused a write: %s", str(getattr(exc, "orig", exc)).splitlines()[0])
            batch[0][1].set_exception(RecordError("The class record refused this write."))
            return
        for n, (_, done) in enumerate(batch):
            if n in refused:
                done.set_exception(refused[n])
            else:
                done.set_result(None)
