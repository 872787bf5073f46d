"""SQLite's WAL checkpoints on a thread of their own, so that no request waits for one.

Left to itself, SQLite checkpoints inside the COMMIT that takes the WAL past 1,000 pages: that commit copies
the pages back into the database file and syncs both files, several milliseconds on this kind of machine, while
its request waits and, here, every other writer of the process waits for the write turn it still holds. A
concession writes about fourteen pages, so that was about one in seventy: `bench/request_cpu.py` timed a
concession's p99.9 at 7.3 ms with checkpoints in the commits and 2.4 to 3.5 ms without them.

The checkpointer runs a PASSIVE checkpoint every `interval` seconds on its own connection instead (a PASSIVE
checkpoint neither waits for nor blocks readers and writers), and the connections requests use checkpoint only
as a backstop, once the WAL holds `backstop_pages` pages, should the thread fall behind or stop.

Durability is unchanged or better. With `synchronous=NORMAL` a commit is certain to be on the disk once a
checkpoint has synced the WAL: left to itself SQLite does that every 1,000 pages however long they take to come,
the checkpointer within `interval` seconds of the commit.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, event

from bot.db.engine import sqlite_file

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 0.1
BACKSTOP_PAGES = 10_000  # 40 MB of WAL at SQLite's default page size
_HANDED_OVER = "dealcoach_checkpoints_handed_over"


def checkpointer_for(engine: Engine, **options: Any) -> WalCheckpointer | None:
    """The checkpointer of an engine's SQLite file, its connections handing their checkpoints over to it while it
    runs; None for PostgreSQL (its checkpoints are the server's) and for a database in memory (it has no WAL)."""
    path = sqlite_file(engine.url)
    if path is None:
        return None
    checkpointer = WalCheckpointer(path, **options)

    @event.listens_for(engine, "checkout")
    def _hand_over(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # On checkout rather than on connect: the pool may hold connections made before the thread started.
        if checkpointer.running and not record.info.get(_HANDED_OVER):
            checkpointer.hand_over(dbapi_connection)
            record.info[_HANDED_OVER] = True

    return checkpointer


class WalCheckpointer:
    """Checkpoints one SQLite file's WAL every `interval` seconds while started. One per process: several
    processes' checkpointers do not get in each other's way (one runs at a time, the others find it busy)."""

    def __init__(self, path: str, *, interval: float = INTERVAL_SECONDS, backstop_pages: int = BACKSTOP_PAGES) -> None:
        self._path, self._interval, self._backstop = path, interval, backstop_pages
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def hand_over(self, connection: Any) -> None:
        """Leaves a connection's checkpoints to this thread, but for the backstop."""
        connection.execute(f"PRAGMA wal_autocheckpoint={self._backstop}")

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="wal-checkpointer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ends the thread after one last checkpoint; the connections keep their backstop until they close."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint on a connection of its own: (busy, pages in the WAL, pages copied back).
        Busy is 1 when another connection was checkpointing: this one skipped, that one does the work."""
        connection = self._connect()
        try:
            return _checkpoint(connection)
        finally:
            connection.close()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)

    def _loop(self) -> None:
        connection = self._connect()
        try:
            while True:
                stopping = self._stop.wait(self._interval)
                try:
                    _checkpoint(connection)
                except sqlite3.Error:
                    # Commits checkpoint at the backstop meanwhile; say so, and try again.
                    log.exception("WAL checkpoint failed; trying again in %s s", self._interval)
                if stopping:
                    return
        finally:
            connection.close()


def _checkpoint(connection: sqlite3.Connection) -> tuple[int, int, int]:
    busy, in_wal, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return busy, in_wal, copied
