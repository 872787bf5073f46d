"""Summaries of what a team gave away: `/deal summary` and the scheduled digest share them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.coach.summary import SummaryWriter
from bot.commands import types as commands
from bot.db.uow import UnitOfWorkFactory
from bot.domain.figures import Band, Period
from bot.services.access import Access, Actor
from bot.services.deals import utc_now
from bot.services.periods import current_period, previous_period
from bot.services.results import SummaryResult


class SummaryService:
    def __init__(self, uow: UnitOfWorkFactory, access: Access, writer: SummaryWriter, *,
                 llm_writer: SummaryWriter | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self._uow, self._access, self._writer, self._clock = uow, access, writer, clock
        self._llm_writer = llm_writer

    @property
    def has_llm(self) -> bool:
        return self._llm_writer is not None

    def summary(self, actor: Actor, command: commands.Summary) -> SummaryResult:
        """Managers see the workspace or one rep; reps see themselves. Answered at once with the offline
        sentences (the LLM's, when configured, follow through the outbox: an ack never waits on it)."""
        with self._uow(actor.team_id, read_only=True) as uow:
            policy = uow.workspaces.policy()
            wanted = command.user
            if wanted != actor.user_id and not self._access.is_manager(actor, policy):
                if wanted is not None:
                    self._access.require_manager(actor, policy, "see another rep's summary")
                wanted = actor.user_id
        period = current_period(self._clock(), command.period, policy.timezone)
        return self.for_period(actor.team_id, period, policy.timezone, user_id=wanted)

    def bands(self, team_id: str, period: Period) -> tuple[Band, ...]:
        """Win rate by discount band for the period: all the digest's chart needs."""
        with self._uow(team_id, read_only=True) as uow:
            return uow.summaries.bands(period)

    def for_period(self, team_id: str, period: Period, timezone: str, *, user_id: str | None = None,
                   use_llm: bool = False, past: bool = False) -> SummaryResult:
        """The team's figures (or one rep's) for a period, and the sentences on top of them. Off the
        request path (digests, follow-ups) the LLM writes them when configured. `past`: a finished
        period (a digest), named "last week" rather than "this week"."""
        with self._uow(team_id, read_only=True) as uow:
            policy = uow.workspaces.policy()
            reps = uow.summaries.per_rep(period, user_id=user_id)
            team = None
            if user_id is None:
                team = uow.summaries.team(period, previous_period(period, timezone), policy.cap_bp, reps)
        writer = self._llm_writer if use_llm and self._llm_writer is not None else self._writer
        sentences = writer.write(period.name, reps, team, past=past)
        return SummaryResult(period, timezone, reps, team, sentences, subject=user_id)
