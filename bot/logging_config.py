"""How every `dealcoach` command logs: INFO and above from our code, WARNING and above from the libraries that
would otherwise log requests (Slack's bodies carry customers' words; URLs can carry tokens)."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log request bodies, URLs or headers below WARNING: Bolt logs a badly signed request's body at
# INFO, slack_sdk logs requests (the bot token among the headers) at DEBUG, the HTTP client under the LLM's SDK
# logs every request's URL at INFO.
QUIET_LIBRARIES = ("slack_bolt", "slack_sdk", "openai", "httpx", "httpx2", "httpcore", "urllib3")


def configure_logging(*, quiet: bool = False) -> None:
    """Set up once, before anything is built: Bolt copies a logger's level when it creates one."""
    level = logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format=FORMAT)
    logging.getLogger().setLevel(level)  # basicConfig does nothing when a handler is already there
    logging.getLogger("alembic").setLevel(level)
    # Alembic announces each of its plugins at INFO when imported: noise before any start-up error.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
