"""The few sentences above a summary, written from the SQL figures: every number comes from them."""

from __future__ import annotations

from typing import Protocol

from bot.domain.figures import RepFigures, TeamFigures

MAX_NAMED = 3


class SummaryWriter(Protocol):
    def write(self, period: str, reps: tuple[RepFigures, ...], team: TeamFigures | None, *,
              past: bool = False) -> tuple[str, ...]: ...


def phrases(period: str, past: bool) -> tuple[str, str]:
    """How to name the period and the one before: "this week" / "last week", or for a digest of a
    finished period, "last week" / "the week before"."""
    return (f"last {period}", f"the {period} before") if past else (f"this {period}", f"last {period}")


class OfflineSummaryWriter:
    """Template sentences: what happened, what changed, which deals need a manager, who gives without getting."""

    def write(self, period: str, reps: tuple[RepFigures, ...], team: TeamFigures | None, *,
              past: bool = False) -> tuple[str, ...]:
        this, before = phrases(period, past)
        totals = team.totals if team else (reps[0] if len(reps) == 1 else None)
        if totals is None or (totals.concessions == 0 and totals.deals_opened == 0 and not team):
            return (f"Nothing was negotiated {this}.",)
        who = "The team" if team else f"<@{totals.user_id}>"
        sentences = [
            f"{who} opened {_n(totals.deals_opened, 'deal')} and gave {_n(totals.concessions, 'concession')} "
            f"{this}, {totals.without_get} of them with nothing in return."
        ]
        if team is not None:
            sentences.append(_change(before, team))
            if team.attention:
                named = ", ".join(f"{d.name} (<@{d.owner_id}>, {d.verdict.lower()})" for d in team.attention)
                sentences.append(f"Needs you: {named}.")
            if team.under_cap:
                sentences.append(f"{_n(team.under_cap, 'deal')} sit just under the discount cap.")
        givers = sorted((r for r in reps if r.without_get >= 2), key=lambda r: -r.without_get)[:MAX_NAMED]
        if givers:
            named = ", ".join(f"<@{r.user_id}> ({r.without_get} of {r.concessions})" for r in givers)
            sentences.append(f"Giving without getting: {named}.")
        return tuple(s for s in sentences if s)


def _change(before_phrase: str, team: TeamFigures) -> str:
    now, before = team.totals.concessions, team.previous.concessions
    if now == before:
        return f"That is as many concessions as {before_phrase}."
    direction = "more" if now > before else "fewer"
    return f"That is {abs(now - before)} {direction} concessions than {before_phrase} ({before})."


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
