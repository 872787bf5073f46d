"""A local stand-in for Slack's Web API over real HTTP, for tests and the offline demo and console."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.standin.refusals import Refusal, check_message, check_response_payload, checked_view

# slack_sdk form-encodes these as JSON strings; tests want to inspect them as data.
JSON_STRING_FIELDS = ("blocks", "attachments", "view", "metadata", "files")

# Message timestamps are "seconds.micros"; counting in micros keeps them unique and ordered.
FIRST_TS_MICROS = 1_700_000_000_000_100
TS_STEP_MICROS = 100

BOT_ID = "B0BOT"
APP_ID = "A0DEALCOACH"
JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Call:
    """One Web API request as the stand-in received it."""

    method: str
    params: dict[str, Any]
    at: float
    fault: str | None = None  # the injected fault this call was answered with, if any (see fail_next, stall_next)


@dataclass
class Message:
    """A message the bot posted; ephemeral ones name the only user who sees them."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    user: str = ""
    ephemeral_to: str | None = None
    updated: bool = False
    metadata: dict[str, Any] | None = None
    reactions: list[str] = field(default_factory=list)


@dataclass
class Upload:
    """A file sent through files.getUploadURLExternal, the upload URL and files.completeUploadExternal."""

    file_id: str
    filename: str
    title: str
    data: bytes = b""
    channel: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False


@dataclass
class _Fault:
    status: int
    retry_after: int
    error: str | None
    remaining: int
    stall: float = 0.0  # seconds before answering, so a client with a shorter timeout gives up first
    carried_out: bool = False  # a stalled call still does what it asked (Slack posted, the answer was late)

    def describe(self) -> str:
        if self.stall:
            return f"stall {self.stall:g}s" + (" (carried out)" if self.carried_out else "")
        return f"{self.status} {self.error}" if self.error else str(self.status)


