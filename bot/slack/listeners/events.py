"""Events API listeners. Slack needs a 2xx for every event it sends, so each subscribed event has one."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.render.proposals import proposal_message
from bot.slack.ids import Event
from bot.slack.router import Services


def register(app: App, services: Services) -> None:
    @app.event(Event.MESSAGE)
    def thread_message(body: dict[str, Any], event: dict[str, Any]) -> None:
        """A rep's reply in a deal thread that names an offer gets a private proposal with buttons: read and
        coached by the LLM off the request path when one is configured, offline here otherwise."""
        team, event_id = body.get("team_id"), body.get("event_id")
        if not (isinstance(team, str) and team and isinstance(event_id, str) and event_id and isinstance(event, dict)):
            return
        threads = services.threads
        if threads is None:  # as in shortcuts.py: no thread service, nothing to read threads with
            return
        message = threads.locate(team, event_id, event)
        if message is None or (services.followups is not None and services.followups.propose(message)):
            return
        proposal = threads.offline_proposal(message)
        if proposal is not None:
            services.notices.private(proposal.actor, proposal_message(proposal), thread_ts=proposal.thread_ts)

    @app.event(Event.APP_HOME_OPENED)
    def home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        """The Home tab is published by the outbox worker, off the request path."""
        team, user, event_id = body.get("team_id"), event.get("user"), body.get("event_id")
        if event.get("tab", "home") == "home" and isinstance(team, str) and team and isinstance(user, str) and user:
            services.notices.refresh_home(team, user, event_id=event_id if isinstance(event_id, str) else None)

    @app.event(Event.CHANNEL_SHARED)
    def channel_shared(body: dict[str, Any], event: dict[str, Any]) -> None:
        """The customer's organisation may now read the channel: nothing more is posted there in the open."""
        _remember(services, body, event, shared=True)

    @app.event(Event.CHANNEL_UNSHARED)
    def channel_unshared(body: dict[str, Any], event: dict[str, Any]) -> None:
        _remember(services, body, event, shared=False)


def _remember(services: Services, body: dict[str, Any], event: dict[str, Any], *, shared: bool) -> None:
    team, channel = body.get("team_id"), event.get("channel")
    if isinstance(team, str) and isinstance(channel, str) and team and channel:
        services.notices.remember_channel(team, channel, is_ext_shared=shared)
