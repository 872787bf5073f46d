"""The routing table: every Slack entry point this app answers, registered in one place."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, installs, shortcuts, views
from bot.slack.router import CommandRouter, Services


def register(app: App, services: Services) -> None:
    router = CommandRouter(services)
    commands.register(app, router)
    actions.register(app, services)
    views.register(app, services)
    shortcuts.register(app, services)
    events.register(app, services)
    if services.installs is not None:
        installs.register(app, services.installs)
