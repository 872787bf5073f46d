"""Summaries and digests: the sentences first, then the team's figures, the bands, each rep."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.figures import RepFigures, TeamFigures
from bot.render.blocks import Reply, context, divider, header, reply, section
from bot.render.words import percent
from bot.services.results import SummaryResult


def summary_reply(result: SummaryResult, *, title: str | None = None) -> Reply:
    start = result.period.start.astimezone(ZoneInfo(result.timezone)).strftime("%a %d %b %Y")
    heading = title or f"Summary for this {result.period.name}"
    blocks = [header(heading), context(f"Since {start} ({result.timezone})"), section("\n".join(result.sentences))]
    if result.team is not None:
        blocks += [divider(), section(rep_line(result.team.totals, "*Team*")), section(_bands(result.team))]
    for figures in result.reps:
        blocks.append(section(rep_line(figures, f"<@{figures.user_id}>")))
    return reply(f"{heading}: " + " ".join(result.sentences), blocks)


def rep_line(figures: RepFigures, who: str) -> str:
    avg = _pct(figures.avg_discount_bp)
    return (
        f"{who}: {_n(figures.deals_opened, 'deal')} opened · {_n(figures.concessions, 'concession')} "
        f"({figures.with_get} with a get, {figures.without_get} without) · average effective discount {avg} · "
        f"{figures.escalate} at escalate, {figures.walk_away} at walk away · "
        f"{figures.walked} walked away ({figures.came_back} came back since) · "
        f"{figures.won} won (average discount {_pct(figures.won_discount_bp)}), "
        f"{figures.lost} lost (average discount {_pct(figures.lost_discount_bp)})"
    )


def _bands(team: TeamFigures) -> str:
    lines = ["*Win rate by discount* (deals closed this period)"]
    for band in team.bands:
        rate = f"{band.win_rate:.0%}" if band.win_rate is not None else "no deals"
        lines.append(f"{band.label}: {rate} ({band.won} won, {band.lost} lost)")
    lines.append(f"Deals just under the cap: {team.under_cap}")
    return "\n".join(lines)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _pct(basis_points: float | None) -> str:
    return percent(basis_points) if basis_points is not None else "n/a"
