"""A move that sets off a severe rule while no alert channel is set anywhere is recorded all the same, on the real
database: only the alert is left out, and the reply names it."""

from __future__ import annotations

from conftest import CHANNEL, REP, TEAM
from sqlalchemy import text

from bot.commands import parse_command
from bot.commands.types import Concede, NewDeal
from bot.domain.rules import Rule
from bot.services.access import Actor
from bot.services.deals import DealService
from bot.services.results import DealResult

ACTOR = Actor(TEAM, REP, CHANNEL)


def test_a_severe_move_without_an_alert_channel_is_saved_with_its_card_and_note_but_no_alert(container) -> None:
    deals = DealService(container.uow, container.services.deals._access, container.services.deals._coach)
    new, concede = parse_command("new acme list=100k floor=70k"), parse_command("concede acme price 65k")
    assert isinstance(new, NewDeal) and isinstance(concede, Concede)
    deals.open(ACTOR, new)
    result = deals.concede(ACTOR, concede)
    assert isinstance(result, DealResult) and Rule.FLOOR in result.unalerted and not result.alerted
    with container.engine.connect() as connection:
        entries = connection.execute(text("SELECT count(*) FROM ledger_entry WHERE deal_id = 1")).scalar_one()
        kinds = sorted(connection.execute(text("SELECT kind FROM outbox WHERE deal_id = 1")).scalars())
    assert entries == 1, "the move is saved"
    assert kinds == ["card", "note"], "the opening card (or its refresh) and the thread note; no alert"
