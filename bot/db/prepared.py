"""The hot statements, compiled once per database by SQLAlchemy and run on the driver's own cursor.

Every `/deal` move runs four to six statements. Through `Connection.execute` each one costs SQLAlchemy's
execution context, events and result objects, 60 to 120 µs: more than SQLite takes to run it, and on SQLite it
is spent while holding the database's one write lock. A `Prepared` keeps what SQLAlchemy compiled (the SQL text,
the parameter order and each type's bind and result conversions, all public type API) and runs it on the
DBAPI cursor of the unit of work's connection, inside the transaction the unit of work began, so a change is
still committed or rolled back with everything else. Driver errors come out as SQLAlchemy's own exception
classes, as callers expect, and a connection the database dropped is invalidated as SQLAlchemy would."""

from __future__ import annotations

import copy
import functools
import re
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Dialect, TextClause, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import SelectBase

Processor = Callable[[Any], Any]


class Prepared:
    """One statement compiled for one dialect; `column_keys`: the columns an INSERT or UPDATE gets values for."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None = None) -> None:
        compiled = statement.compile(dialect=_positional(dialect),
                                     column_keys=list(column_keys) if column_keys else None)
        assert isinstance(compiled, SQLCompiler), "a SELECT, INSERT or UPDATE compiles to SQL"
        self.sql = compiled.string
        self._order: tuple[str, ...] = tuple(compiled.positiontup or ())
        binds = compiled.binds.items()  # by the name rendered in the SQL (an anonymous one's too)
        # Values fixed in the statement (a literal compared with a column) are parameters too.
        self._fixed = {name: bind.effective_value for name, bind in binds if not bind.required}
        self._convert = {name: convert for name, bind in binds
                         if (convert := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None}
        self._dialect = dialect
        self._row: Callable[[Iterable[Any]], Any] | None = None  # makes a named row from its values
        self._types: list[Any] = []
        self._results: list[Processor | None] | None = None  # known at the first result (see `row`)
        if isinstance(statement, SelectBase):
            columns = list(statement.selected_columns)
            self._row = _named_rows([column.name for column in columns])
            self._types = [column.type.dialect_impl(dialect) for column in columns]

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The driver's parameters for `values` (and the statement's fixed ones), in order, converted as SQLAlchemy
        would."""
        given = {**self._fixed, **values} if self._fixed else dict(values)
        for key, convert in self._convert.items():
            if key in given:
                given[key] = convert(given[key])
        return tuple([given[key] for key in self._order])

    def row(self, raw: Sequence[Any], description: Sequence[Sequence[Any]]) -> Any:
        """A fetched row with its columns converted and named (attribute access, like a Core row).
        `description`: the cursor's; a conversion may depend on the type the driver reports (psycopg's
        numerics), which is the same for every execution of one statement."""
        assert self._row is not None, "only a SELECT has rows"
        if self._results is None:
            self._results = [kind.result_processor(self._dialect, column[1])
                             for kind, column in zip(self._types, description, strict=True)]
        return self._row(value if convert is None else convert(value)
                         for value, convert in zip(raw, self._results, strict=True))


def _named_rows(names: list[str]) -> Callable[[Iterable[Any]], Any]:
    """Makes a row (a named tuple) from its values."""
    # mypy checks a namedtuple only with its field names written out; these are known at run time.
    row = namedtuple("Row", names)  # type: ignore[misc]
    return row._make


@functools.cache  # one per engine's dialect
def _positional(dialect: Dialect) -> Dialect:
    """The dialect to compile the hot statements with. PostgreSQL's renders PostgreSQL's own `$1` placeholders,
    which psycopg's raw cursor sends as they are: with its usual `%(name)s` ones, psycopg parses the SQL again on
    every run once it is over 4,096 characters or 50 parameters, as a move's batched writes are (a tenth of a
    PostgreSQL concession's CPU). SQLite's is positional already."""
    if dialect.name != "postgresql":
        return dialect
    positional = copy.copy(dialect)  # as the engine set it up when it connected (server version and all)
    positional.paramstyle, positional.positional = "numeric_dollar", True
    return positional


RowCheck = Callable[[int], None]
# What a batched write's WHERE says where it applies only if the batch's first write changed a row (`guard()`).
GUARD_SQL = "(1 = 1 /* guard */)"


def guard() -> TextClause:
    """In a write's WHERE: always true when the write runs on its own; in a guarded PostgreSQL batch
    (one whose first write `guards`), "the batch's first write changed a row" (see `_as_one`)."""
    return text(GUARD_SQL)


