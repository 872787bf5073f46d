"""Every Slack id this app uses (commands, actions, blocks, views, shortcuts): a typo is an import error."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    DEAL = "/deal"


class Shortcut(StrEnum):
    COACH_MESSAGE = "coach-message"


class View(StrEnum):
    NEW_DEAL = "new-deal-modal"


class Block(StrEnum):
    NAME = "deal-name"
    LIST = "deal-list"
    FLOOR = "deal-floor"
    TARGET = "deal-target"
    CAP = "deal-cap"
    CUSTOMER = "deal-customer"


class Action(StrEnum):
    NAME = "deal-name-input"
    LIST = "deal-list-input"
    FLOOR = "deal-floor-input"
    TARGET = "deal-target-input"
    CAP = "deal-cap-input"
    CUSTOMER = "deal-customer-input"
    OPEN_STATUS = "deal-open-status"
