"""The scheduled sweeps: weekly digests to managers and a digest channel, nudges about idle deals.

Each sweep asks the database what is due now and queues messages in the outbox; a key per recipient
and period (or per idle deal) claimed in the same transaction makes each go out exactly once, even
if two schedulers ever ran at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.db.engine import reading
from bot.db.repositories import all_team_ids
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.messages import DigestChartPayload, DigestPayload, MessageKind, NudgePayload
from bot.services.deals import utc_now
from bot.services.periods import digest_due, last_complete_period


class DigestService:
    def __init__(self, uow: UnitOfWorkFactory, sessions: sessionmaker[Session], *,
                 settings_managers: frozenset[str] = frozenset(), clock: Callable[[], datetime] = utc_now) -> None:
        self._uow, self._sessions, self._clock = uow, sessions, clock
        self._settings_managers = settings_managers

    def queue_due_digests(self) -> int:
        """Queues every weekly digest that is due and not yet sent; returns how many."""
        return sum(self._digests_for(team) for team in self._teams())

    def queue_nudges(self) -> int:
        """Tells each rep, once per idle spell, about their deals with no activity for `stale_days`."""
        return sum(self._nudges_for(team) for team in self._teams())

    def _teams(self) -> list[str]:
        with reading(self._sessions) as connection:
            return all_team_ids(connection)

    def _digests_for(self, team_id: str) -> int:
        now = self._clock()
        with self._uow(team_id, reads_first=True) as uow:
            policy = uow.workspaces.policy()
            if not digest_due(now, policy.digest_day, policy.digest_hour, policy.timezone):
                return _nothing_due(uow)
            uow.write()
            period = last_complete_period(now, "week", policy.timezone)
            recipients = sorted(self._settings_managers | set(policy.managers))
            if policy.digest_channel:
                recipients.append(policy.digest_channel)
            queued = 0
            for recipient in recipients:
                if uow.sent_once.claim(f"digest:week:{period.start.isoformat()}:{recipient}"):
                    digest = DigestPayload(to=recipient, period=period, timezone=policy.timezone)
                    chart = DigestChartPayload(to=recipient, period=period, timezone=policy.timezone)
                    uow.outbox.add(MessageKind.DIGEST, digest, channel=recipient)
                    uow.outbox.add(MessageKind.DIGEST_CHART, chart, channel=recipient)
                    queued += 1
            uow.commit()
        return queued

    def _nudges_for(self, team_id: str) -> int:
        now = self._clock()
        with self._uow(team_id, reads_first=True) as uow:
            policy = uow.workspaces.policy()
            stale = uow.deals.stale(now - timedelta(days=policy.stale_days))
            if not stale:
                return _nothing_due(uow)
            uow.write()
            by_owner: dict[str, list[tuple[str, int]]] = defaultdict(list)
            for deal_id, name, owner, last_change in stale:
                # Keyed by the last change too: a deal idle again after new activity is nudged again.
                if uow.sent_once.claim(f"nudge:{deal_id}:{last_change.isoformat()}"):
                    by_owner[owner].append((name, (now - last_change).days))
            for owner, deals in by_owner.items():
                uow.outbox.add(MessageKind.NUDGE, NudgePayload(to=owner, deals=tuple(deals)), channel=owner)
            uow.commit()
        return len(by_owner)


def _nothing_due(uow: UnitOfWork) -> int:
    """Ends a sweep's read that found nothing due, as a unit of work that wrote nothing: every minute, for every
    workspace, most sweeps end here, having read without becoming a writer."""
    uow.commit()
    return 0
