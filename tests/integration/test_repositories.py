"""Repository guarantees the rest relies on, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json

import pytest
from conftest import OTHER_TEAM, TEAM
from sqlalchemy import text

import bot.db.engine as engine_module
from bot.commands import parse_command
from bot.db.engine import make_engine
from bot.messages import NoteLine
from bot.services.access import Actor


def test_an_event_id_is_new_once_and_then_always_seen(container) -> None:
    with container.uow(TEAM) as uow:
        assert uow.events.first_time("Ev0001") is True
        assert uow.events.first_time("Ev0001") is False
        uow.commit()
    with container.uow(TEAM) as uow:
        assert uow.events.first_time("Ev0001") is False


def test_a_scheduled_key_is_claimed_once_per_workspace(container) -> None:
    with container.uow(TEAM) as uow:
        assert uow.sent_once.claim("digest:week:2026-11-16:U1") is True
        assert uow.sent_once.claim("digest:week:2026-11-16:U1") is False
        uow.commit()
    with container.uow(OTHER_TEAM) as uow:
        assert uow.sent_once.claim("digest:week:2026-11-16:U1") is True


def test_ensuring_a_workspace_twice_is_harmless(container) -> None:
    for _ in range(2):
        with container.uow(TEAM) as uow:
            uow.workspaces.ensure()
            uow.commit()
    with container.uow(TEAM, read_only=True) as uow:
        assert uow.workspaces.policy().cap_bp == 2000


def test_a_read_only_unit_of_work_refuses_to_commit(container) -> None:
    with container.uow(TEAM, read_only=True) as uow:
        try:
            uow.commit()
        except RuntimeError as error:
            assert "read-only" in str(error)
        else:
            raise AssertionError("a read-only unit of work committed")


def test_a_card_refresh_is_queued_once_while_one_is_waiting_and_again_once_it_is_picked_up(container) -> None:
    container.services.deals.open(Actor(TEAM, "U0REP", "C0DEALS"), parse_command("new acme list=100k floor=80k"))

    def waiting_cards() -> int:
        with container.engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM outbox WHERE kind = 'card' AND claimed_until IS NULL "
                                           "AND delivered_at IS NULL")).scalar_one()

    with container.uow(TEAM) as uow:
        for _ in range(3):
            uow.outbox.refresh_card(channel="C0DEALS", deal_id=1)
        uow.commit()
    assert waiting_cards() == 1, "the card queued at opening covers every later change"
    with container.engine.begin() as connection:
        connection.execute(text("UPDATE outbox SET claimed_until = created_at WHERE kind = 'card'"))
    with container.uow(TEAM) as uow:
        uow.outbox.refresh_card(channel="C0DEALS", deal_id=1)
        uow.outbox.refresh_card(channel="C0DEALS", deal_id=1)
        uow.commit()
    assert waiting_cards() == 1, "a card being posted does not count: the change after it needs one more"


def test_a_pooled_connection_the_server_dropped_while_it_sat_idle_is_replaced_before_a_request_uses_it(
        container, backend, monkeypatch) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)  # every checkout counts as after a long idle
    with container.engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with make_engine(container.settings.database_url).connect() as admin:  # the server drops it (a restart)
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.commit()

    with container.uow(TEAM, read_only=True) as uow:
        assert uow.workspaces.policy().cap_bp == 2000, "answered on a new connection, not an error"
    with container.engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid


def _line(text: str) -> NoteLine:
    return NoteLine(moment="get", by="U0REP", kind="get", text=text)


def _stored(text: str) -> dict:
    return {"moment": "get", "by": "U0REP", "kind": "get", "text": text}


def test_a_thread_note_posted_after_it_was_read_as_waiting_gets_no_more_lines_a_new_note_carries_them(
        container) -> None:
    container.services.deals.open(Actor(TEAM, "U0REP", "C0DEALS"), parse_command("new acme list=100k floor=80k"))
    with container.uow(TEAM) as uow:
        uow.outbox.add_note(channel="C0DEALS", deal_id=1, note=_line("first"), waiting=None)
        uow.commit()
    with container.uow(TEAM) as uow:
        waiting = uow.outbox.waiting_note(1)
        assert waiting is not None and [n.text for n in waiting.notes] == ["first"]
    with container.engine.begin() as connection:  # a worker claims and posts it meanwhile
        connection.execute(text("UPDATE outbox SET delivered_at = created_at WHERE kind = 'note'"))
    with container.uow(TEAM) as uow:
        uow.outbox.add_note(channel="C0DEALS", deal_id=1, note=_line("second"), waiting=waiting)
        uow.commit()

    with container.engine.connect() as connection:
        notes = connection.execute(text("SELECT payload, delivered_at IS NULL FROM outbox WHERE kind = 'note' "
                                        "ORDER BY id")).all()
    assert [(json.loads(payload)["notes"], pending) for payload, pending in notes] == [
        ([_stored("first")], False), ([_stored("second")], True)], "the second line would be lost in a posted note"


def test_a_deal_read_without_a_lock_carries_the_same_waiting_note_the_outbox_reads(container) -> None:
    rep = Actor(TEAM, "U0REP", "C0DEALS")
    container.services.deals.open(rep, parse_command("new acme list=100k floor=80k"))
    container.services.deals.open(rep, parse_command("new other list=100k floor=80k"))
    with container.uow(TEAM) as uow:
        uow.outbox.add_note(channel="C0DEALS", deal_id=1, note=_line("first"), waiting=None)
        uow.outbox.add_note(channel="C0DEALS", deal_id=2, note=_line("other deal"), waiting=None)
        uow.commit()
    with container.uow(TEAM) as uow:
        waiting = uow.outbox.waiting_note(1)
        assert waiting is not None and [n.text for n in waiting.notes] == ["first"]
        found = uow.deals.get_in_context(deal_id=1, lock=False)
        assert found.notes_read and found.waiting_note == waiting
        assert not uow.deals.get_in_context(deal_id=1, lock=True).notes_read, "a locked read asks the outbox after"
    with container.engine.begin() as connection:  # a worker claims it
        connection.execute(text("UPDATE outbox SET claimed_until = created_at WHERE kind = 'note' AND deal_id = 1"))
    with container.uow(TEAM) as uow:
        found = uow.deals.get_in_context(name="acme", lock=False)
        assert found.notes_read and found.waiting_note is None and uow.outbox.waiting_note(1) is None


def test_reads_that_change_nothing_end_without_a_rollback(container) -> None:
    """psycopg discards a connection's prepared statements on every rollback: the health check and the readers of
    the unit of work (a status, say) must not cost the next requests their prepared statements."""
    from sqlalchemy import event

    from bot.db.repositories import database_answers

    container.services.deals.open(Actor(TEAM, "U0REP", "C0DEALS"), parse_command("new acme list=100k floor=80k"))
    rollbacks: list[object] = []

    def rolled_back(connection) -> None:
        rollbacks.append(connection)

    event.listen(container.engine, "rollback", rolled_back)
    try:
        assert database_answers(container.engine)
        container.services.deals.status(Actor(TEAM, "U0REP", "C0DEALS"), parse_command("status acme"))
    finally:
        event.remove(container.engine, "rollback", rolled_back)
    assert rollbacks == []


def test_a_ledger_read_in_one_statement_keeps_each_moment_as_logged_in_utc(container) -> None:
    """The one-statement read decodes the ledger from JSON (SQLite's moments as text); the locked read takes its
    rows: both must give the same aware UTC moments."""
    from datetime import UTC, datetime, timedelta

    actor = Actor(TEAM, "U0REP", "C0DEALS")
    before = datetime.now(UTC)
    container.services.deals.open(actor, parse_command("new acme list=100k floor=80k"))
    container.services.deals.concede(actor, parse_command("concede acme 5% for a case study"))
    after = datetime.now(UTC)
    with container.uow(TEAM) as uow:
        decoded = uow.deals.get_in_context(name="acme").deal.entries
        locked = uow.deals.get_in_context(name="acme", lock=True).deal.entries
    assert [entry.at for entry in decoded] == [entry.at for entry in locked]
    assert len(decoded) == 2
    for entry in decoded:
        assert entry.at.utcoffset() == timedelta(0)
        assert before - timedelta(seconds=1) <= entry.at <= after + timedelta(seconds=1)


@pytest.mark.parametrize("text, expected_offset_hours", [
    ("2026-11-20 10:00:00", 0), ("2026-11-20 10:00:00.123456", 0),  # as SQLAlchemy stores them on SQLite
    ("2026-11-20 10:00:00+00:00", 0), ("2026-11-20T10:00:00.123456+00:00", 0),  # written by hand; PostgreSQL's JSON
    ("2026-11-20T10:00:00-05:00", -5), ("2026-11-20T10:00:00Z", 0),
])
def test_a_moment_read_as_text_is_aware_whether_or_not_it_carries_its_offset(text, expected_offset_hours) -> None:
    from datetime import timedelta

    from bot.db.mapping import entry_from_columns

    entry = entry_from_columns((1, "ask", "U0REP", text, "", None, None, None, None, 0, "", None, None, 0))
    assert entry.at.utcoffset() == timedelta(hours=expected_offset_hours)
    assert (entry.at.hour, entry.at.minute) == (10, 0)
