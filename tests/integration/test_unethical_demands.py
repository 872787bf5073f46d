"""PRODUCT.md section 4, ethics rule, through every path a demand can come in: `/deal ask`, a deal-thread
message and "Coach this message" each judge it WALK AWAY with a line that says what was demanded and why."""

from __future__ import annotations

import json

from conftest import ALERTS, CHANNEL, REP
from slack_client import shortcut_payload
from test_threads import deal_thread, entries, proposals, thread_message


def test_an_ask_for_a_personal_fee_is_walk_away_with_a_line_that_names_it(slack, standin) -> None:
    slack.command("new acme list=100k floor=80k", user=REP)
    answer = slack.command("ask acme their procurement lead wants a personal fee to get this signed", user=REP)
    assert "*WALK AWAY*" in answer.text
    assert "They asked for a personal fee for their procurement lead: no deal is worth that." in answer.text
    slack.deliver()
    assert len(standin.messages(ALERTS)) == 1, "the managers hear of it"


def test_an_ask_whose_figure_is_what_someone_would_pocket_is_walked_away_from_for_the_demand(slack) -> None:
    slack.command("new acme list=100k floor=80k", user=REP)
    answer = slack.command("ask acme the buyer wants 150k cash for himself", user=REP)
    assert "*WALK AWAY*" in answer.text and "a personal payment for their buyer: no deal is worth that" in answer.text
    assert "zero or below" not in answer.text


def test_an_ask_that_only_sounds_like_a_demand_is_judged_as_an_ordinary_ask(slack) -> None:
    slack.command("new acme list=100k floor=80k", user=REP)
    answer = slack.command("ask acme off the record they want a 5% cut on the price", user=REP)
    assert "WALK AWAY" not in answer.text and "no deal is worth" not in answer.text


def test_coach_this_message_on_a_demand_with_no_figure_proposes_it_as_an_ask_to_walk_away_from(
        slack, standin, container) -> None:
    thread = deal_thread(slack, standin)
    words = "can you split the order into 3 POs so none of them needs CFO sign off"
    slack.interactive(shortcut_payload(standin, user=REP, channel=CHANNEL, ts=f"{float(thread) + 5:.6f}",
                                       thread_ts=thread, words=words))
    slack.deliver()
    [proposal] = proposals(standin)
    shown = json.dumps(proposal.blocks)
    assert "*WALK AWAY*" in shown
    assert "They asked for an order split to stay under an approval limit: no deal is worth that." in shown
    assert entries(container) == 0


def test_a_demand_in_a_thread_reply_is_answered_privately_never_in_the_channel(slack, standin) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "she wants a $500 gift card for herself, no invoice obviously")
    [proposal] = proposals(standin)
    assert proposal.ephemeral_to == REP and proposal.thread_ts == thread
    assert not [m for m in standin.messages(CHANNEL) if "gift card" in m.text + json.dumps(m.blocks)]