class SlackStandIn:
    """Answers Slack Web API methods on 127.0.0.1 and records everything the app sent."""

    def __init__(self, token: str = "xoxb-test", team_id: str = "T0001", bot_user_id: str = "U0BOT") -> None:
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.base_url: str | None = None
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._channels: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._ids = 0
        self._ts_micros = FIRST_TS_MICROS
        self._reset_records()
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "reactions.add": self._reactions_add,
        }

    def _reset_records(self) -> None:
        self._calls: list[Call] = []
        self._messages: list[Message] = []
        self._ephemerals: list[Message] = []
        self._responses: list[tuple[str, dict[str, Any]]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._uploads: dict[str, Upload] = {}

    # ----- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> str:
        """Listens on a free port of 127.0.0.1; returns the base URL for WebClient(base_url=...)."""
        if self._server is not None:
            return self.base_url or ""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
        server.daemon_threads = True
        server.standin = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-standin", daemon=True
        )
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}/api/"
        return self.base_url

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ----- fixtures --------------------------------------------------------------------------------------

    def set_channel(self, channel_id: str, *, name: str | None = None, is_ext_shared: bool = False) -> None:
        with self._lock:
            self._channels[channel_id] = _channel_record(channel_id, name, is_ext_shared)

    def set_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        tz: str = "America/New_York",
    ) -> None:
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "name": name or user_id.lower(),
                "is_admin": is_admin,
                "is_owner": is_owner,
                "tz": tz,
            }

    # ----- what the app did ------------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if call.method == method]

    def clear(self) -> None:
        """Forgets recorded calls, messages, responses, views and uploads; keeps fixtures and faults."""
        with self._lock:
            self._reset_records()

    def messages(
        self, channel: str | None = None, *, thread_ts: str | None = None, include_threads: bool = True
    ) -> list[Message]:
        """Visible messages in posting order; `thread_ts` selects that thread's replies (not its parent)."""
        with self._lock:
            found = [m for m in self._messages if channel is None or m.channel == channel]
            if thread_ts is not None:
                found = [m for m in found if m.thread_ts == thread_ts]
            elif not include_threads:
                found = [m for m in found if m.thread_ts is None]
            return copy.deepcopy(found)

    def ephemerals(self, user: str | None = None) -> list[Message]:
        with self._lock:
            return copy.deepcopy([m for m in self._ephemerals if user is None or m.ephemeral_to == user])

    def response_url(self, key: str) -> str:
        """A response_url for a fake command or action; what is posted to it shows up in responses(key)."""
        if self.base_url is None:
            raise RuntimeError("start() the stand-in before asking for a response_url")
        return self.base_url.removesuffix("api/") + "respond/" + quote(key, safe="")

    def responses(self, key: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy([body for k, body in self._responses if key is None or k == key])

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for the user, if any."""
        with self._lock:
            view_id = self._home_views.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._views.get(view_id)
            return copy.deepcopy(found) if found else None

    def uploads(self) -> list[Upload]:
        with self._lock:
            return copy.deepcopy(list(self._uploads.values()))

    def wait_for(self, predicate: Callable[[], object], timeout: float = 5.0) -> bool:
        """Polls for work the app does in the background (alert delivery, lazy listeners)."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    # ----- fault injection -------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        count: int = 1,
        error: str | None = None,
    ) -> None:
        """The next `count` calls of `method` fail: 429 rate limit, 5xx outage, or 200 with ok:false."""
        with self._lock:
            self._faults.setdefault(method, deque()).append(_Fault(status, retry_after, error, count))

    def stall_next(self, method: str, seconds: float, *, count: int = 1, carried_out: bool = False) -> None:
        """The next `count` calls of `method` answer only after `seconds`, as when Slack hangs: a client with a
        shorter timeout gives up first. By default the call is not carried out (the late answer is a 504);
        with `carried_out` it is, as when Slack posted the message but its answer never arrived."""
        with self._lock:
            self._faults.setdefault(method, deque()).append(
                _Fault(504, 0, None, count, stall=seconds, carried_out=carried_out))

    def delay(self, method: str, seconds: float) -> None:
        """Every later call of `method` waits this long before answering; 0 removes the delay."""
        with self._lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    # ----- HTTP entry points (called from the server's threads) ------------------------------------------

    def _serve(self, verb: str, target: str, headers: Any, body: bytes) -> Reply:
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/api/") and verb in ("POST", "GET"):
            return self._serve_api(path.removeprefix("/api/"), parts.query, headers, body)
        if path.startswith("/respond/") and verb == "POST":
            return self._serve_response_url(unquote(path.removeprefix("/respond/")), body)
        if path.startswith("/upload/") and verb in ("POST", "PUT"):
            return self._serve_upload(path.removeprefix("/upload/"), body)
        return _text_reply(404, "not_found")

    def _serve_api(self, method: str, query: str, headers: Any, body: bytes) -> Reply:
        try:
            params = _decode_params(headers.get("Content-Type", ""), body, query)
        except Refusal as refusal:
            self._record(method, {})
            return _json_reply(200, {"ok": False, "error": refusal.error})
        form_token = params.pop("token", None)
        call = self._record(method, params)
        with self._lock:
            pause = self._delays.get(method)
        if pause:
            time.sleep(pause)
        auth_error = self._auth_error(headers.get("Authorization", ""), form_token)
        if auth_error:
            return _json_reply(200, {"ok": False, "error": auth_error})
        fault = self._take_fault(method)
        if fault is None:
            return _json_reply(200, self._answer(method, params))
        with self._lock:
            call.fault = fault.describe()
        if fault.stall:
            time.sleep(fault.stall)
            if fault.carried_out:
                return _json_reply(200, self._answer(method, params))
        return _fault_reply(fault)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = self._handlers.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        try:
            with self._lock:
                return {"ok": True, **handler(params)}
        except Refusal as refusal:
            return {"ok": False, "error": refusal.error}

    def _record(self, method: str, params: dict[str, Any]) -> Call:
        call = Call(method, copy.deepcopy(params), time.monotonic())
        with self._lock:
            self._calls.append(call)
        return call

    def _auth_error(self, authorization: str, form_token: Any) -> str | None:
        token = authorization.removeprefix("Bearer ").strip() if authorization else form_token
        if not token:
            return "not_authed"
        return None if token == self.token else "invalid_auth"

    def _take_fault(self, method: str) -> _Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            return fault

    def _serve_response_url(self, key: str, body: bytes) -> Reply:
        # Slack answers a bad response_url post with 4xx and a plain-text error word.
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            return _text_reply(400, "invalid_payload")
        if not isinstance(payload, dict):
            return _text_reply(400, "invalid_payload")
        try:
            check_response_payload(payload)
        except Refusal as refusal:
            return _text_reply(400, refusal.error)
        with self._lock:
            self._responses.append((key, payload))
        return _text_reply(200, "ok")

    def _serve_upload(self, file_id: str, body: bytes) -> Reply:
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return _text_reply(404, "file_not_found")
            upload.data = body
        return _text_reply(200, f"OK - {len(body)}")

    # ----- ids, channels and users -----------------------------------------------------------------------

    def _next_ts(self) -> str:
        seconds, micros = divmod(self._ts_micros, 1_000_000)
        self._ts_micros += TS_STEP_MICROS
        return f"{seconds}.{micros:06d}"

    def _next_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids:010d}"

    def _channel(self, channel: Any) -> dict[str, Any]:
        """Finds (or, for plausible ids, invents) the channel a method names, as Slack would resolve it."""
        channel = str(channel or "")
        if channel in self._channels:
            return self._channels[channel]
        by_name = [c for c in self._channels.values() if c["name"] == channel.lstrip("#")]
        if by_name:
            return by_name[0]
        if channel[:1] in ("U", "W"):
            return self._open_dm(channel)
        if channel[:1] in ("C", "G", "D"):
            # Auto-created so simple tests need no set_channel; Slack Connect needs set_channel.
            self._channels[channel] = _channel_record(channel, None, False)
            return self._channels[channel]
        raise Refusal("channel_not_found")

    def _open_dm(self, user_id: str) -> dict[str, Any]:
        dm_id = "D" + user_id[1:]
        if dm_id not in self._channels:
            record = _channel_record(dm_id, None, False)
            record["user"] = user_id
            self._channels[dm_id] = record
        return self._channels[dm_id]

    def _user(self, user_id: Any) -> dict[str, Any]:
        user_id = str(user_id or "")
        if user_id not in self._users:
            if user_id[:1] not in ("U", "W"):
                raise Refusal("user_not_found")
            self.set_user(user_id)
        return self._users[user_id]

    def _find_message(self, channel_id: str, ts: Any) -> Message:
        for message in self._messages:
            if message.channel == channel_id and message.ts == ts:
                return message
        raise Refusal("message_not_found")

    def _message_payload(self, message: Message) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "type": "message",
            "user": message.user,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.team_id,
            "text": message.text,
            "ts": message.ts,
        }
        if message.blocks:
            payload["blocks"] = message.blocks
        if message.thread_ts:
            payload["thread_ts"] = message.thread_ts
        if message.metadata:
            payload["metadata"] = message.metadata
        return payload

    # ----- methods ---------------------------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://standin.slack.com/",
            "team": "Stand-in Workspace",
            "user": "dealcoach",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "is_enterprise_install": False,
        }

    def _new_message(self, params: dict[str, Any], ephemeral_to: str | None = None) -> Message:
        check_message(params, require_content=True)
        channel = self._channel(params.get("channel"))
        thread_ts = params.get("thread_ts") or None
        return Message(
            channel=channel["id"],
            ts=self._next_ts(),
            text=str(params.get("text") or ""),
            blocks=params.get("blocks") or [],
            thread_ts=str(thread_ts) if thread_ts else None,
            user=self.bot_user_id,
            ephemeral_to=ephemeral_to,
            metadata=params.get("metadata") if isinstance(params.get("metadata"), dict) else None,
        )

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._new_message(params)
        self._messages.append(message)
        return {"channel": message.channel, "ts": message.ts, "message": self._message_payload(message)}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        user = params.get("user")
        if not user:
            raise Refusal("user_not_found")
        self._user(user)
        message = self._new_message(params, ephemeral_to=str(user))
        self._ephemerals.append(message)
        return {"message_ts": message.ts}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        check_message(params, require_content=False)
        message = self._find_message(self._channel(params.get("channel"))["id"], params.get("ts"))
        # Like Slack, fields the update leaves out keep their old value; an empty list clears blocks.
        if "text" in params:
            message.text = str(params["text"] or "")
        if "blocks" in params:
            message.blocks = params["blocks"] or []
        if isinstance(params.get("metadata"), dict):
            message.metadata = params["metadata"]
        message.updated = True
        payload = self._message_payload(message)
        return {"channel": message.channel, "ts": message.ts, "text": message.text, "message": payload}

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find_message(self._channel(params.get("channel"))["id"], params.get("ts"))
        self._messages.remove(message)
        return {"channel": message.channel, "ts": message.ts}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find_message(self._channel(params.get("channel"))["id"], params.get("message_ts"))
        link = f"https://standin.slack.com/archives/{message.channel}/p{message.ts.replace('.', '')}"
        if message.thread_ts:
            link += f"?thread_ts={message.thread_ts}&cid={message.channel}"
        return {"channel": message.channel, "permalink": link}

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"channel": dict(self._channel(params.get("channel")))}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            return {"channel": {"id": self._channel(params["channel"])["id"]}}
        users = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
        if not users:
            raise Refusal("users_list_not_supplied")
        for user in users:
            self._user(user)
        if len(users) == 1:
            return {"channel": {"id": self._open_dm(users[0])["id"]}}
        group_id = "G" + "".join(u[1:] for u in sorted(users))[:20]
        return {"channel": {"id": self._channel(group_id)["id"]}}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"user": self._user_payload(self._user(params.get("user")))}

    def _user_payload(self, user: dict[str, Any]) -> dict[str, Any]:
        offset, label = _tz_offset(user["tz"])
        return {
            "id": user["id"],
            "team_id": self.team_id,
            "name": user["name"],
            "real_name": user["name"],
            "deleted": False,
            "is_bot": user["id"] == self.bot_user_id,
            "is_admin": user["is_admin"],
            "is_owner": user["is_owner"],
            "is_primary_owner": False,
            "tz": user["tz"],
            "tz_label": label,
            "tz_offset": offset,
            "profile": {"real_name": user["name"], "display_name": user["name"]},
        }

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        # views.open and views.push both need the short-lived trigger of an interaction.
        if not (params.get("trigger_id") or params.get("interactivity_pointer")):
            raise Refusal("invalid_arguments")
        return {"view": self._store_view(checked_view(params.get("view")), self._next_id("V"))}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = checked_view(params.get("view"))
        view_id = params.get("view_id") or self._view_id_by_external(params.get("external_id"))
        if view_id not in self._views:
            raise Refusal("not_found")
        return {"view": self._store_view(view, str(view_id))}

    def _view_id_by_external(self, external_id: Any) -> str | None:
        for view_id, view in self._views.items():
            if external_id and view.get("external_id") == external_id:
                return view_id
        return None

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise Refusal("invalid_arguments")
        self._user(user_id)
        view = checked_view(params.get("view"))
        stored = self._store_view(view, self._home_views.get(str(user_id)) or self._next_id("V"))
        self._home_views[str(user_id)] = stored["id"]
        return {"view": stored}

    def _store_view(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        stored = {
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "state": {"values": {}},
            "hash": f"{time.time():.6f}",
            "root_view_id": view_id,
            "previous_view_id": None,
        }
        self._views[view_id] = stored
        return copy.deepcopy(stored)

    def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = str(params.get("filename") or "")
        if not filename or not str(params.get("length") or "").isdigit():
            raise Refusal("invalid_arguments")
        file_id = self._next_id("F")
        self._uploads[file_id] = Upload(file_id=file_id, filename=filename, title=filename)
        upload_url = (self.base_url or "").removesuffix("api/") + f"upload/{file_id}"
        return {"upload_url": upload_url, "file_id": file_id}

    def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise Refusal("invalid_arguments")
        channel = self._channel(params["channel_id"])["id"] if params.get("channel_id") else None
        completed = [self._complete_upload(entry, channel, params) for entry in entries]
        return {"files": completed}

    def _complete_upload(self, entry: Any, channel: str | None, params: dict[str, Any]) -> dict[str, Any]:
        upload = self._uploads.get(entry.get("id") if isinstance(entry, dict) else None)
        if upload is None:
            raise Refusal("file_not_found")
        upload.title = entry.get("title") or upload.title
        upload.channel = channel
        upload.thread_ts = params.get("thread_ts") or None
        upload.initial_comment = params.get("initial_comment") or None
        upload.completed = True
        size = len(upload.data)
        return {"id": upload.file_id, "name": upload.filename, "title": upload.title, "size": size}

    def _reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find_message(self._channel(params.get("channel"))["id"], params.get("timestamp"))
        name = str(params.get("name") or "")
        if not name:
            raise Refusal("invalid_name")
        if name in message.reactions:
            raise Refusal("already_reacted")
        message.reactions.append(name)
        return {}


class _RequestHandler(BaseHTTPRequestHandler):
    """Thin HTTP shell: reads the body, lets the stand-in decide, writes the answer."""

    server_version = "SlackStandIn/1.0"

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.standin._serve(  # type: ignore[attr-defined]
            self.command, self.path, self.headers, body
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        # Tests and the demo print what matters themselves; per-request lines would drown it.
        return


# ----- request decoding and replies -------------------------------------------------------------------------


def _decode_params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if "json" in content_type.lower():
        params.update(_json_body(body))
    elif "multipart" in content_type.lower():
        raise Refusal("invalid_form_data")
    elif body:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for name in JSON_STRING_FIELDS:
        if name in params:
            params[name] = _maybe_json(params[name])
    return params


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        loaded = json.loads(body or b"{}")
    except ValueError:
        raise Refusal("invalid_json") from None
    if not isinstance(loaded, dict):
        raise Refusal("invalid_json")
    return loaded


def _maybe_json(value: Any) -> Any:
    if not isinstance(value, str) or value[:1] not in ("[", "{"):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _json_reply(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": JSON_TYPE, **(headers or {})}, json.dumps(payload).encode("utf-8")


def _text_reply(status: int, text: str) -> Reply:
    return status, {"Content-Type": TEXT_TYPE}, text.encode("utf-8")


def _fault_reply(fault: _Fault) -> Reply:
    if fault.status == 429:
        payload = {"ok": False, "error": fault.error or "ratelimited"}
        return _json_reply(429, payload, {"Retry-After": str(fault.retry_after)})
    if fault.status >= 500:
        return _text_reply(fault.status, fault.error or "")
    return _json_reply(fault.status, {"ok": False, "error": fault.error or "internal_error"})


def _channel_record(channel_id: str, name: str | None, is_ext_shared: bool) -> dict[str, Any]:
    kind = channel_id[:1]
    return {
        "id": channel_id,
        "name": name or f"channel-{channel_id.lower()}",
        "is_channel": kind == "C",
        "is_group": kind == "G",
        "is_im": kind == "D",
        "is_private": kind in ("G", "D"),
        "is_archived": False,
        "is_member": True,
        "is_ext_shared": is_ext_shared,
        "is_shared": is_ext_shared,
        "is_org_shared": False,
    }


def _tz_offset(tz_name: str) -> tuple[int, str]:
    try:
        now = datetime.now(ZoneInfo(tz_name))
    except (ZoneInfoNotFoundError, ValueError):
        return 0, "UTC"
    offset = now.utcoffset()
    return int(offset.total_seconds()) if offset else 0, now.tzname() or tz_name
