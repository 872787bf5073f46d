"""How long a request-serving process waits on PostgreSQL, each way it can wait, so a database that stops
answering without refusing connections (a network partition) costs a request "try again", not its life.

Slack gives a request 3 seconds. The bounds, for the engine `bootstrap.build` makes (requests, the outbox worker
and the scheduler's sweeps share it):

- a free pooled connection: POOL_TIMEOUT_S (a request holds one for milliseconds; waiting longer means overload);
- a new connection: CONNECT_TIMEOUT_S (libpq's `connect_timeout`, whole seconds, at least 2; psycopg enforces it);
- a pooled connection idle a while is pinged first, within PING_WAIT_S, and replaced when it does not answer;
- a row lock: the server's `lock_timeout` (engine.REQUEST_LOCK_TIMEOUT_MS), which ends the statement cleanly;
- any one answer from the server: ANSWER_WAIT_S, kept just above the lock timeout so a lock wait ends with the
  server's own error first. The server's `statement_timeout` cannot help here: when the network is gone its
  error never arrives. Nor can TCP's own timeouts (`tcp_user_timeout`, keepalives): a partition that still
  acknowledges packets (a stalled proxy, a hung server) never trips them. So the client bounds its own wait:
  psycopg runs every exchange with the server (a query, a commit, a rollback) through `Connection.wait`, which
  takes a timeout; `BoundedConnection` gives it one, and closes a connection that ran out of it (it is in the
  middle of an exchange, unusable). SQLAlchemy then sees a closed connection and discards it from the pool,
  so the process recovers by itself when the database answers again.

The worst cases fit inside 3 s: an idle connection pinged and replaced takes PING_WAIT_S + CONNECT_TIMEOUT_S =
2.5 s; a connection in use, ANSWER_WAIT_S = 2.6 s; either after waiting for a free connection at most 0.3 s more
(only when every connection is busy, which a worker's default 4 threads cannot cause).

Longer bounds: migrations and `dealcoach export` make their own engine without these (they may take minutes); a
statement of a background job that may read much (the worker's export) waits up to JOB_WAIT_S
(`waiting_at_most`). On the normal path the bound costs about half a microsecond per exchange (one more Python
call; psycopg's wait loop handles a deadline anyway), a few microseconds of a request's milliseconds.

Caveat: a client that gives up cannot know whether the server received what it sent. A request's first round
trip is a read, so a partition that starts before it records nothing; one that starts between a move's read
and its write's answer may have written it though the user is told nothing changed (`/deal status` shows it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors
from sqlalchemy import Connection, Engine, event

POOL_TIMEOUT_S = 0.3
CONNECT_TIMEOUT_S = 2  # libpq's minimum: a lower value is taken as 2
PING_WAIT_S = 0.5
ANSWER_WAIT_S = 2.6
JOB_WAIT_S = 60.0


class BoundedConnection(psycopg.Connection[Any]):
    """A psycopg connection that waits at most `answer_wait` seconds for any one exchange with the server, and
    closes itself when that runs out (it cannot be used afterwards: the server's answer may still come)."""

    answer_wait: float | None = ANSWER_WAIT_S

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        if timeout is not None or self.answer_wait is None:  # a caller's own timeout (`notifies`) is its to handle
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, self.answer_wait)
        except errors._WaitTimeout as exc:  # psycopg's own, raised by the timeout given above
            self.close()
            raise psycopg.OperationalError(
                f"the database did not answer within {self.answer_wait} s; connection closed") from exc


def bound_waits(engine: Engine) -> None:
    """The engine's new connections are `BoundedConnection`s (SQLAlchemy's `do_connect` hook, same arguments)."""

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> BoundedConnection:
        return BoundedConnection.connect(*cargs, **cparams)


@contextmanager
def waiting_at_most(connection: Connection | Any, seconds: float) -> Iterator[None]:
    """Inside the block, the connection (SQLAlchemy's or psycopg's) waits up to `seconds` for each answer
    instead of its usual bound; a connection without one (SQLite, a migration's) is left as it is."""
    driver = connection.connection.driver_connection if isinstance(connection, Connection) else connection
    if not isinstance(driver, BoundedConnection):
        yield
        return
    usual, driver.answer_wait = driver.answer_wait, seconds
    try:
        yield
    finally:
        driver.answer_wait = usual
