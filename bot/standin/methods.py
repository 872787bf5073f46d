"""The Web API methods the Slack stand-in answers, over the workspace it keeps: channels, users, messages, views
and uploads, each refused as Slack would refuse it."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.standin.installs import Team
from bot.standin.listing import conversations_list
from bot.standin.records import Message, Recorded, Upload
from bot.standin.refusals import Refusal, check_message, checked_view

# Message timestamps are "seconds.micros"; counting in micros keeps them unique and ordered.
FIRST_TS_MICROS = 1_700_000_000_000_100
TS_STEP_MICROS = 100

BOT_ID = "B0BOT"
APP_ID = "A0DEALCOACH"


class WebAPIMethods:
    """Answers each Web API method from the workspace's state, changing it as Slack would."""

    def __init__(self, team_id: str, bot_user_id: str, recorded: Recorded, lock: threading.RLock) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.site_url = ""  # where the stand-in listens, once started: upload URLs are handed out under it
        self._recorded = recorded
        self._lock = lock
        self._channels: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._ids = 0
        self._ts_micros = FIRST_TS_MICROS
        self._caller: Team | None = None  # the workspace whose token the call being answered came with
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "conversations.list": lambda params: conversations_list(self._channels, params),
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "reactions.add": self._reactions_add,
        }

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

    def answer(self, method: str, params: dict[str, Any], caller: Team | None = None) -> dict[str, Any]:
        """Slack's JSON answer to one call of `method` (ok or not), made with `caller`'s token, as things stand."""
        handler = self._handlers.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        try:
            with self._lock:
                self._caller = caller
                return {"ok": True, **handler(params)}
        except Refusal as refusal:
            return {"ok": False, "error": refusal.error}

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
        for message in self._recorded.messages:
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
        caller = self._caller
        return {
            "url": "https://standin.slack.com/",
            "team": caller.name if caller else "Stand-in Workspace",
            "user": "dealcoach",
            "team_id": caller.team_id if caller else self.team_id,
            "user_id": caller.bot_user_id if caller else self.bot_user_id,
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
        self._recorded.messages.append(message)
        return {"channel": message.channel, "ts": message.ts, "message": self._message_payload(message)}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        user = params.get("user")
        if not user:
            raise Refusal("user_not_found")
        self._user(user)
        message = self._new_message(params, ephemeral_to=str(user))
        self._recorded.ephemerals.append(message)
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
        self._recorded.messages.remove(message)
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
        if view_id not in self._recorded.views:
            raise Refusal("not_found")
        return {"view": self._store_view(view, str(view_id))}

    def _view_id_by_external(self, external_id: Any) -> str | None:
        for view_id, view in self._recorded.views.items():
            if external_id and view.get("external_id") == external_id:
                return view_id
        return None

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise Refusal("invalid_arguments")
        self._user(user_id)
        view = checked_view(params.get("view"))
        stored = self._store_view(view, self._recorded.home_views.get(str(user_id)) or self._next_id("V"))
        self._recorded.home_views[str(user_id)] = stored["id"]
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
        self._recorded.views[view_id] = stored
        return copy.deepcopy(stored)

    def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = str(params.get("filename") or "")
        if not filename or not str(params.get("length") or "").isdigit():
            raise Refusal("invalid_arguments")
        file_id = self._next_id("F")
        self._recorded.uploads[file_id] = Upload(file_id=file_id, filename=filename, title=filename)
        upload_url = f"{self.site_url}/upload/{file_id}"
        return {"upload_url": upload_url, "file_id": file_id}

    def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise Refusal("invalid_arguments")
        channel = self._channel(params["channel_id"])["id"] if params.get("channel_id") else None
        completed = [self._complete_upload(entry, channel, params) for entry in entries]
        return {"files": completed}

    def _complete_upload(self, entry: Any, channel: str | None, params: dict[str, Any]) -> dict[str, Any]:
        file_id = entry.get("id") if isinstance(entry, dict) else None
        upload = self._recorded.uploads.get(file_id) if isinstance(file_id, str) else None
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
