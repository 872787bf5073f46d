"""Builds signed requests shaped like Slack's (slash commands, view submissions, shortcuts, events)."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

_TRIGGERS = itertools.count(1)


@dataclass(frozen=True)
class SignedRequest:
    body: str
    headers: dict[str, str]


class RequestSigner:
    """Signs bodies the way Slack does: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`."""

    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret)

    def sign(self, body: str, *, content_type: str, timestamp: int | None = None,
             extra: dict[str, str] | None = None) -> SignedRequest:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = self._verifier.generate_signature(timestamp=stamp, body=body)
        assert signature is not None, "slack_sdk signs whenever it is given a timestamp"
        headers = {
            "content-type": content_type,
            "x-slack-request-timestamp": stamp,
            "x-slack-signature": signature,
            **(extra or {}),
        }
        return SignedRequest(body, headers)


def command_body(text: str, *, team_id: str, user_id: str, channel_id: str, response_url: str = "",
                 user_name: str = "rep", command: str = "/deal") -> str:
    """The form fields Slack posts for a slash command, in its order."""
    fields = {
        "token": "unused-verification-token",
        "team_id": team_id,
        "team_domain": "example",
        "channel_id": channel_id,
        "channel_name": "deals",
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": "A0DEALCOACH",
        "is_enterprise_install": "false",
        "response_url": response_url or f"https://hooks.slack.invalid/commands/{team_id}/1/x",
        "trigger_id": f"{next(_TRIGGERS)}.1.trigger",
    }
    return urlencode(fields)


def interactive_body(payload: dict[str, Any]) -> str:
    """Interactivity arrives as a form with one `payload` field holding JSON."""
    return urlencode({"payload": json.dumps(payload)})


def view_submission(view: dict[str, Any], values: dict[str, dict[str, str]], *, team_id: str,
                    user_id: str) -> dict[str, Any]:
    """A submission of `view` with {block_id: {action_id: value}} typed in."""
    state = {block: {action: {"type": "plain_text_input", "value": value} for action, value in actions.items()}
             for block, actions in values.items()}
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "example"},
        "user": {"id": user_id, "username": "rep", "name": "rep", "team_id": team_id},
        "api_app_id": "A0DEALCOACH",
        "token": "unused-verification-token",
        "trigger_id": f"{next(_TRIGGERS)}.1.trigger",
        "view": {**view, "id": "V0001", "team_id": team_id, "state": {"values": state}, "hash": "1.abc"},
        "response_urls": [],
    }


def event_body(event: dict[str, Any], *, team_id: str, event_id: str) -> str:
    return json.dumps({
        "token": "unused-verification-token",
        "team_id": team_id,
        "api_app_id": "A0DEALCOACH",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team_id, "user_id": "U0BOT", "is_bot": True}],
    })
