"""Through the real services and repository (SQLite, and PostgreSQL when configured): the running figures stored on
a deal's row stay equal to the figures of its whole ledger whatever the moves, and a move reads the deal's latest
entries only, however long its ledger."""

from __future__ import annotations

import itertools
import re

import pytest
from conftest import CHANNEL, MANAGER, REP, TEAM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from bot.commands import parse_command
from bot.db.deals import LATEST_ENTRIES
from bot.domain.errors import DealCoachError
from bot.domain.tally import Tally
from bot.render.replies import deal_reply
from bot.services.access import Actor
from bot.services.results import DealResult

OWNER, BOSS = Actor(TEAM, REP, CHANNEL), Actor(TEAM, MANAGER, CHANNEL)
# `{n}`: the deal; each command as a rep types it.
COMMANDS = ("ask {n} a bigger discount", "concede {n} 1%", "concede {n} 1k off", "concede {n} 2% for a logo",
            "concede {n} 2 months free", "concede {n} net 60", "concede {n} down to {price}", "get {n} a reference",
            "worth {n} 500", "undo {n}", "status {n}")
_names = itertools.count()


def run(container, actor: Actor, command: str) -> DealResult | None:
    parsed = parse_command(command)
    service = container.services.deals
    method = {"Ask": service.ask, "Concede": service.concede, "Get": service.record_get, "Worth": service.worth,
              "Undo": service.undo, "Status": service.status, "NewDeal": service.open}[type(parsed).__name__]
    try:
        result = method(actor, parsed)
    except DealCoachError:
        return None  # the rep could not make this move either (nothing to take back, a price not below the net…)
    return result if isinstance(result, DealResult) else None


def stored_and_recomputed(container, deal_id: int) -> tuple[Tally, Tally]:
    with container.uow(TEAM, read_only=True) as uow:
        read = uow.deals.get(deal_id=deal_id, latest_only=True)
        whole = uow.deals.get(deal_id=deal_id)
    assert read.tally is not None and len(read.entries) <= LATEST_ENTRIES
    return read.tally, Tally.of(whole.entries)


def open_deal(container) -> tuple[str, int]:
    name = f"d{next(_names)}"
    opened = run(container, OWNER, f"new {name} list=100k floor=20k")
    assert opened is not None and opened.deal.id is not None
    return name, opened.deal.id


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.sampled_from(COMMANDS), st.booleans()), min_size=1, max_size=40))
def test_the_figures_stored_after_any_moves_equal_a_recomputation_over_the_whole_ledger(container, moves) -> None:
    name, deal_id = open_deal(container)
    net = 100_000
    for command, by_manager in moves:
        result = run(container, BOSS if by_manager else OWNER, command.format(n=name, price=f"{net - 500}"))
        if result is not None:
            net = result.ledger.net_cents // 100
        stored, recomputed = stored_and_recomputed(container, deal_id)
        assert stored == recomputed, command


def test_a_move_on_a_long_ledger_reads_only_its_latest_entries(container) -> None:
    name, deal_id = open_deal(container)
    for _ in range(3 * LATEST_ENTRIES):
        run(container, OWNER, f"ask {name} a bit more")
    seen: list[str] = []

    def listener(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        seen.append(statement)

    event.listen(container.engine, "before_cursor_execute", listener)
    try:
        result = run(container, OWNER, f"concede {name} 1%")
    finally:
        event.remove(container.engine, "before_cursor_execute", listener)
    assert result is not None
    assert len(result.deal.entries) == LATEST_ENTRIES + 1  # what it read, and the concession
    reads = [sql for sql in seen if "ledger_entry" in sql and sql.lstrip().upper().startswith("SELECT")]
    assert reads and all(f"LIMIT {LATEST_ENTRIES}" in sql for sql in reads)
    stored, recomputed = stored_and_recomputed(container, deal_id)
    assert stored == recomputed and stored.concessions == 1 and stored.open_asks == 0


def test_a_get_for_a_concession_older_than_the_entries_read_finds_it_in_the_whole_ledger(container) -> None:
    name, deal_id = open_deal(container)
    first = run(container, OWNER, f"concede {name} 1%")
    assert first is not None and first.entry is not None
    for _ in range(LATEST_ENTRIES // 2 + 1):  # each a concession with its get: two entries
        run(container, OWNER, f"concede {name} 0.1% for a logo")
    got = run(container, OWNER, f"get {name} a reference")
    assert got is not None and got.entry is not None
    assert got.entry.reciprocates == first.entry.seq
    stored, recomputed = stored_and_recomputed(container, deal_id)
    assert stored == recomputed and stored.open_gives == 0


@pytest.mark.parametrize(("page", "shown", "said"), [
    (1, range(21, 31), "Gives 21 to 30 of 30 shown; `/deal status {n} page 2` shows the ones before."),
    (2, range(11, 21), "Gives 11 to 20 of 30 shown; `/deal status {n} page 3` shows the ones before."),
    (3, range(1, 11), None),
    (4, range(0), "No gives on page 4: this deal's gives fill pages 1 to 3."),
])
def test_status_shows_the_latest_gives_and_pages_through_the_ones_before(container, page, shown, said) -> None:
    name, _ = open_deal(container)
    for _ in range(30):
        run(container, OWNER, f"concede {name} 0.1% for a logo")
    result = run(container, OWNER, f"status {name} page {page}" if page > 1 else f"status {name}")
    assert result is not None
    text = str(deal_reply(result).blocks)
    numbers = [int(n) for n in re.findall(r"(\d+)\. 0\.1% off list", text)]
    assert numbers == list(shown)
    assert result.ledger.concession_count == 30 and result.ledger.effective_cents == 97_000 * 100
    if said is not None:
        assert said.format(n=name) in text
    else:
        assert "shows the ones before" not in text
