"""An export's file as the worker uploads it: the CSV made now, people named as Slack knows them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.messages import ExportPayload
from bot.render import words
from bot.render.export_csv import deals_csv
from bot.services.exports import ExportService

log = logging.getLogger(__name__)


def export_file(client: WebClient, exports: ExportService, team_id: str,
                export: ExportPayload) -> tuple[bytes, str, str]:
    """The file's content, name and title."""
    records = exports.records(team_id, export.period)
    people = {record.deal.owner_id for record in records} | {
        entry.by_user for record in records for entry in record.deal.entries}
    content = deals_csv(records, names=slack_names(client, people)).encode()
    day = export.period.end.astimezone(ZoneInfo(export.timezone)).date().isoformat()
    title = words.EXPORT_TITLE.format(span=words.EXPORT_SPANS[export.period.name])
    return content, f"deal-coach-{export.period.name}-{day}.csv", title


def slack_names(client: WebClient, user_ids: Iterable[str]) -> dict[str, str]:
    """Each person's name as Slack shows it; one Slack refuses (gone, or a limit reached) is left to their id."""
    names: dict[str, str] = {}
    for user_id in sorted(user_ids):
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            log.warning("users.info failed for an export's names: %s", exc.response.get("error"))
            continue
        name = (user.get("profile") or {}).get("display_name") or user.get("real_name") or user.get("name")
        if name:
            names[user_id] = str(name)
    return names
