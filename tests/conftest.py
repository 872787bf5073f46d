"""Shared fixtures: a migrated database (a SQLite file, or PostgreSQL when a URL is given), the Slack
stand-in, the real app built from settings, and a real HTTP server in front of it.

Set DEALCOACH_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres) to run every
database test against PostgreSQL: a fresh database is created for the run and dropped after it."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_client import SlackClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bot.bootstrap import Container, build
from bot.config import Settings
from bot.db import tables  # noqa: F401 - registers every table in SQLModel.metadata
from bot.db.engine import normalise_url
from bot.db.migrate import upgrade
from bot.standin import SlackStandIn
from bot.standin.llm import LLMStandIn
from bot.standin.loopback import POLL_SECONDS
from bot.web import make_wsgi

PG_ENV = "DEALCOACH_TEST_POSTGRES_URL"
SIGNING_SECRET = "test-signing-secret"
TEAM, OTHER_TEAM = "T0TEST", "T0OTHER"
REP, OTHER_REP, MANAGER = "U0REP", "U0OTHER", "U0MANAGER"
CHANNEL, ALERTS = "C0DEALS", "C0ALERTS"


def postgres_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def create_postgres_database(base_url: str) -> str:
    """A new, empty database on the server of `base_url`; returns its URL."""
    name = f"dealcoach_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(normalise_url(base_url)).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(base_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(normalise_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts): two workers a core, since half a worker's time is spent waiting on what
    it started (a server, a stalled LLM, a timeout) and another worker can use the core meanwhile. On this
    project's 2-core machines that is 4 workers: the suite takes 1.6 min instead of 1.9 on SQLite and 1.8
    instead of 2.4 on PostgreSQL. PYTEST_XDIST_AUTO_NUM_WORKERS still decides when set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()  # not on macOS
    return 2 * (cores or 1)


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if postgres_base_url() else "sqlite"


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrated once per run: a SQLite file to copy, or a PostgreSQL database to empty."""
    base = postgres_base_url()
    if base is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        upgrade(f"sqlite:///{path}")
        yield str(path)
        return
    url = create_postgres_database(base)
    upgrade(url)
    yield url
    _EMPTIER.pop(url).dispose()
    drop_postgres_database(base, url)


# One engine a run empties the PostgreSQL database with between tests.
_EMPTIER: dict[str, Engine] = {}


def empty_postgres_database(url: str) -> None:
    """Every table emptied, children first, and every id sequence back at 1. DELETE, not TRUNCATE: on tables
    this small PostgreSQL deletes in 9 ms what it takes 45 ms to truncate, and a test runs this before it."""
    engine = _EMPTIER.setdefault(url, create_engine(normalise_url(url)))
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
        sequences = connection.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))
        for sequence in sequences.scalars().all():
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture
def database_url(tmp_path: Path, _migrated_template: str) -> str:
    """A migrated, empty database for one test."""
    if postgres_base_url() is None:
        target = tmp_path / "dealcoach.db"
        shutil.copyfile(_migrated_template, target)
        return f"sqlite:///{target}"
    empty_postgres_database(_migrated_template)
    return _migrated_template


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id=TEAM) as stand_in:
        yield stand_in


def make_settings(standin: SlackStandIn, database_url: str, **extra: str) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": standin.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.base_url,
        "DATABASE_URL": database_url,
        "DEALCOACH_MANAGERS": MANAGER,
        "DEALCOACH_ALERT_CHANNEL": ALERTS,
        **extra,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(standin: SlackStandIn, database_url: str) -> Settings:
    return make_settings(standin, database_url)


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = build(settings, pace_seconds=0)
    yield built
    built.close()


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture
def server(container: Container) -> Iterator[str]:
    """The real WSGI app on a real loopback port; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, make_wsgi(container), server_class=_ThreadingServer,
                        handler_class=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def slack(server: str, standin: SlackStandIn, container: Container) -> SlackClient:
    return SlackClient(server, SIGNING_SECRET, standin, container.worker, team_id=TEAM)


@pytest.fixture
def llm(request: pytest.FixtureRequest) -> Iterator[LLMStandIn]:
    """The OpenAI-compatible stand-in over real HTTP, answering every request with the test module's `LLM_ANSWER`
    (when it has one) until a test says otherwise."""
    with LLMStandIn() as server:
        answer = getattr(request.module, "LLM_ANSWER", None)
        if answer is not None:
            server.answer(answer)
        yield server
