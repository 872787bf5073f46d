"""A move is judged on the deal as it is when it is written: a deal read without a lock (SQLite reads and judges
before taking the write lock) is written only if no one saved it meanwhile, else read and judged again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import cast

import pytest
from conftest import CHANNEL, REP, TEAM
from sqlalchemy import text

from bot.commands import parse_command
from bot.commands.types import Concede
from bot.db.deals import DealChanged
from bot.domain.model import Verdict
from bot.services.access import Access, Actor
from bot.services.deals import DealService
from bot.services.results import DealResult

ACTOR = Actor(TEAM, REP, CHANNEL)


def run(container, command: str):
    return container.services.deals.concede(ACTOR, parse_command(command)) if command.startswith("concede") \
        else container.services.deals.open(ACTOR, parse_command(command))


def concessions(container) -> list[tuple[int, str]]:
    """(seq, text) of deal 1's concessions; each `concede … for …` also logs a get, with the next seq."""
    with container.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT seq, text FROM ledger_entry WHERE deal_id = 1 AND kind = 'concession' ORDER BY seq"))]


def deal_row(container) -> tuple:
    with container.engine.connect() as connection:
        return tuple(connection.execute(text(
            "SELECT version, concession_count, effective_cents, hours FROM deal WHERE id = 1")).one())


class InterferingAccess:
    """The real access checks; the first `times` owner checks first run `interfere`: another request saving the
    deal after this one read it and before it writes."""

    def __init__(self, real: Access, interfere: Callable[[], None], times: int) -> None:
        self._real, self._interfere, self.left, self.checks = real, interfere, times, 0

    def __getattr__(self, name: str):
        return getattr(self._real, name)

    def require_owner_or_manager(self, *args, **kwargs) -> None:
        self.checks += 1
        if self.left > 0:
            self.left -= 1
            self._interfere()
        self._real.require_owner_or_manager(*args, **kwargs)


def _concede(text: str) -> Concede:
    command = parse_command(text)
    assert isinstance(command, Concede)
    return command


def service_with(container, access: Access | InterferingAccess) -> DealService:
    # InterferingAccess stands in for an Access: it hands everything but the owner check to the real one.
    return DealService(container.uow, cast(Access, access), container.services.deals._coach)


def test_a_save_of_a_deal_someone_saved_since_it_was_read_raises_and_writes_nothing(container) -> None:
    run(container, "new acme list=100k floor=70k")
    version_before = deal_row(container)[0]
    with container.uow(TEAM, reads_first=True) as stale:
        deal = stale.deals.get(name="acme", lock=False)
        run(container, "concede acme 5% for a case study")  # another request, committed meanwhile
        deal.hours += Decimal(3)
        stale.write()
        with pytest.raises(DealChanged):  # at once, or where the writes wait for the commit (PostgreSQL)
            stale.deals.save(deal, Verdict.OK)
            stale.commit()
    version, count, _, hours = deal_row(container)
    assert (version, count, Decimal(hours)) == (version_before + 1, 1, Decimal(0)), "only the other request's save"


def test_every_save_moves_the_version_on(container) -> None:
    run(container, "new acme list=100k floor=70k")
    first = deal_row(container)[0]
    run(container, "concede acme 5% for a case study")
    run(container, "concede acme 2% for a reference call")
    assert deal_row(container)[0] == first + 2


def test_a_concession_judged_while_another_was_saved_is_judged_again_on_the_deal_as_it_now_is(container) -> None:
    run(container, "new acme list=100k floor=70k")
    access = InterferingAccess(container.services.deals._access,
                               lambda: run(container, "concede acme 10% for a case study"), times=1)

    result = service_with(container, access).concede(ACTOR, _concede("concede acme 5% for a 3-year term"))

    assert access.checks == 2, "read and judged twice: once on the stale deal, once on the deal as it now is"
    assert [body for _, body in concessions(container)] == ["10% off list", "5% off list"]
    assert isinstance(result, DealResult)
    assert result.ledger.effective_cents == 85_000_00, "the reply's figures include the other request's move"
    _, count, effective, _ = deal_row(container)
    assert (count, effective) == (2, 85_000_00)


def test_a_move_that_keeps_losing_the_race_is_written_holding_the_lock_from_the_start(container) -> None:
    run(container, "new acme list=100k floor=70k")
    others = iter(["concede acme 1% for a logo", "concede acme 1% for a quote"])
    access = InterferingAccess(container.services.deals._access, lambda: run(container, next(others)), times=2)

    service_with(container, access).concede(ACTOR, _concede("concede acme 5% for a 3-year term"))

    assert access.checks == 3, "two tries on a deal read without the lock, then one holding it"
    assert [body for _, body in concessions(container)] == ["1% off list", "1% off list", "5% off list"]


def test_concessions_sent_at_once_on_one_deal_are_all_logged_once_each_and_add_up(container) -> None:
    run(container, "new acme list=100k floor=10k")
    errors: list[BaseException] = []

    def concede(i: int) -> None:
        try:
            run(container, f"concede acme 1% for reference {i}")
        except BaseException as error:  # noqa: BLE001 - reported below with the others
            errors.append(error)

    threads = [threading.Thread(target=concede, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with container.engine.connect() as connection:
        seqs = connection.execute(text("SELECT seq FROM ledger_entry WHERE deal_id = 1 ORDER BY seq")).scalars().all()
        gets = connection.execute(text("SELECT text FROM ledger_entry WHERE deal_id = 1 AND kind = 'get'")).scalars()
        assert sorted(int(get.rsplit(" ", 1)[1]) for get in gets) == list(range(24)), "each request's get, once"
    assert seqs == list(range(1, 49)), "a concession and its get per request, numbered without gaps or repeats"
    _, count, effective, _ = deal_row(container)
    assert (count, effective) == (24, 76_000_00), "the deal's row adds up every concession, none lost"
