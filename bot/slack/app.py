"""Builds the Bolt app: listeners run inside the request, so a command is answered in its own ack."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from bot.config import Settings
from bot.slack import listeners
from bot.slack.install import Install
from bot.slack.router import Services

log = logging.getLogger(__name__)


class _ClientHoldsTheToken(logging.Filter):
    """Bolt warns that `token` goes unused whenever SLACK_BOT_TOKEN is set and a client is given, which is how one
    workspace runs: the client is built with that very token, so the warning would only mislead an admin."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


BOLT_LOG = logging.getLogger("slack_bolt.dealcoach")
BOLT_LOG.addFilter(_ClientHoldsTheToken())


def build_app(settings: Settings, services: Services, client: WebClient, *,
              install: Install | None = None) -> App:
    """`install`: OAuth mode, where each workspace's requests are answered with its own bot token."""
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    oauth = {} if install is None else install.bolt_options(client)
    app = DealCoachApp(
        # Named, or Bolt names the app after its caller's file through inspect.stack(), which reads the source
        # of every frame on the stack: 5 to 80 ms per app, paid by every test that builds one.
        name="dealcoach",
        client=client,
        **oauth,
        # Bolt gives each of its loggers the level of this one (else the root's, at the time it is built):
        # with no level of its own it follows `slack_bolt`'s, which `bot.logging_config` keeps at WARNING
        # (Bolt logs a badly signed request's body at INFO).
        logger=BOLT_LOG,
        signing_secret=secret,
        # Listeners answer within the request: a `/deal` reply is the ack itself, sent after the commit.
        # Bolt's default instead polls for the ack every 10 ms from a 5-thread pool (about 40x slower).
        process_before_response=True,
        token_verification_enabled=False,
        request_verification_enabled=secret is not None,
    )
    listeners.register(app, services)
    return app


