"""What the Slack stand-in keeps of what the app did: each Web API call, message, response-URL post, view and upload."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    """One Web API request as the stand-in received it."""

    method: str
    params: dict[str, Any]
    at: float
    fault: str | None = None  # the injected fault this call was answered with, if any (see fail_next, stall_next)
    token: str | None = None  # the bot token it came with: which workspace's


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


class Recorded:
    """Everything the app left in the stand-in; `forget()` starts afresh (channels, users and faults stay)."""

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        self.calls: list[Call] = []
        self.messages: list[Message] = []
        self.ephemerals: list[Message] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []  # (response_url key, what was posted to it)
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, str] = {}  # user id -> the id of the App Home view published for them
        self.uploads: dict[str, Upload] = {}
