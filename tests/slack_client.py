"""Plays Slack in tests: signed requests over HTTP, built from Slack's own payloads in tests/fixtures."""

from __future__ import annotations

import copy
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from bot.delivery.worker import OutboxWorker
from bot.slack.ids import Shortcut
from bot.standin import SlackStandIn
from bot.standin.requests import RequestSigner

PAYLOADS = Path(__file__).resolve().parent / "fixtures" / "slack" / "payloads" / "bolt_python"


def slack_payload(name: str) -> Any:
    """The `payload` of one of Slack's own test bodies, e.g. "test_slash_command__slash_command_body"."""
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))["payload"]


def shortcut_payload(standin: SlackStandIn, *, user: str, channel: str, ts: str, thread_ts: str | None,
                     words: str, team: str = "T0TEST") -> dict[str, Any]:
    """Slack's own message_action body: "Coach this message" used on one message."""
    payload = copy.deepcopy(slack_payload("test_shortcut__message_shortcut_body"))
    payload["callback_id"] = str(Shortcut.COACH_MESSAGE)
    payload["team"] = {"id": team, "domain": "test"}
    payload["user"] = {"id": user, "name": user.lower(), "team_id": team}
    payload["channel"] = {"id": channel, "name": "deals"}
    payload["message_ts"] = ts
    payload["response_url"] = standin.response_url(f"shortcut-{ts}")
    message = payload["message"]
    message.update(text=words, ts=ts, user="U0CUSTOMER", team=team)
    message.pop("blocks", None)
    if thread_ts is not None:
        message["thread_ts"] = thread_ts
    else:
        message.pop("thread_ts", None)
    return payload


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    raw: bytes

    @property
    def text(self) -> str:
        """Everything the user would read in the reply, blocks included."""
        return json.dumps(self.body, ensure_ascii=False)


class SlackClient:
    def __init__(self, server: str, secret: str, standin: SlackStandIn, worker: OutboxWorker, *,
                 team_id: str) -> None:
        self.server, self.standin, self.worker, self.team_id = server, standin, worker, team_id
        self._signer = RequestSigner(secret)
        self._responses = 0
        self._events = 0

    def command(self, text: str, *, user: str, channel: str = "C0DEALS", team_id: str | None = None,
                **overrides: str) -> Answer:
        """A `/deal` command built from Slack's own slash-command body, fields replaced."""
        fields = dict(parse_qsl(slack_payload("test_slash_command__slash_command_body"), keep_blank_values=True))
        self._responses += 1
        fields.update(team_id=team_id or self.team_id, user_id=user, channel_id=channel, command="/deal",
                      text=text, response_url=self.standin.response_url(f"r{self._responses}"))
        fields.pop("enterprise_id", None)
        fields.pop("enterprise_name", None)
        fields.update(overrides)
        return self.post(urlencode(fields), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict[str, Any]) -> Answer:
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def press(self, blocks: list[dict[str, Any]], action_id: str, *, user: str, channel: str,
              message: dict[str, Any] | None = None, response_url: str | None = None) -> Answer:
        """Presses the button `action_id` found in `blocks`, with Slack's own block_actions body."""
        button = next(element for block in blocks if block.get("type") == "actions"
                      for element in block["elements"] if element["action_id"] == action_id)
        payload = copy.deepcopy(slack_payload("test_block_actions__body"))
        payload["user"].update(id=user, team_id=self.team_id)
        payload["team"] = {"id": self.team_id, "domain": "example"}
        payload["channel"] = {"id": channel, "name": "channel"}
        ts = (message or {}).get("ts", "1.2")
        payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel,
                                "is_ephemeral": message is None}
        if message is not None:
            payload["message"] = message
        if response_url is not None:
            payload["response_url"] = response_url
        payload["actions"] = [{**payload["actions"][0], "action_id": action_id, "block_id": "x",
                               "value": button["value"], "text": button["text"]}]
        answer = self.interactive(payload)
        self.deliver()
        return answer

    def open_home(self, user: str) -> dict[str, Any]:
        """`user` opens the app's Home tab (Slack's own app_home_opened body); the view the app published."""
        body = copy.deepcopy(slack_payload("test_payload_utils__app_home_opened_home_body"))
        self._events += 1
        body.update(team_id=self.team_id, event_id=f"Ev-home-{user}-{self._events}")
        body.pop("enterprise_id", None)
        body["event"]["user"] = user
        assert self.event(body).status == 200
        self.deliver()
        view = self.standin.home_view(user)
        assert view is not None, "views.publish was not called for the user"
        return view

    def press_in_home(self, view: dict[str, Any], action_id: str, state: dict[str, dict[str, Any]], *,
                      user: str) -> Answer:
        """Presses a button of a published Home tab, with Slack's own block_actions body as a Home sends it: the
        view (blocks as published) with `state` as what the person picked, and no channel or response URL."""
        block, button = next((block, element) for block in view["blocks"] if block.get("type") == "actions"
                             for element in block["elements"] if element["action_id"] == action_id)
        payload = copy.deepcopy(slack_payload("test_block_actions__body"))
        payload["user"].update(id=user, team_id=self.team_id)
        payload["team"] = {"id": self.team_id, "domain": "example"}
        for field in ("channel", "response_url", "message"):
            payload.pop(field, None)
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = {**view, "state": {"values": state}}
        payload["actions"] = [{**payload["actions"][0], "action_id": action_id, "block_id": block.get("block_id", "b"),
                               "value": button["value"], "text": button["text"]}]
        answer = self.interactive(payload)
        self.deliver()
        return answer

    def event(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> Answer:
        return self.post(json.dumps(body), "application/json", headers=headers)

    def post(self, body: str, content_type: str, *, headers: dict[str, str] | None = None,
             timestamp: int | None = None, signature: str | None = None) -> Answer:
        signed = self._signer.sign(body, content_type=content_type, timestamp=timestamp, extra=headers)
        request_headers = dict(signed.headers)
        if signature is not None:
            request_headers["x-slack-signature"] = signature
        request = urllib.request.Request(f"{self.server}/slack/events", data=body.encode(),
                                         headers=request_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            raw, status = error.read(), error.code
        try:
            parsed = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            parsed = {"_raw": raw.decode(errors="replace")}
        return Answer(status, parsed if isinstance(parsed, dict) else {"_value": parsed}, raw)

    def deliver(self) -> None:
        """Runs the outbox to the end, as the background worker would."""
        self.worker.drain()

    def view_submission(self, view: dict[str, Any], values: dict[str, dict[str, str]], *, user: str) -> Answer:
        """A submission built from Slack's own view_submission body, with our view and typed values."""
        payload = copy.deepcopy(slack_payload("test_view_submission__body"))
        state = {block: {action: {"type": "plain_text_input", "value": value} for action, value in actions.items()}
                 for block, actions in values.items()}
        payload["team"]["id"] = self.team_id
        payload["user"].update(id=user, team_id=self.team_id)
        payload["view"].update({k: v for k, v in view.items() if k in (
            "callback_id", "private_metadata", "blocks", "title", "submit", "close")})
        payload["view"]["state"] = {"values": state}
        payload["view"]["team_id"] = self.team_id
        payload.pop("enterprise", None)
        payload["team"].pop("enterprise_id", None)
        return self.interactive(payload)


def now() -> int:
    return int(time.time())