class DealCoachApp(App):
    """Bolt's app, refusing (400) a payload whose fields are not of the types Slack sends before Bolt or a
    listener reads them: Bolt's own middleware and matchers fail with a server error on, say, an `event` that
    is null or an `actions` list that is empty, and a listener should not have to check every field's type.
    Over HTTP the signature has been checked by then (`bot.web`); Socket Mode needs none."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        problem = payload_problem(req.body)
        if problem is not None:
            log.warning("refused a request not in Slack's shape: %s", problem)  # names the field, never its value
            return BoltResponse(status=400, body={"error": "not a Slack payload"})
        return super().dispatch(req)


# Slack's payload shapes, as far as Bolt and our listeners read them. A field may be missing (None where Slack
# sends null); when present it has Slack's type. Unknown fields are not looked at.

MAX_ID_CHARS = 24  # Slack's ids (T…, U…, C…, Ev…) are about 11 characters; the database keeps up to 32


@dataclass(frozen=True)
class _Id:
    """A Slack id: short, printable ASCII, no spaces."""

    limit: int = MAX_ID_CHARS

    def problem(self, value: object, where: str) -> str | None:
        if not isinstance(value, str):
            return f"`{where}` is {_kind(value)}, not an id"
        if len(value) > self.limit or not value.isascii() or not value.isprintable() or " " in value:
            return f"`{where}` is not a Slack id ({len(value)} characters)"
        return None


@dataclass(frozen=True)
class _Text:
    def problem(self, value: object, where: str) -> str | None:
        return None if isinstance(value, str) else f"`{where}` is {_kind(value)}, not text"


@dataclass(frozen=True)
class _Url:
    """Where Slack takes a reply (`response_url`): the outbox worker posts to it later."""

    def problem(self, value: object, where: str) -> str | None:
        if not isinstance(value, str):
            return f"`{where}` is {_kind(value)}, not a URL"
        if len(value) > 2000 or not value.isascii() or not value.isprintable() or " " in value:
            return f"`{where}` is not a URL"
        try:
            parts = urlsplit(value)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                return f"`{where}` is not a URL"
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            return f"`{where}` is not a URL"
        return None


@dataclass(frozen=True)
class _Flag:
    def problem(self, value: object, where: str) -> str | None:
        return None if isinstance(value, (bool, str)) else f"`{where}` is {_kind(value)}, not true or false"


@dataclass(frozen=True)
class _Object:
    fields: dict[str, Any] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    values: Any = None  # every value's shape, for a map such as a view's state

    def problem(self, value: object, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"`{where}` is {_kind(value)}, not an object"
        for key in self.required:
            if value.get(key) is None:
                return f"`{where}.{key}` is missing"
        for key, child in value.items():
            shape = self.fields.get(key, self.values)
            if shape is not None and child is not None:
                found: str | None = shape.problem(child, f"{where}.{key}")
                if found:
                    return found
        return None


@dataclass(frozen=True)
class _List:
    item: Any
    non_empty: bool = False

    def problem(self, value: object, where: str) -> str | None:
        if not isinstance(value, list):
            return f"`{where}` is {_kind(value)}, not a list"
        if self.non_empty and not value:
            return f"`{where}` is empty"
        for n, child in enumerate(value):
            found: str | None = self.item.problem(child, f"{where}[{n}]")
            if found is not None:
                return found
        return None


def _kind(value: object) -> str:
    return "null" if value is None else f"a {type(value).__name__}"


_ID, _TEXT, _FLAG = _Id(), _Text(), _Flag()
_MESSAGE = _Object({"ts": _TEXT, "thread_ts": _TEXT, "text": _TEXT, "user": _ID, "bot_id": _ID, "subtype": _TEXT,
                    "team": _ID, "blocks": _List(_Object())})
_EVENT = _Object({"type": _TEXT, "subtype": _TEXT, "user": _ID, "channel": _ID, "text": _TEXT, "ts": _TEXT,
                  "thread_ts": _TEXT, "event_ts": _TEXT, "tab": _TEXT, "team": _ID, "user_team": _ID, "bot_id": _ID,
                  "channel_type": _TEXT, "connected_team_id": _ID, "message": _MESSAGE,
                  "previous_message": _MESSAGE}, required=frozenset({"type"}))
_VIEW = _Object({"id": _TEXT, "callback_id": _TEXT, "private_metadata": _TEXT, "team_id": _ID,
                 "app_installed_team_id": _ID, "external_id": _TEXT, "hash": _TEXT, "type": _TEXT,
                 "state": _Object({"values": _Object(values=_Object(values=_Object(
                     {"value": _TEXT, "selected_option": _Object({"value": _TEXT})})))})},
                required=frozenset({"type"}))
_PAYLOAD = _Object({
    "type": _TEXT, "token": _TEXT, "team_id": _ID, "user_id": _ID, "channel_id": _ID, "enterprise_id": _ID,
    "api_app_id": _ID, "event_id": _Id(64), "command": _TEXT, "text": _TEXT, "trigger_id": _TEXT,
    "response_url": _Url(), "callback_id": _TEXT, "challenge": _TEXT, "message_ts": _TEXT,
    "action_id": _TEXT, "block_id": _TEXT,  # a block_suggestion's, which Bolt's matchers compare as text
    "is_enterprise_install": _FLAG, "is_ext_shared_channel": _FLAG,
    # Interactivity payloads carry these as objects (events name them by id, inside `event`).
    "team": _Object({"id": _ID, "enterprise_id": _ID}),
    "user": _Object({"id": _ID, "team_id": _ID}),
    "channel": _Object({"id": _ID}),
    "enterprise": _Object({"id": _ID}),
    "container": _Object({"message_ts": _TEXT, "channel_id": _ID, "thread_ts": _TEXT, "is_ephemeral": _FLAG}),
    "message": _MESSAGE,
    "actions": _List(_Object({"action_id": _TEXT, "block_id": _TEXT, "value": _TEXT, "type": _TEXT},
                             required=frozenset({"action_id"})), non_empty=True),
    "view": _VIEW,
    "response_urls": _List(_Object({"response_url": _Url()})),
    "authorizations": _List(_Object({"team_id": _ID, "user_id": _ID, "enterprise_id": _ID, "is_bot": _FLAG,
                                     "is_enterprise_install": _FLAG})),
    "event": _EVENT,
})
# Fields Bolt reads with `.get(key, {})`: present but null is as bad as the wrong type.
_NOT_NULL = ("event", "view", "actions")
# What Bolt's matchers index without a check, by payload type.
_REQUIRED = {"block_actions": ("actions",), "view_submission": ("view",), "view_closed": ("view",),
             "message_action": ("callback_id",), "shortcut": ("callback_id",),
             "interactive_message": ("callback_id",), "block_suggestion": ("action_id",)}


def payload_problem(body: object) -> str | None:
    """Where a parsed request departs from Slack's shapes in a field Bolt or a listener reads; None if nowhere."""
    if not isinstance(body, dict):
        return f"the body is {_kind(body)}, not an object"
    for key in _NOT_NULL:
        if key in body and body[key] is None:
            return f"`{key}` is null"
    kind = body.get("type")
    for key in _REQUIRED.get(kind, ()) if isinstance(kind, str) else ():
        if body.get(key) is None:
            return f"`{key}` is missing from a {kind} payload"
    if kind in ("view_submission", "view_closed") and isinstance(body.get("view"), dict) and not isinstance(
            body["view"].get("callback_id"), str):
        return "`view.callback_id` is missing"
    return _PAYLOAD.problem(body, "body")
