"""Every user-visible sentence that is not LLM output, and the small formatters they share."""

from __future__ import annotations

from decimal import Decimal

from bot.coach.types import OFFLINE_READER, CoachName
from bot.domain.deals import ConcessionSpec, describe
from bot.domain.model import ConcessionType, Deal, Verdict
from bot.domain.money import format_money, format_percent
from bot.services.results import MoveKind

VERDICT_EMOJI = {
    Verdict.OK: ":large_green_circle:",
    Verdict.PUSH_BACK: ":large_yellow_circle:",
    Verdict.ESCALATE: ":large_orange_circle:",
    Verdict.WALK_AWAY: ":red_circle:",
}

HEADLINES = {
    MoveKind.OPENED: "Opened *{name}*. Your floor is set and private to you and your managers.",
    MoveKind.STATUS: "*{name}*",
    MoveKind.ASK: "Logged the customer's ask on *{name}*; nothing is given until you concede it.",
    MoveKind.CONCESSION: "Logged your concession on *{name}*.",
    MoveKind.GET: "Logged what you got on *{name}*.",
    MoveKind.WORTH: "Logged what {text} is worth on *{name}*: {worth}.",
    MoveKind.COACH: "Coaching for *{name}*.",
    MoveKind.QUALIFY: "Updated what you know about *{name}*.",
    MoveKind.HOURS: "Added your time on *{name}*.",
    MoveKind.FLAG: "Flagged *{name}*.",
    MoveKind.CLEAR: "Cleared the flags on *{name}*.",
    MoveKind.WALK: "You walked away from *{name}*. Customers often come back on your terms: `/deal back {name}`.",
    MoveKind.WON: "Marked *{name}* as won.",
    MoveKind.LOST: "Marked *{name}* as lost.",
    MoveKind.BACK: "*{name}* is open again: the customer came back.",
}

PUBLIC_NOTES = {
    MoveKind.CONCESSION: "<@{by}> gave {text}{get}.",
    MoveKind.GET: "<@{by}> got {text} in return.",
    MoveKind.WALK: "<@{by}> walked away from this deal.{reason}",
    MoveKind.WON: "Won. :tada:{reason}",
    MoveKind.LOST: "Lost.{reason}",
    MoveKind.BACK: "The customer came back; the deal is open again.",
}

CLOSED = {
    "walked": "Closed: you walked away from this deal{note}.",
    "won": "Closed: won{note}.",
    "lost": "Closed: lost{note}.",
}
CAME_BACK = "The customer came back after a walk-away{price}."

# A closed deal's final state (replies only the rep and managers see: it measures the price against the floor).
# `{price}`: the won price ("$95,000"), else the ledger's ("an effective $95,000").
CLOSED_AT = {"won": "Won at {price}", "walked": "Walked away at {price}", "lost": "Lost at {price}"}
AN_EFFECTIVE = "an effective {price}"
# Said alike to the rep, to a manager reading the status, and in the managers' channel.
AGAINST = {1: "{gap} above the {limit} of {amount}", 0: "at the {limit} of {amount}",
           -1: "{gap} below the {limit} of {amount}"}
BY_THE_LEDGER = "By the ledger: {figures}"
EARLIER_GIVES = "Gives {first} to {last} of {count} shown; `/deal status {name} page {page}` shows the ones before."
PAST_THE_LEDGER = "No gives on page {page}: this deal's gives fill pages 1 to {pages}."
WON_BELOW_FLOOR = ":warning: *{name}* was won below its floor: {price} is {gap} under it."
MANAGERS_TOLD = "The managers were told."
WON_BELOW_FLOOR_ALERT = (
    ":rotating_light: *{name}* (#{id}){customer} · owner <@{owner}>\n"
    "<@{owner}> won this deal below its floor."
)
# The card in the channel: a closed deal shows how it ended in place of a verdict (and never a price).
CARD_CLOSED = {
    "walked": ":door: Closed: walked away",
    "won": ":trophy: Closed: won",
    "lost": ":heavy_multiplication_x: Closed: lost",
}
# A line of a list (`/deal list`, App Home) for a closed deal: its stage in place of a verdict.
STAGE_EMOJI = {"walked": ":door:", "won": ":trophy:", "lost": ":heavy_multiplication_x:"}

