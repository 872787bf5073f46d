"""Slack's forms: opening one with a request's trigger, and its nested view state flattened once per submission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import replies, words
from bot.render.blocks import Reply


@dataclass(frozen=True)
class OpenForm:
    """An answer that is a form to open: the router decides, the listener opens it with its Bolt client (only
    the listener has one). `instead` says how to do the same without the form, should Slack refuse it."""

    view: dict[str, Any]
    trigger_id: str
    instead: str
    usage: str | None = None

    def open_with(self, client: WebClient) -> Reply | None:
        """Nothing when the form opened (the acknowledgement stays empty); else why not, and the way round."""
        try:
            client.views_open(trigger_id=self.trigger_id, view=self.view)
        except SlackApiError as exc:
            why = words.slack_error(str(exc.response.get("error")))
            return replies.error_reply(f"Slack would not open the form ({why}); {self.instead}.", self.usage)
        return None


def flatten_state(view: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for element in (actions or {}).values():
            if not isinstance(element, dict):
                continue
            value = element.get("value")
            if value is None and isinstance(element.get("selected_option"), dict):
                value = element["selected_option"].get("value")
            values[block_id] = (value or "").strip()
    return values
