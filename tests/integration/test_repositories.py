"""Repository guarantees the rest relies on, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from conftest import OTHER_TEAM, TEAM


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