# `/deal undo`: what was taken back, in the rep's words. `{got}` reads "the case study" for "a case study".
TOOK_BACK = {
    "pair": "Took back: {given}, and {got} you got for it.",
    "concession": "Took back: {given}.",
    "get": "Took back: {got}, the get you logged for {given}. That concession stands, with nothing in return.",
    "ask": "Took back the customer's ask: “{ask}”.",
}
KEPT_AS_HISTORY = {1: "It stays in the deal's history as taken back.",
                   2: "Both stay in the deal's history as taken back."}
# The same in the deal's thread (no amounts: a price move is "a price concession"). Taking back an ask leaves no
# note, as the ask left none.
PUBLIC_UNDO = {
    "pair": "<@{by}> took back: {text}, and {get} received for it.",
    "concession": "<@{by}> took back: {text}.",
    "get": "<@{by}> took back: {text}, the get logged for {answered}.",
}

DECISION_NOTES = {
    "approve": "<@{by}> approved an exception to the discount cap for this deal, until the next concession.",
    "walk away": "<@{by}> asked <@{owner}> to walk away from this deal.",
}
DECISION_TO_REP = {
    "approve": "<@{by}> approved an exception to the discount cap on *{name}*. It covers your latest "
               "concession; the next one is judged afresh.",
    "walk away": "<@{by}> reviewed the alert on *{name}* and asks you to walk away. When you do: "
                 "`/deal walk {name} <reason>`.",
}
DECISION_IN_ALERT = {
    "approve": ":white_check_mark: <@{by}> approved an exception to the cap.",
    "walk away": ":no_entry: <@{by}> told <@{owner}> to walk away.",
}

LLM_FOLLOWS = "The LLM coach's phrasing will replace this advice in a moment."
LLM_NOTHING_TO_ADD = "The LLM coach had nothing to add; the advice above stands."
DIGEST_TITLE = "Deal Coach: last {period}"
CHART_TITLE = "{name}: price path (private: shows your floor)"
NUDGE = (
    "These deals have had no activity for a while. "
    "Log what happened, or close them with `/deal walk`, `won` or `lost`:"
)

# `/deal export`: what the file covers, the reply, the file's title, and the words when it cannot be delivered.
EXPORT_SPANS = {"week": "deals active this week", "month": "deals active this month",
                "quarter": "deals active this quarter", "all": "all deals"}
EXPORT_QUEUED = "Your export of {deals} is on its way to your direct messages."
EXPORT_NOTHING = {"week": "No deals had any activity this week", "month": "No deals had any activity this month",
                  "quarter": "No deals had any activity this quarter", "all": "There are no deals yet"}
EXPORT_TITLE = "Deal Coach export: {span} (private: shows floors)"
EXPORT_FAILED = "I could not deliver your Deal Coach export{why}. Ask for it again with `/deal export`."

