"""Deal threads: a rep's message naming an offer is proposed privately with buttons; nothing is logged
until a click; each event is handled once whatever Slack's retries."""

from __future__ import annotations

import copy
import json

from conftest import ALERTS, CHANNEL, OTHER_REP, REP
from slack_client import slack_payload
from sqlalchemy import text

from bot.slack.ids import Action


def deal_thread(slack, standin) -> str:  # noqa: ANN001
    slack.command("new acme list=100k floor=80k", user=REP)
    slack.deliver()
    return standin.messages(CHANNEL, include_threads=False)[0].ts


def thread_message(slack, thread_ts: str, words: str, *, user: str = REP, event_id: str = "Ev1",
                   retry: str | None = None, subtype: str | None = None):  # noqa: ANN201
    """Slack's own message event body, as a reply in the deal's thread."""
    body = copy.deepcopy(slack_payload("test_message__message_body"))
    body.update(team_id="T0TEST", event_id=event_id)
    body.pop("enterprise_id", None)
    body["event"].update(text=words, user=user, channel=CHANNEL, ts=f"{float(thread_ts) + 1:.6f}",
                         thread_ts=thread_ts, team="T0TEST")
    if subtype:
        body["event"]["subtype"] = subtype
    headers = {"x-slack-retry-num": retry, "x-slack-retry-reason": "http_timeout"} if retry else None
    answer = slack.event(body, headers=headers)
    slack.deliver()
    return answer


def entries(container) -> int:  # noqa: ANN001
    with container.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM ledger_entry")).scalar_one()


def proposals(standin, user: str = REP) -> list:  # noqa: ANN001
    return [m for m in standin.ephemerals(user) if any(b.get("type") == "actions" for b in m.blocks)]


def click(slack, proposal, action: Action, user: str = REP):  # noqa: ANN001, ANN201
    return slack.press(proposal.blocks, action, user=user, channel=CHANNEL,
                       response_url=slack.standin.response_url(f"proposal-{action}"))


def test_a_message_naming_an_ask_is_proposed_privately_in_the_thread_and_nothing_is_logged(
        slack, standin, container) -> None:
    thread = deal_thread(slack, standin)
    assert thread_message(slack, thread, "they want another 15% off before signing").status == 200
    [proposal] = proposals(standin)
    assert proposal.thread_ts == thread
    shown = json.dumps(proposal.blocks)
    assert "15%" in shown and "If you give this" in shown and "Recommended move" in shown
    assert entries(container) == 0


def test_log_as_ask_records_the_ask_and_replaces_the_proposal(slack, standin, container) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "they want another 15% off before signing")
    click(slack, proposals(standin)[0], Action.LOG_ASK)
    assert entries(container) == 1
    replaced = standin.responses(f"proposal-{Action.LOG_ASK}")[-1]
    assert replaced["replace_original"] is True and "Logged the customer's ask" in json.dumps(replaced["blocks"])


def test_log_as_concession_records_the_concession_as_read(slack, standin, container) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "I offered them net 60 to close this week")
    click(slack, proposals(standin)[0], Action.LOG_CONCESSION)
    with container.uow("T0TEST") as uow:
        deal = uow.deals.get(name="acme")
    assert [(e.kind.value, e.text) for e in deal.entries] == [("concession", "terms: net 60")]


def test_dismiss_deletes_the_proposal_and_logs_nothing(slack, standin, container) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "they want another 15% off")
    click(slack, proposals(standin)[0], Action.DISMISS)
    assert standin.responses(f"proposal-{Action.DISMISS}")[-1] == {"delete_original": True}
    assert entries(container) == 0


def test_a_retried_event_is_handled_once(slack, standin) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "they want another 15% off", event_id="EvSame")
    thread_message(slack, thread, "they want another 15% off", event_id="EvSame", retry="1")
    assert len(proposals(standin)) == 1


def test_messages_without_an_offer_by_others_or_by_bots_are_left_alone(slack, standin) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "call went well, legal review next week", event_id="Ev1")
    thread_message(slack, thread, "they want 15% off", user=OTHER_REP, event_id="Ev2")
    thread_message(slack, thread, "they want 15% off", event_id="Ev3", subtype="bot_message")
    assert proposals(standin) == [] and proposals(standin, OTHER_REP) == []


def test_an_unethical_demand_in_the_thread_is_judged_walk_away(slack, standin) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "their buyer hinted at a kickback if we go to 90k")
    assert "*WALK AWAY*" in json.dumps(proposals(standin)[0].blocks)


def buttons(proposal) -> list[str]:  # noqa: ANN001
    return [e["text"]["text"] for b in proposal.blocks if b["type"] == "actions" for e in b["elements"]]


def test_a_message_whose_only_content_is_an_unethical_demand_is_proposed_as_an_ask_to_walk_away_from(
        slack, standin, container) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "their procurement lead wants a personal fee to get this signed")
    [proposal] = proposals(standin)
    shown = json.dumps(proposal.blocks)
    assert "*WALK AWAY*" in shown and "unethical demand" in shown
    assert "They asked for a personal fee for their procurement lead: no deal is worth that." in shown
    assert buttons(proposal) == ["Log as ask", "Dismiss"], "a demand is never the rep's concession"
    assert entries(container) == 0


def test_an_unethical_demand_whose_figure_the_deal_cannot_take_is_still_proposed_with_why(slack, standin) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "he wants €5k wired to his personal account", event_id="Ev1")
    thread_message(slack, thread, "the buyer wants 150k cash for himself, on a 100k deal lol", event_id="Ev2")
    found = proposals(standin)
    assert len(found) == 2
    for proposal in found:
        shown = json.dumps(proposal.blocks)
        assert "*WALK AWAY*" in shown and "a personal payment" in shown and "no deal is worth that" in shown
        assert "zero or below" not in shown, "the figure is what someone would pocket, not a price"


def test_logging_an_unethical_demand_from_the_thread_records_the_ask_and_alerts_the_managers(
        slack, standin, container) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "they asked us to backdate the order form to last quarter")
    click(slack, proposals(standin)[0], Action.LOG_ASK)
    slack.deliver()
    with container.uow("T0TEST") as uow:
        [ask] = uow.deals.get(name="acme").entries
    assert ask.ethics_markers == ("backdated paperwork",)
    assert len(standin.messages(ALERTS)) == 1 and "ethics" in standin.messages(ALERTS)[0].text


def test_a_near_miss_in_the_thread_is_not_taken_for_an_unethical_demand(slack, standin) -> None:
    thread = deal_thread(slack, standin)
    for n, words in enumerate(["off the record, their books close friday", "he's on a side project this week",
                               "a free trip for the whole team to our conference"]):
        thread_message(slack, thread, words, event_id=f"Ev{n}")
    shown = [json.dumps(p.blocks) for p in proposals(standin)]
    assert len(shown) == 1 and "free trip" in shown[0], "only the free trip is an offer: an ordinary one"
    assert not any("WALK AWAY" in s or "unethical" in s for s in shown)


def test_the_proposal_never_reaches_the_channel(slack, standin) -> None:
    thread = deal_thread(slack, standin)
    thread_message(slack, thread, "they want another 15% off")
    assert [m for m in standin.messages(CHANNEL) if "15%" in m.text + json.dumps(m.blocks)] == []
