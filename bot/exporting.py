"""`dealcoach export`: the CSV of `/deal export`, read straight from DATABASE_URL and written to a file or stdout."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, inspect

from bot.db.engine import make_engine, normalise_url, reading, session_factory, sqlite_file
from bot.db.repositories import all_team_ids
from bot.db.uow import UnitOfWorkFactory
from bot.render.export_csv import deals_csv
from bot.services.deals import utc_now
from bot.services.exports import ExportService


def export_csv(database_url: str, *, period: str = "all", team: str | None = None,
               clock: Callable[[], datetime] = utc_now) -> tuple[int, str]:
    """How many deals, and the CSV: a workspace's deals active in the period to date (`all`: every deal)."""
    database = sqlite_file(normalise_url(database_url))
    if database is not None and not Path(database).is_file():  # SQLite would create an empty one
        raise SystemExit(f"There is no database file {database}: set DATABASE_URL to Deal Coach's database.")
    engine = make_engine(database_url)
    try:
        _check_readable(engine)
        sessions = session_factory(engine)
        with reading(sessions) as connection:
            team_id = choose_team(all_team_ids(connection), team)
        sqlite = engine.dialect.name == "sqlite"
        exports = ExportService(UnitOfWorkFactory(sessions, serialise_writes=sqlite, autocommit_reads=not sqlite),
                                clock=clock)
        records = exports.records(team_id, exports.period(team_id, period))
        return len(records), deals_csv(records)
    finally:
        engine.dispose()


def _check_readable(engine: Engine) -> None:
    """A clear sentence, not a traceback, when the database is not Deal Coach's."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("workspace"):
            raise SystemExit("DATABASE_URL holds no Deal Coach tables: point it at Deal Coach's database "
                             "(`dealcoach migrate` makes them).")


def choose_team(teams: list[str], wanted: str | None) -> str:
    """The workspace asked for, or the only one; otherwise SystemExit with the ones there are."""
    listed = ", ".join(teams)
    if wanted is not None:
        if wanted not in teams:
            raise SystemExit(f"This database holds no workspace {wanted}; it holds: {listed or 'none'}.")
        return wanted
    if not teams:
        raise SystemExit("This database holds no workspace yet, so there is nothing to export.")
    if len(teams) > 1:
        raise SystemExit(f"This database holds {len(teams)} workspaces; choose one with --team (Slack team ids): "
                         f"{listed}.")
    return teams[0]


def run_export(database_url: str, out: str, *, period: str, team: str | None) -> int:
    """Writes the CSV to `out` (`-`: stdout) and says on stderr how many deals it holds."""
    count, text = export_csv(database_url, period=period, team=team)
    if out == "-":
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8", newline="")  # the csv module wrote its own line ends
    sys.stderr.write(f"Exported {count} deal{'' if count == 1 else 's'} to {'stdout' if out == '-' else out}.\n")
    return 0