HELP_INTRO = (
    "*Deal Coach* keeps you from giving a deal away. Set your walk-away floor before you negotiate, "
    "log every concession with what you got for it, and every move gets a verdict and coaching."
)
NO_ALERT_CHANNEL = (
    "No alert channel is set, so managers were not told; "
    "a manager can set one in Deal Coach's Home tab or with `/deal policy alert_channel=#channel`."
)
SETUP_ADMINS_ARE_MANAGERS = (
    ":information_source: No managers are named yet, so your Slack workspace's admins and owners, you included, "
    "act as managers. Pick your sales managers below and save: from then on they, not the admins, decide on "
    "alerts and change this setup, and each gets the weekly digest by direct message."
)
SETUP_MANAGERS_HINT = (
    "They decide on alerts, see the whole team's deals, get the weekly digest and change this setup. "
    "Include yourself to stay a manager."
)
SETUP_ALERT_HINT = "Where a deal that needs a manager's decision is announced. Invite Deal Coach to a private channel."
SETUP_DIGEST_HINT = "Optional. Without one, each manager gets the weekly digest by direct message only."
SETUP_SAVED = ":white_check_mark: Setup saved."
SETUP_UNCHANGED = "Nothing to save: the setup is as shown."
SETUP_MORE = "The limits (the cap and the rest) are changed with `/deal policy key=value`; `/deal policy` lists them."
EXT_SHARED = (
    "This channel is shared with another organisation, so everything about this deal stays visible only to you."
)
CARD_FAILED = (
    "I could not post the card for *{name}* in this channel ({why}). The deal is open and every command "
    "works; invite Deal Coach to the channel to get a card and a deal thread."
)
# Slack's error codes, as the reasons a person reads; an unknown code is quoted for their admin.
SLACK_ERRORS = {
    "not_in_channel": "Deal Coach is not a member of it",
    "channel_not_found": "Slack could not find it, or Deal Coach is not a member of it",
    "is_archived": "it is archived",
    "restricted_action": "the workspace's settings do not allow it",
    "expired_trigger_id": "the request to open it expired",
    "invalid_auth": "Deal Coach's sign-in to Slack is not valid",
    "account_inactive": "Deal Coach's sign-in to Slack is not valid",
    "not_authed": "Deal Coach's sign-in to Slack is not valid",
}
STAGES = {"open": "open", "walked": "walked away", "won": "won", "lost": "lost"}
POLICY_GLOSSES = {
    "cap": "an effective discount above it goes to the managers",
    "near_floor": "less headroom than this gets a push back",
    "unreciprocated": "concessions in a row with nothing received before a push back",
    "max_concessions": "concessions on one deal before a push back",
    "time_share": "time on a deal worth more than this gets a push back",
    "stale_days": "a rep is reminded of a deal untouched this long",
}
TRY_AGAIN = "Deal Coach could not reach its database just now; nothing was changed. Please try again in a moment."
UNEXPECTED = (
    "Something went wrong on our side and nothing was changed. Please try again; "
    "if it keeps happening, quote `{ref}` to your admin."
)


def answered_by(coach: CoachName) -> str:
    """Who phrased the advice, as the rep reads it under the advice."""
    if coach.model is None:
        return "Answered by the offline coach."
    return f"Answered by the LLM coach ({coach.model})."


def read_by(reader: str) -> str:
    """Who read an offer out of a message: the offline reader, or the LLM and its model."""
    return "the offline reader" if reader == OFFLINE_READER else f"the LLM ({reader})"


def verdict_line(verdict: Verdict, prefix: str = "Verdict") -> str:
    return f"{VERDICT_EMOJI[verdict]} {prefix}: *{verdict.word}*"


def money(deal: Deal, cents: int) -> str:
    return format_money(cents, deal.currency)


def percent(basis_points: Decimal | float) -> str:
    return format_percent(float(basis_points))


def definite(text: str) -> str:
    """"a case study" as "the case study", to name a thing already mentioned; other words as they are."""
    first, _, rest = text.partition(" ")
    return f"the {rest}" if first.lower() in ("a", "an") and rest else text


def yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "not confirmed"}[value]


def plain_amount(cents: int) -> str:
    whole, part = divmod(cents, 100)
    return f"{whole:,}" if part == 0 else f"{whole:,}.{part:02d}"


def slack_error(code: str) -> str:
    return SLACK_ERRORS.get(code, f"Slack answered `{code}`")


def export_failed(error: str) -> str:
    """The export's failure as its manager reads it: Slack's reason when it is one a person can act on."""
    reason = SLACK_ERRORS.get(error)
    return EXPORT_FAILED.format(why=f": {reason}" if reason else " after several tries")


def offer_words(deal: Deal, spec: ConcessionSpec) -> str:
    """A concession read from someone's words, said back in the deal's currency: "a new price of $92,500",
    "$7,500 off", "5% off list", "3 months free"."""
    if spec.type is ConcessionType.PRICE and spec.amount is not None:
        return f"a new price of {format_money(spec.amount.cents, deal.currency)}"
    return describe(deal, spec)
