"""A deal's whole ledger as one JSON value in the deal's own row, written for each database.

Reading a deal with its ledger as one row per entry repeats every deal and policy column on every entry row,
and each of them goes through the driver and SQLAlchemy's result processing: that cost grew with the ledger
(about 55 µs per entry). As a correlated subquery that aggregates the entries into a JSON array of arrays
(`mapping.ENTRY_COLUMNS` order), the deal stays one row and the entries are decoded by the JSON parser. A move
reads only the latest entries (`latest`: a LIMIT on the deal's (deal_id, seq) index), so what it reads stays the
same size however long the ledger grows."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import NullType

from bot.db.mapping import ENTRY_COLUMNS

_TABLE = "ledger_entry"
_ALIAS = "ledger_of_deal"  # not a name the outer query uses
_VALUES = ", ".join(f"{_ALIAS}.{name}" for name in ENTRY_COLUMNS)


class LedgerJSON(ColumnElement[Any]):
    """`LedgerJSON(DEAL.c.id)`: the entries of that deal, NULL when it has none; `latest`: only that many of the
    newest. Decode with `entries_of`."""

    inherit_cache = True
    type = NullType()
    _traverse_internals = [("deal_id", InternalTraversal.dp_clauseelement),  # part of the statement's cache key
                           ("latest", InternalTraversal.dp_plain_obj)]

    def __init__(self, deal_id: ColumnElement[Any], latest: int | None = None) -> None:
        self.deal_id, self.latest = deal_id, latest


def _entries(element: LedgerJSON, deal_id: str) -> str:
    """The FROM of the aggregate: the deal's entries, or its latest `element.latest` by seq."""
    if element.latest is None:
        return f"{_TABLE} AS {_ALIAS} WHERE {_ALIAS}.deal_id = {deal_id}"
    newest = int(element.latest)
    return (f"(SELECT * FROM {_TABLE} AS newest WHERE newest.deal_id = {deal_id} "
            f"ORDER BY newest.seq DESC LIMIT {newest}) AS {_ALIAS}")


@compiles(LedgerJSON, "postgresql")
def _postgresql(element: LedgerJSON, compiler: Any, **kw: Any) -> str:
    deal_id = compiler.process(element.deal_id, **kw)
    return f"(SELECT json_agg(json_build_array({_VALUES}) ORDER BY {_ALIAS}.seq) FROM {_entries(element, deal_id)})"


@compiles(LedgerJSON, "sqlite")
def _sqlite(element: LedgerJSON, compiler: Any, **kw: Any) -> str:
    # SQLite before 3.44 has no ORDER BY inside an aggregate: `entries_of` puts them in seq order.
    deal_id = compiler.process(element.deal_id, **kw)
    return f"(SELECT json_group_array(json_array({_VALUES})) FROM {_entries(element, deal_id)})"


def entries_of(value: Any) -> list[list[Any]]:
    """The column's value as entry value lists in seq order: psycopg hands back the parsed JSON, SQLite text."""
    if value is None:
        return []
    rows: list[list[Any]] = json.loads(value) if isinstance(value, str) else value
    rows.sort(key=_seq)
    return rows


def _seq(row: list[Any]) -> int:
    seq: int = row[0]
    return seq
