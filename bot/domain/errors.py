"""Errors the domain and services raise; each carries a sentence fit to show the user."""

from __future__ import annotations


class DealCoachError(Exception):
    """Base: `message` is what the user reads; nothing was recorded when one is raised.
    `field` names the input at fault (name, list, floor, target, cap, customer) where one is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InputError(DealCoachError):
    """The user typed something that does not parse or breaks a rule of the command."""


class NotFound(DealCoachError):
    """No such deal in this workspace (another workspace's deals are never found)."""


class NotAllowed(DealCoachError):
    """The user may not do this (not the deal's owner, not a manager)."""


class Conflict(DealCoachError):
    """The change clashes with the deal's state (a closed deal, a name already open)."""
