"""The `/deal` command language: typed commands and the parser that reads them from text."""

from bot.commands.parse import USAGE, parse_command, usage_for
from bot.commands.types import *  # noqa: F403

__all__ = ["USAGE", "parse_command", "usage_for"]
