"""Child processes in tests: the environment they start with, and a free port for one to listen on."""

from __future__ import annotations

import os
from pathlib import Path

from bot.standin.loopback import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]

__all__ = ["REPO_ROOT", "child_env", "free_port"]


def child_env(**settings: str) -> dict[str, str]:
    """Our environment without any Deal Coach, Slack or LLM settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "DEALCOACH_", "OPENAI_")) and k not in ("DATABASE_URL", "PORT")}
    env.update(PYTHONPATH=str(REPO_ROOT), PYTHONUNBUFFERED="1", **settings)
    return env
