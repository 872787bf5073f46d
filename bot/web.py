"""The WSGI application `serve` runs: Slack's endpoint and a health check, nothing else."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.db.repositories import database_answers

if TYPE_CHECKING:
    from bot.bootstrap import Container

log = logging.getLogger(__name__)
SLACK_PATH = "/slack/events"


class WebApp:
    def __init__(self, slack: SlackRequestHandler, engine: Engine) -> None:
        self._slack, self._engine = slack, engine

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return self._health(start_response)
        if path == SLACK_PATH and method == "POST":
            return self._slack(environ, start_response)
        return _json(start_response, "404 Not Found", {"error": "not found"})

    def _health(self, start_response: Callable) -> Iterable[bytes]:
        try:
            database_answers(self._engine)
        except SQLAlchemyError as exc:
            log.warning("health check: database unavailable (%s)", type(exc).__name__)
            return _json(start_response, "503 Service Unavailable", {"status": "unavailable", "database": "down"})
        return _json(start_response, "200 OK", {"status": "ok", "database": "ok"})


def _json(start_response: Callable, status: str, body: dict) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def make_wsgi(container: Container) -> WebApp:
    return WebApp(SlackRequestHandler(container.app, path=SLACK_PATH), container.engine)
