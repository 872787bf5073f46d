"""The `/deal` command language: typed commands (`types`) and the parser that reads them from text."""

from bot.commands.parse import USAGE, parse_command, usage_for

__all__ = ["USAGE", "parse_command", "usage_for"]
