"""Every Slack id this app uses (commands, actions, blocks, views, shortcuts): a typo is an import error."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    DEAL = "/deal"


class Event(StrEnum):
    MESSAGE = "message"
    APP_HOME_OPENED = "app_home_opened"
    CHANNEL_SHARED = "channel_shared"
    CHANNEL_UNSHARED = "channel_unshared"
    APP_UNINSTALLED = "app_uninstalled"  # OAuth mode: the workspace's token is dropped
    TOKENS_REVOKED = "tokens_revoked"


# The manifest's bot events: Slack names message events by the kind of conversation.
MANIFEST_BOT_EVENTS = ("message.channels", "message.groups", Event.APP_HOME_OPENED.value,
                       Event.CHANNEL_SHARED.value, Event.CHANNEL_UNSHARED.value, Event.APP_UNINSTALLED.value,
                       Event.TOKENS_REVOKED.value)


class Shortcut(StrEnum):
    COACH_MESSAGE = "coach-message"


class View(StrEnum):
    NEW_DEAL = "new-deal-modal"
    GIVE_WORTH = "give-worth-modal"


class Block(StrEnum):
    NAME = "deal-name"
    LIST = "deal-list"
    FLOOR = "deal-floor"
    TARGET = "deal-target"
    CAP = "deal-cap"
    CUSTOMER = "deal-customer"
    TERM = "deal-term"
    WORTH = "give-worth"


class SetupBlock(StrEnum):
    """The fields of a manager's setup on the App Home."""

    MANAGERS = "setup-managers"
    ALERT_CHANNEL = "setup-alert-channel"
    DIGEST_CHANNEL = "setup-digest-channel"
    DIGEST_DAY = "setup-digest-day"
    DIGEST_HOUR = "setup-digest-hour"


class Action(StrEnum):
    NAME = "deal-name-input"
    LIST = "deal-list-input"
    FLOOR = "deal-floor-input"
    TARGET = "deal-target-input"
    CAP = "deal-cap-input"
    CUSTOMER = "deal-customer-input"
    TERM = "deal-term-input"
    WORTH = "give-worth-input"
    SET_WORTH = "give-set-worth"
    APPROVE_EXCEPTION = "alert-approve-exception"
    TELL_WALK_AWAY = "alert-tell-walk-away"
    PRICE_CHART = "deal-price-chart"
    LOG_ASK = "proposal-log-ask"
    LOG_CONCESSION = "proposal-log-concession"
    DISMISS = "proposal-dismiss"
    SETUP_MANAGERS = "setup-managers-select"
    SETUP_ALERT_CHANNEL = "setup-alert-channel-select"
    SETUP_DIGEST_CHANNEL = "setup-digest-channel-select"
    SETUP_DIGEST_DAY = "setup-digest-day-select"
    SETUP_DIGEST_HOUR = "setup-digest-hour-select"
    SAVE_SETUP = "setup-save"
