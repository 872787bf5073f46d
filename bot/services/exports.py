"""`/deal export` and `dealcoach export`: the deals active in a period with their whole ledgers, for managers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.commands import types as commands
from bot.db.uow import UnitOfWorkFactory
from bot.domain.export import DealRecord
from bot.domain.figures import Period
from bot.messages import ExportPayload, MessageKind
from bot.services.access import Access, Actor
from bot.services.deals import utc_now
from bot.services.periods import period_or_all
from bot.services.results import ExportQueued


class ExportService:
    def __init__(self, uow: UnitOfWorkFactory, access: Access | None = None, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._uow, self._access, self._clock = uow, access, clock  # no access: the command line's, on the host

    def request(self, actor: Actor, command: commands.Export) -> ExportQueued:
        """Managers only (the file shows floors). Answered at once with the count; the file is made and uploaded
        to the manager's direct messages by the outbox, so Slack's failures are retried like any message's."""
        assert self._access is not None, "a request from Slack needs the access rules"
        with self._uow(actor.team_id, reads_first=True) as uow:
            policy = uow.workspaces.policy()
            self._access.require_manager(actor, policy, "export deals")
            period = period_or_all(self._clock(), command.period, policy.timezone)
            count = uow.exports.count(period)
            if count:
                uow.write()
                payload = ExportPayload(to=actor.user_id, period=period, timezone=policy.timezone)
                uow.outbox.add(MessageKind.EXPORT, payload, channel=actor.user_id)
                uow.commit()
        return ExportQueued(command.period, count)

    def period(self, team_id: str, name: str) -> Period:
        """The period to date in the workspace's time zone, or all time: what the command line exports."""
        with self._uow(team_id, read_only=True) as uow:
            timezone = uow.workspaces.policy().timezone
        return period_or_all(self._clock(), name, timezone)

    def records(self, team_id: str, period: Period) -> list[DealRecord]:
        """Every deal active in the period with its ledger and decisions, read in one unit of work."""
        with self._uow(team_id, read_only=True) as uow:
            return uow.exports.records(period)
