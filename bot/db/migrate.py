"""Runs `alembic upgrade head` under a lock, so replicas that start together migrate once."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from bot.db.engine import make_engine, normalise_url

ROOT = Path(__file__).resolve().parents[2]
# Any fixed 64-bit number: PostgreSQL advisory locks are keyed by it, per database.
MIGRATION_LOCK_KEY = 0x6465616C636F6163


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = normalise_url(database_url)
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str) -> None:
    """Brings the database to the newest revision; safe when several processes call it at once."""
    engine = make_engine(database_url)
    try:
        with _migration_lock(engine, database_url) as connection:
            config = alembic_config(database_url)
            if connection is not None:
                config.attributes["connection"] = connection
            command.upgrade(config, "head")
            if connection is not None:
                connection.commit()
    finally:
        engine.dispose()
    logging.getLogger(__name__).info("database at the newest revision")


@contextmanager
def _migration_lock(engine: Engine, database_url: str) -> Iterator[Connection | None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
                connection.commit()
        return
    database = make_url(normalise_url(database_url)).database
    if not database or database == ":memory:":
        yield None
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate.lock")
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield None
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
