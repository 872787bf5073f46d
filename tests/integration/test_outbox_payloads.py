"""Typed outbox payloads against the database: a stored row that is not a message of its kind fails at once, loudly,
with the field named, and the others still go out; a wrong payload raises in the transaction that queues it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from conftest import ALERTS, CHANNEL, REP, TEAM
from sqlalchemy import insert, select

from bot.bootstrap import Container
from bot.commands import parse_command
from bot.commands.types import NewDeal
from bot.db.tables import OutboxRow, table_of
from bot.messages import ChartPayload
from bot.services import notices
from bot.services.access import Actor
from bot.standin import SlackStandIn

OUTBOX = table_of(OutboxRow)


def stored(container: Container, kind: str, channel: str, payload: str, deal_id: int | None = None) -> int:
    """A row written as if by another version or by hand, beside what the services queue."""
    now = datetime.now(UTC)
    with container.engine.begin() as connection:
        return connection.execute(insert(OUTBOX).values(
            team_id=TEAM, deal_id=deal_id, kind=kind, channel_id=channel, payload=payload, created_at=now,
            due_at=now, attempts=0).returning(OUTBOX.c.id)).scalar_one()


def row(container: Container, row_id: int):  # noqa: ANN201 - a SQLAlchemy row
    with container.engine.connect() as connection:
        return connection.execute(select(OUTBOX).where(OUTBOX.c.id == row_id)).one()


def test_a_malformed_stored_payload_is_marked_failed_with_a_reason_that_names_the_field(
        container: Container, standin: SlackStandIn, caplog: pytest.LogCaptureFixture) -> None:
    new = parse_command("new acme list=100k floor=80k")
    assert isinstance(new, NewDeal)
    container.services.deals.open(Actor(TEAM, REP, CHANNEL), new)
    broken = stored(container, "alert", ALERTS, '{"rules": ["cap"], "moment": "concession"}', deal_id=1)

    with caplog.at_level(logging.ERROR, logger="bot.delivery.worker"):
        container.worker.drain()

    failed = row(container, broken)
    assert failed.failed_at is not None and failed.delivered_at is None
    assert failed.last_error == "alert payload: channel: Field required"
    assert failed.attempts == 1 and failed.failures == 0, "failed at once: no retry can fix it"
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        f"outbox alert {broken} not sent: alert payload: channel: Field required"]
    assert standin.messages(ALERTS) == [], "nothing half-built reached the alert channel"
    assert len(standin.messages(CHANNEL, include_threads=False)) == 1, "the deal's card still went up"


def test_a_row_of_a_kind_no_sender_knows_is_marked_failed_not_retried(
        container: Container, caplog: pytest.LogCaptureFixture) -> None:
    unknown = stored(container, "homepage", "home:U0REP", '{"user": "U0REP"}')

    with caplog.at_level(logging.ERROR, logger="bot.delivery.worker"):
        container.worker.drain()

    failed = row(container, unknown)
    assert failed.failed_at is not None and failed.last_error == "unknown kind 'homepage'"
    assert any("homepage" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_a_row_queued_before_the_payloads_had_types_is_delivered(container: Container, standin: SlackStandIn) -> None:
    stored(container, "nudge", REP, '{"deals": [["acme", 9]], "to": "U0REP"}')

    container.worker.drain()

    [nudge] = standin.messages()  # the rep's DM with the app
    assert "acme" in nudge.text and "9 days" in nudge.text


def test_queueing_a_wrong_payload_raises_in_the_services_transaction_and_nothing_of_it_is_written(
        container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    # A service with a bug: a Home refresh queued with a chart's payload.
    monkeypatch.setattr(notices, "HomePayload", lambda user, notice: ChartPayload(user=user))
    with pytest.raises(TypeError, match="home messages carry HomePayload, not ChartPayload"):
        container.services.notices.refresh_home(TEAM, REP, event_id="Ev0001")
    monkeypatch.undo()

    with container.engine.connect() as connection:
        assert connection.execute(select(OUTBOX)).all() == []
    container.services.notices.refresh_home(TEAM, REP, event_id="Ev0001")  # its event was rolled back with it
    with container.engine.connect() as connection:
        assert [r.kind for r in connection.execute(select(OUTBOX)).all()] == ["home"]
