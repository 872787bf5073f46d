"""Events API listeners. Slack needs a 2xx for every event it sends, so each subscribed event has one."""

from __future__ import annotations

from slack_bolt import App


def register(app: App) -> None:
    @app.event("message")
    def thread_message() -> None:
        """Thread messages are acknowledged; reading asks and concessions from them comes with the coach."""

    @app.event("app_home_opened")
    def home_opened() -> None:
        """Acknowledged; the App Home view comes with the manager features."""
