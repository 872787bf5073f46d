"""One scheduler per database: a PostgreSQL advisory lock, or a file lock beside a SQLite file."""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
SCHEDULER_LOCK_KEY = 0x6465616C73636864  # any fixed 64-bit number, distinct from the migration lock's


class SchedulerLock:
    """`try_acquire()` never waits; `held()` re-checks, so a lost database connection hands over the role."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._connection is not None or self._file is not None:
            return self.held()
        if self._engine.dialect.name == "postgresql":
            return self._acquire_advisory()
        return self._acquire_file()

    def held(self) -> bool:
        if self._file is not None:
            return True
        if self._connection is None:
            return False
        try:
            self._connection.exec_driver_sql("SELECT 1")
            return True
        except SQLAlchemyError:
            log.warning("lost the scheduler lock's connection; another process may take over")
            self.release()
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.exec_driver_sql(f"SELECT pg_advisory_unlock({SCHEDULER_LOCK_KEY})")
                self._connection.close()
            except SQLAlchemyError:
                pass  # the lock dies with the session anyway
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def _acquire_advisory(self) -> bool:
        connection = self._engine.connect()
        # The lock lives as long as this session: autocommit keeps the session free of open transactions.
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        got = bool(connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({SCHEDULER_LOCK_KEY})").scalar())
        if got:
            self._connection = connection
        else:
            connection.close()
        return got

    def _acquire_file(self) -> bool:
        database = make_url(str(self._engine.url)).database
        if not database or database == ":memory:":
            return True  # an in-memory database belongs to one process
        handle = open(Path(database).with_name(Path(database).name + ".scheduler.lock"), "a+")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True
