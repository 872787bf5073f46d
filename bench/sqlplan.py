"""The SQL a request runs, and the database's plan for each statement, for `bench/scale.py`.

`Capture` listens to an engine's `before_cursor_execute` event and keeps every statement with its parameters
(the first set of an executemany). `explain()` asks the database for each distinct statement's plan with the
parameters it ran with: `EXPLAIN QUERY PLAN` on SQLite; `EXPLAIN ANALYZE` on PostgreSQL (plain `EXPLAIN` for an INSERT),
inside a transaction that is rolled back, so an UPDATE being explained leaves nothing behind. A plan line
reading the whole `deal` or `ledger_entry` table (SQLite `SCAN deal`, PostgreSQL `Seq Scan on deal`), or
every row of the team (SQLite `SEARCH deal USING INDEX … (team_id=?)`), is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

WATCHED = ("deal", "ledger_entry")
_TABLES = "(" + "|".join(WATCHED) + r")(?:_\d+)?"  # SQLite names a table by its alias (ledger_entry_1)
# SQLite's "SCAN ledger_entry USING INDEX …" reads the whole index: still a full scan. An index searched on
# the team id alone reads every row of the team: in a one-workspace database, the whole table.
FULL_SCAN = re.compile(r"\b(?:SCAN(?: TABLE)?|Seq Scan on) " + _TABLES + r"\b")
WATCHED_LINE = re.compile(r"\b" + _TABLES + r"\b")
TEAM_SCAN = re.compile(r"\bSEARCH " + _TABLES + r" USING (?:COVERING )?INDEX \S+ \(team_id=\?\)")


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any


@dataclass
class Capture:
    statements: list[Statement] = field(default_factory=list)

    def distinct(self) -> list[Statement]:
        """First occurrence of each statement text, in the order they ran."""
        seen: dict[str, Statement] = {}
        for statement in self.statements:
            seen.setdefault(statement.sql, statement)
        return list(seen.values())


@contextmanager
def capture(engine: Engine) -> Iterator[Capture]:
    """Records what runs on `engine` inside the block (BEGIN/COMMIT issued by the driver are not statements)."""
    captured = Capture()

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        first = parameters[0] if executemany and parameters else parameters
        captured.statements.append(Statement(statement, first))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield captured
    finally:
        event.remove(engine, "before_cursor_execute", listener)


@dataclass(frozen=True)
class Plan:
    statement: Statement
    lines: list[str]

    @property
    def watched(self) -> list[str]:
        """Plan lines that read a watched table, however."""
        return [line for line in self.lines if WATCHED_LINE.search(line)]

    @property
    def full_scans(self) -> list[str]:
        """Plan lines reading a whole watched table (an index-only full scan counts too), or all of the team's
        rows of it."""
        return [line for line in self.lines if FULL_SCAN.search(line) or TEAM_SCAN.search(line)]


def explain(engine: Engine, statements: list[Statement]) -> list[Plan]:
    plans = []
    postgres = engine.dialect.name == "postgresql"
    for statement in statements:
        verb = re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", statement.sql, re.IGNORECASE)
        if verb is None:
            continue
        # An INSERT explained with ANALYZE would run again with the same key and fail; its plan is trivial.
        analyze = postgres and verb.group(1).upper() != "INSERT"
        prefix = "EXPLAIN (ANALYZE, COSTS OFF) " if analyze else "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                rows = connection.exec_driver_sql(prefix + statement.sql, statement.parameters or ()).all()
            except Exception as exc:  # noqa: BLE001 - report, go on with the next statement
                rows = [(f"(could not explain: {type(exc).__name__}: {str(exc).splitlines()[0][:160]})",)]
            finally:
                transaction.rollback()
        plans.append(Plan(statement, [_plan_line(row, postgres) for row in rows]))
    return plans


def _plan_line(row: Any, postgres: bool) -> str:
    if postgres or len(row) < 4:
        return str(row[0])
    return str(row[3])  # EXPLAIN QUERY PLAN: id, parent, notused, detail


def one_line(sql: str, limit: int = 220) -> str:
    """The statement on one line, a long select list shortened to its column count."""
    text = " ".join(sql.split())
    columns = re.match(r"SELECT (.*?) FROM ", text)
    if columns and columns.group(1).count(",") >= 4:
        text = f"SELECT <{columns.group(1).count(',') + 1} columns> FROM " + text[columns.end():]
    return text if len(text) <= limit else text[: limit - 3] + "..."
