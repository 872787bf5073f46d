"""A proposal read from a deal's thread logs, on a click, what a typed command with the same words would log: the
same checks (another currency on the deal is refused, not taken as the deal's), the same text (Slack's `&amp;`
is the rep's `&`), the same limits."""

from __future__ import annotations

import copy

from conftest import CHANNEL, REP, TEAM
from reliability_support import snapshot
from slack_client import slack_payload

from bot.domain.concession_text import MAX_TEXT_CHARS
from bot.slack.ids import Action


def deal_thread(slack, standin, opening: str = "new acme list=100k floor=80k") -> str:  # noqa: ANN001
    slack.command(opening, user=REP)
    slack.deliver()
    return standin.messages(CHANNEL, include_threads=False)[0].ts


def say(slack, thread_ts: str, words: str, event_id: str) -> None:  # noqa: ANN001
    """A message in the deal's thread, escaped as Slack escapes message text."""
    body = copy.deepcopy(slack_payload("test_message__message_body"))
    body.update(team_id=TEAM, event_id=event_id)
    body.pop("enterprise_id", None)
    escaped = words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body["event"].update(text=escaped, user=REP, channel=CHANNEL, ts=f"{float(thread_ts) + 1:.6f}",
                         thread_ts=thread_ts, team=TEAM)
    assert slack.event(body).status == 200
    slack.deliver()


def latest_proposal(standin):  # noqa: ANN001, ANN201
    found = [m for m in standin.ephemerals(REP) if any(b.get("type") == "actions" for b in m.blocks)]
    assert found, [m.text for m in standin.ephemerals(REP)]
    return found[-1]


def click(slack, proposal, action: Action, key: str):  # noqa: ANN001, ANN201
    return slack.press(proposal.blocks, action, user=REP, channel=CHANNEL, response_url=slack.standin.response_url(key))


def entries(container) -> list:  # noqa: ANN001
    with container.uow(TEAM) as uow:
        return [e for e in uow.deals.get(name="acme").entries if e.active]


def test_a_euro_cut_read_in_a_dollar_deals_thread_is_never_logged_as_dollars(slack, standin, container) -> None:  # noqa: ANN001
    thread = deal_thread(slack, standin)
    before = snapshot(container, ("deal", "ledger_entry"))
    say(slack, thread, "we knocked €5k off to get it done", "Ev-euro")
    assert not [m for m in standin.ephemerals(REP) if any(b.get("type") == "actions" for b in m.blocks)], \
        "nothing to propose: the offer is in another currency"
    assert snapshot(container, ("deal", "ledger_entry")) == before
    # Typed, the same words are refused.
    assert "This deal is in USD" in slack.command("concede acme cut €5k", user=REP).text


def test_a_euro_cut_proposed_in_a_euro_deals_thread_carries_its_currency_and_is_logged_in_euros(  # noqa: ANN001
        slack, standin, container) -> None:
    thread = deal_thread(slack, standin, "new acme list=€100k floor=€80k")
    say(slack, thread, "we knocked €5k off to get it done", "Ev-euro-ok")
    proposal = latest_proposal(standin)
    values = [e["value"] for b in proposal.blocks if b["type"] == "actions" for e in b["elements"]]
    assert all("EUR" in value for value in values), "the button logs what it read: euros, not a bare number"
    click(slack, proposal, Action.LOG_CONCESSION, "euro-ok")
    [entry] = entries(container)
    assert entry.worth_cents == 500_000


def test_an_ask_logged_from_a_thread_is_stored_as_the_typed_ask_would_be(slack, standin, container) -> None:  # noqa: ANN001
    thread = deal_thread(slack, standin)
    words = "they want R&D credits <and> 10% off"
    say(slack, thread, words, "Ev-amp")
    click(slack, latest_proposal(standin), Action.LOG_ASK, "amp")
    slack.command(f"ask acme {words.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}", user=REP)
    logged, typed = entries(container)
    assert logged.text == typed.text == words


def test_a_long_thread_message_is_logged_as_an_ask_clipped_to_what_a_typed_ask_may_hold(slack, standin,  # noqa: ANN001
                                                                                        container) -> None:
    thread = deal_thread(slack, standin)
    say(slack, thread, "they want 10% off " + "because " * 200, "Ev-long")
    click(slack, latest_proposal(standin), Action.LOG_ASK, "long")
    [entry] = entries(container)
    assert len(entry.text) == MAX_TEXT_CHARS and entry.text.startswith("they want 10% off") and entry.text[-1] == "…"
