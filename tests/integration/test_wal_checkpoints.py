"""SQLite's WAL checkpoints run on the checkpointer's thread, not inside the commits requests make."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.db.checkpoint import WalCheckpointer, checkpointer_for
from bot.db.engine import make_engine

PAGE = 4096
FRAME = PAGE + 24  # a WAL frame: one page and its header
AUTOCHECKPOINT_PAGES = 1000  # SQLite's default


@pytest.fixture
def engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE blob (id INTEGER PRIMARY KEY, body BLOB)"))
    yield engine
    engine.dispose()


def _checkpointer(engine: Engine, **options: float) -> WalCheckpointer:
    checkpointer = checkpointer_for(engine, **options)
    assert checkpointer is not None
    return checkpointer


@contextmanager
def _running(engine: Engine, **options: float) -> Iterator[WalCheckpointer]:
    checkpointer = _checkpointer(engine, **options)
    checkpointer.start()
    try:
        yield checkpointer
    finally:
        checkpointer.stop()


def _write_pages(engine: Engine, pages: int) -> None:
    """About `pages` pages of new rows, in commits of 50 rows of a page each, as requests would write them."""
    for _ in range(pages // 50):
        with engine.begin() as connection:
            for _ in range(50):
                connection.execute(text("INSERT INTO blob (body) VALUES (randomblob(3900))"))


def _wal_pages(engine: Engine) -> int:
    """Pages the WAL has held since it last started over (a checkpointed WAL is written again from its start)."""
    return (os.path.getsize(f"{engine.url.database}-wal") - 32) // FRAME


def _database_pages(engine: Engine) -> int:
    assert engine.url.database is not None, "a database file"
    return os.path.getsize(engine.url.database) // PAGE


def test_without_the_checkpointer_a_commit_past_a_thousand_pages_checkpoints(engine) -> None:
    _write_pages(engine, 2000)

    assert _wal_pages(engine) < AUTOCHECKPOINT_PAGES * 1.2
    assert _database_pages(engine) >= AUTOCHECKPOINT_PAGES


def test_with_the_checkpointer_started_commits_leave_the_checkpoint_to_it(engine) -> None:
    with _running(engine, interval=3600) as checkpointer:  # it only checkpoints when asked here
        _write_pages(engine, 2000)

        assert _wal_pages(engine) >= 1900
        assert _database_pages(engine) < 100
        busy, in_wal, copied = checkpointer.checkpoint()
        assert (busy, copied) == (0, in_wal)
        assert _database_pages(engine) >= 1900


def test_the_checkpointer_copies_commits_back_within_its_interval(engine) -> None:
    with _running(engine, interval=0.02):
        _write_pages(engine, 500)  # under SQLite's own threshold: without the thread, no checkpoint yet
        deadline = time.monotonic() + 5
        while _database_pages(engine) < 450 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _database_pages(engine) >= 450


def test_commits_checkpoint_at_the_backstop_when_the_checkpointer_falls_behind(engine) -> None:
    with _running(engine, interval=3600, backstop_pages=300):
        _write_pages(engine, 1500)

        assert _wal_pages(engine) < 300 * 1.5
        assert _database_pages(engine) >= 1000


def test_stopping_checkpoints_once_more_and_ends_the_thread(engine) -> None:
    checkpointer = _checkpointer(engine, interval=3600)
    checkpointer.start()
    _write_pages(engine, 300)

    checkpointer.stop()

    assert _database_pages(engine) >= 300
    assert not any(thread.name == "wal-checkpointer" and thread.is_alive() for thread in threading.enumerate())


def test_only_an_sqlite_file_has_a_wal_to_checkpoint(engine) -> None:
    assert checkpointer_for(engine) is not None
    assert checkpointer_for(make_engine("sqlite://")) is None
    assert checkpointer_for(make_engine("postgresql://nobody@127.0.0.1:1/none")) is None  # builds, never connects


def test_the_container_checkpoints_sqlite_in_the_background(container, backend) -> None:
    assert (container.checkpointer is not None) == (backend == "sqlite")
