"""A whole Slack workspace on this machine: the stand-in Web API, the real app, signed requests, SQLite.

The demo, the console and the tests drive Deal Coach through it exactly as Slack would, offline."""

from __future__ import annotations

import itertools
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.bootstrap import Container, build
from bot.config import Settings
from bot.db.engine import session_factory
from bot.db.migrate import upgrade
from bot.services.digests import DigestService
from bot.standin.requests import (
    RequestSigner,
    command_body,
    event_body,
    interactive_body,
    view_submission,
)
from bot.standin.webapi import Message, SlackStandIn

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Seen:
    """One thing a person would see: where, and the message."""

    where: str
    message: Message


class LocalWorkspace:
    def __init__(self, database_url: str, *, team_id: str = "T0DEMO", managers: tuple[str, ...] = (),
                 alert_channel: str | None = None, pace_seconds: float = 0, **settings: Any) -> None:
        self.team_id = team_id
        self._database_url = database_url
        self._managers, self._alert_channel, self._extra = managers, alert_channel, settings
        self._pace = pace_seconds  # Slack's one message a second per channel; 0 keeps demos and tests quick
        self._secret = secrets.token_hex(16)
        self._signer = RequestSigner(self._secret)
        self._events = itertools.count(1)
        self._seen: set[tuple[str, str, str]] = set()
        self._responders: dict[str, tuple[str, str]] = {}  # response_url key -> who pressed or typed, and where
        self._answered: dict[str, int] = {}  # response_url key -> how many of its posts deliver() has shown
        self.standin = SlackStandIn(team_id=team_id)
        self.container: Container | None = None

    def __enter__(self) -> LocalWorkspace:
        base_url = self.standin.start()
        upgrade(self._database_url)
        settings = Settings(
            _env_file=None,
            SLACK_BOT_TOKEN=self.standin.token,
            SLACK_SIGNING_SECRET=self._secret,
            SLACK_API_URL=base_url,
            DATABASE_URL=self._database_url,
            DEALCOACH_MANAGERS=",".join(self._managers),
            DEALCOACH_ALERT_CHANNEL=self._alert_channel or "",
            **self._extra,
        )
        self.container = build(settings, pace_seconds=self._pace)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.container is not None:
            self.container.close()
        self.standin.stop()

    @property
    def app(self) -> App:
        assert self.container is not None, "use LocalWorkspace as a context manager"
        return self.container.app

    def command(self, user: str, text: str, *, channel: str) -> dict[str, Any]:
        """`/deal <text>` from `user` in `channel`; returns the acknowledgement body (what only they see)."""
        body = command_body(text, team_id=self.team_id, user_id=user, channel_id=channel,
                            response_url=self._response_url(user, channel))
        return self._dispatch(body, FORM)

    def submit_view(self, user: str, view: dict[str, Any], values: dict[str, dict[str, str]]) -> dict[str, Any]:
        payload = view_submission(view, values, team_id=self.team_id, user_id=user)
        return self._dispatch(interactive_body(payload), FORM)

    def click(self, user: str, message: Message, action_id: str) -> dict[str, Any]:
        """`user` presses the button `action_id` on a posted message, as Slack reports it."""
        button = next(element for block in message.blocks if block.get("type") == "actions"
                      for element in block.get("elements", []) if element.get("action_id") == action_id)
        return self.press(user, message, button)

    def press(self, user: str, message: Message, button: dict[str, Any]) -> dict[str, Any]:
        """`user` presses `button` (one of `message`'s) as Slack reports it: the click carries a channel's
        message with it, but of a private one (`ephemeral_to`) only where it is. What the app posts to the click's
        response URL shows in deliver()."""
        block_id = next((block.get("block_id") for block in message.blocks
                         if button in [block.get("accessory"), *block.get("elements", [])]), None)
        ephemeral = message.ephemeral_to is not None
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": self.team_id},
            "team": {"id": self.team_id},
            "channel": {"id": message.channel},
            "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel,
                          "is_ephemeral": ephemeral},
            "response_url": self._response_url(user, message.channel),
            # Slack names a block that has no id of its own.
            "actions": [{"action_id": button["action_id"], "block_id": block_id or "b1", "type": "button",
                         "value": button.get("value", ""), "text": button["text"], "action_ts": message.ts}],
            "trigger_id": f"{next(self._events)}.1.trigger",
        }
        if not ephemeral:
            payload["message"] = {"type": "message", "ts": message.ts, "text": message.text, "blocks": message.blocks}
        return self._dispatch(interactive_body(payload), FORM)

    def event(self, event: dict[str, Any]) -> int:
        response = self.app.dispatch(BoltRequest(**self._signed(
            event_body(event, team_id=self.team_id, event_id=f"Ev{next(self._events):08d}"), "application/json")))
        return response.status

    def open_home(self, user: str) -> dict[str, Any] | None:
        """`user` opens the app's Home tab, as Slack reports it; the view the app published for them."""
        self.event({"type": "app_home_opened", "user": user, "channel": f"D{user[1:]}", "tab": "home",
                    "event_ts": f"{next(self._events)}.000100"})
        self.deliver()
        return self.standin.home_view(user)

    def send_digests(self, at: datetime) -> int:
        """The scheduler's digest sweep, as if it ran at `at`; returns how many digests it queued."""
        assert self.container is not None
        digests = DigestService(self.container.uow, session_factory(self.container.engine),
                                settings_managers=self.container.settings.manager_ids, clock=lambda: at)
        return digests.queue_due_digests()

    def deliver(self) -> list[Seen]:
        """Runs the outbox to the end and returns what appeared in Slack since the last call: messages, posts to
        the response URLs of commands and clicks, and files."""
        assert self.container is not None
        self.container.worker.drain()
        fresh = []
        for message in self.standin.messages() + self.standin.ephemerals():
            # A card edited in place shows again, marked as updated.
            key = (message.channel, message.ts, json.dumps(message.blocks, sort_keys=True) + message.text)
            if key in self._seen:
                continue
            self._seen.add(key)
            where = f"only {message.ephemeral_to}" if message.ephemeral_to else message.channel
            if message.thread_ts:
                where += " thread"
            elif message.updated:
                where += " (updated)"
            fresh.append(Seen(where, message))
        return fresh + self._answers() + self._files()

    def _response_url(self, user: str, channel: str) -> str:
        key = f"{user}-{next(self._events)}"
        self._responders[key] = (user, channel)
        return self.standin.response_url(key)

    def _answers(self) -> list[Seen]:
        """What the app posted to response URLs since the last call: private to whoever typed or pressed,
        in place of the message pressed when it says so (`updated`), or that message removed (no text)."""
        fresh = []
        for key, (user, channel) in self._responders.items():
            bodies = self.standin.responses(key)
            for body in bodies[self._answered.get(key, 0):]:
                replaced = bool(body.get("replace_original") or body.get("delete_original"))
                text = "" if body.get("delete_original") else str(body.get("text") or "")
                fresh.append(Seen(f"only {user}", Message(channel, "", text, body.get("blocks") or [],
                                                          ephemeral_to=user, updated=replaced)))
            self._answered[key] = len(bodies)
        return fresh

    def _files(self) -> list[Seen]:
        """Files the app sent since the last call (the price chart, the digest's chart), by their titles."""
        fresh = []
        for upload in self.standin.uploads():
            channel = upload.channel or ""
            key = (channel, upload.file_id, "file")
            if upload.completed and key not in self._seen:
                self._seen.add(key)
                fresh.append(Seen(channel, Message(channel, "", f"[file: {upload.title}]", [])))
        return fresh

    def _dispatch(self, body: str, content_type: str) -> dict[str, Any]:
        response = self.app.dispatch(BoltRequest(**self._signed(body, content_type)))
        if response.status != 200:
            raise RuntimeError(f"the app answered HTTP {response.status}: {response.body}")
        return json.loads(response.body) if response.body else {}

    def _signed(self, body: str, content_type: str) -> dict[str, Any]:
        signed = self._signer.sign(body, content_type=content_type)
        return {"body": signed.body, "headers": signed.headers}