class _Waiting(NamedTuple):
    """A write held back in a batch: its statement, its driver parameters, what gets its row count, and the
    index of the batch's write that must have changed no row for this one to apply (`write_else`)."""

    prepared: Prepared
    parameters: Any
    check: RowCheck | None
    unless: int | None = None


class Runner:
    """Runs prepared statements on one SQLAlchemy connection's driver connection, in its transaction.

    `begin`: called before each statement, to begin what the unit of work wants begun (see `UnitOfWork`); without
    it, the SQLAlchemy connection's own transaction is begun if none is (the engine's BEGIN, see engine.py).

    In a batch on PostgreSQL (`start_batch` to `send_batch`), writes wait and go to the server as
    one statement when it is sent (each write a data-modifying CTE, their row counts read back): a move's writes
    cost one round trip. PostgreSQL runs the parts of one statement in no set order, so a batch that writes a
    deal's row and rows depending on it is guarded (its first write `guards`): every write after the first carries
    `guard()`, which there reads "the first write changed a row" and so waits for it; the first (the deal's
    conditional update) takes the deal's row lock before any other write touches a row, and if it changed nothing,
    nothing is written. Two moves on one deal thus take their locks in the same order; unordered, they
    deadlocked."""

    def __init__(self, connection: Connection, begin: Callable[[], None] | None = None) -> None:
        self._connection = connection
        self._begin = begin
        self._driver: Any = None
        self._batches = connection.dialect.name == "postgresql"
        self._cursor: Callable[[Any], Any] | None = None
        if self._batches:
            from psycopg import RawCursor  # `$1` placeholders, sent as they are (see `_positional`)

            self._cursor = RawCursor
        self._waiting: list[_Waiting] | None = None
        self._guarded = False

    def execute(self, prepared: Prepared, values: Mapping[str, Any]) -> Any:
        """Runs it now (after any waiting writes); returns the driver's cursor (`rowcount`, or rows for `first`)."""
        self._send_waiting()
        return self._run(prepared.sql, prepared.parameters(values))

    def first(self, prepared: Prepared, values: Mapping[str, Any]) -> Any:
        """The first row, converted and named, or None."""
        cursor = self.execute(prepared, values)
        raw = cursor.fetchone()
        return None if raw is None else prepared.row(raw, cursor.description)

    def write(self, prepared: Prepared, values: Mapping[str, Any], check: RowCheck | None = None, *,
              guards: bool = False) -> None:
        """An INSERT or UPDATE; `check` gets the number of rows it changed (and may raise) once it has run:
        at once, or when a batch is sent. `guards`: as a batch's first write, the batch's later writes apply only
        if this one changed a row (see the class)."""
        if self._waiting is not None:
            if guards and not self._waiting:
                self._guarded = True
            self._waiting.append(_Waiting(prepared, prepared.parameters(values), check))
            return
        cursor = self._run(prepared.sql, prepared.parameters(values))
        if check is not None:
            check(cursor.rowcount)

    def write_else(self, prepared: Prepared, values: Mapping[str, Any], otherwise: Prepared,
                   otherwise_values: Mapping[str, Any]) -> None:
        """`prepared`, and `otherwise` only if it changed no row (a note merged into a waiting one, else queued
        on its own). In a batch both go in the one statement, `otherwise` carrying `guard()`."""
        if self._waiting is None:
            if not self._run(prepared.sql, prepared.parameters(values)).rowcount:
                self._run(otherwise.sql, otherwise.parameters(otherwise_values))
            return
        self._waiting.append(_Waiting(prepared, prepared.parameters(values), None))
        self._waiting.append(_Waiting(otherwise, otherwise.parameters(otherwise_values), None,
                                      unless=len(self._waiting) - 1))

    def start_batch(self) -> None:
        """From now on writes wait, to go to the server together at `send_batch` (PostgreSQL; elsewhere each runs at
        once). A statement that must run now (a read, a write whose result is needed) sends what waits first."""
        if self._batches and self._waiting is None:
            self._waiting, self._guarded = [], False

    def send_batch(self) -> None:
        """Sends what waits, and ends the batch."""
        try:
            self._send_waiting()
        finally:
            self.drop_batch()

    def drop_batch(self) -> None:
        """Ends the batch; what waits is dropped unsent (the unit of work rolls back)."""
        self._waiting, self._guarded = None, False

    def send_waiting(self) -> None:
        """Sends the writes waiting in a batch, which goes on (before a statement run outside the runner)."""
        self._send_waiting()

    def _send_waiting(self) -> None:
        """Sends what waits (a statement run at once inside a batch goes after the writes before it); the batch,
        if any, goes on. A check may write again (outside a guarded batch): that is sent too."""
        while self._waiting:
            waiting, self._waiting = self._waiting, []
            if len(waiting) == 1 and waiting[0].unless is None:
                counts = [self._run(waiting[0].prepared.sql, waiting[0].parameters).rowcount]
            else:
                parameters = tuple(value for write in waiting for value in write.parameters)
                shape = tuple((write.prepared.sql, write.unless) for write in waiting)
                counts = list(self._run(_as_one(shape, self._guarded), parameters).fetchone())
            self._guarded = False  # what a check writes now is not guarded by this batch's first write
            for write, count in zip(waiting, counts, strict=True):
                if write.check is not None:
                    write.check(count)

    def _run(self, sql: str, parameters: Any) -> Any:
        connection = self._connection
        if self._begin is not None:
            self._begin()
        elif not connection.in_transaction():
            connection.begin()  # the engine's own BEGIN (on SQLite: deferred or IMMEDIATE, see engine.py)
        driver = self._driver
        if driver is None:
            driver = self._driver = connection.connection.driver_connection
        cursor = driver.cursor() if self._cursor is None else self._cursor(driver)
        listeners = connection.dispatch.before_cursor_execute
        if listeners:  # whoever watches the engine's statements (bench/sqlplan.py counts them) sees these too
            listeners(connection, cursor, sql, parameters, None, False)
        try:
            cursor.execute(sql, parameters)
        except connection.dialect.loaded_dbapi.Error as exc:
            dialect = connection.dialect
            if dialect.is_disconnect(exc, driver, cursor):
                connection.invalidate(exc)
            raise DBAPIError.instance(sql, None, exc, dialect.loaded_dbapi.Error,
                                      connection_invalidated=connection.invalidated, dialect=dialect) from exc
        return cursor


_PARAMETER = re.compile(r"\$(\d+)")


@functools.cache  # one per sequence of statements a kind of move writes: a handful
def _as_one(writes: tuple[tuple[str, int | None], ...], guarded: bool) -> str:
    """PostgreSQL writes (`$n` parameters) as one statement returning how many rows each changed; each statement's
    parameters are numbered on from the ones before it, so its parameters follow theirs. `guarded`: every write
    after the first applies only if the first changed a row; a write with `unless` only if that write changed
    none."""
    parts, offset = [], 0
    for i, (sql, unless) in enumerate(writes):
        assert "RETURNING" not in sql, "a batched write returns nothing of its own"
        renamed = _PARAMETER.sub(_renumbered(offset), sql)
        offset += max((int(n) for n in _PARAMETER.findall(sql)), default=0)
        conditions = ["EXISTS (SELECT 1 FROM w0)"] if guarded and i > 0 else []
        if unless is not None:
            conditions.append(f"NOT EXISTS (SELECT 1 FROM w{unless})")
        if conditions:
            assert GUARD_SQL in renamed, f"a write guarded in a batch carries guard(): {sql[:80]}"
            renamed = renamed.replace(GUARD_SQL, f"({' AND '.join(conditions)})")
        parts.append(f"w{i} AS ({renamed} RETURNING 1)")
    counts = ", ".join(f"(SELECT count(*) FROM w{i})" for i in range(len(writes)))
    return f"WITH {', '.join(parts)} SELECT {counts}"


def _renumbered(offset: int) -> Callable[[re.Match[str]], str]:
    """A `$n` parameter numbered on by `offset`."""
    return lambda found: f"${int(found.group(1)) + offset}"


class Statements:
    """Each module-level statement prepared once per dialect (and per set of columns given, for writes)."""

    def __init__(self) -> None:
        self._prepared: dict[tuple[int, str, tuple[str, ...]], tuple[ClauseElement, Prepared]] = {}

    def __call__(self, statement: ClauseElement, dialect: Dialect, column_keys: Iterable[str] = ()) -> Prepared:
        keys = tuple(sorted(column_keys))
        found = self._prepared.get((id(statement), dialect.name, keys))
        if found is not None:
            return found[1]
        prepared = Prepared(statement, dialect, keys)
        # The statement is kept beside it, so its id cannot be reused by another object while cached.
        self._prepared[(id(statement), dialect.name, keys)] = (statement, prepared)
        return prepared


prepare = Statements()
