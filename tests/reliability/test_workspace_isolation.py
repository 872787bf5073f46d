"""Another workspace (T0OTHER) sees nothing of this one (T0TEST) and changes nothing in it, whatever it sends:
every `/deal` subcommand naming our deal by name or `#id`, summaries of our rep, every button carrying our
deal's id, thread messages and shortcuts in our deal's thread, App Home, a channel_shared event, the new-deal
form. Slack's user and channel ids are the same strings in both workspaces here, the hardest case.

(tests/integration/test_permissions.py covers status, concede, undo, get, won, walk, coach and flag-clear by
name or id, lists and summaries; this covers the rest.)"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import ALERTS, CHANNEL, MANAGER, OTHER_REP, OTHER_TEAM, REP, TEAM
from slack_client import slack_payload
from sqlalchemy import text

from bot.slack.ids import Action, Block, Shortcut, View
from bot.slack.metadata import AlertRef, DealRefValue, NewDealForm, ProposalValue

TEAM_TABLES = ("workspace", "deal", "ledger_entry", "decision", "outbox", "channel", "sent_once")
FLOOR = "61,357"
OURS = ("Acme Corp", FLOOR, "61357", "100,000", "ESCALATE", "Verdict")  # the name is theirs to type


def our_rows(container) -> dict[str, list[tuple[Any, ...]]]:  # noqa: ANN001
    """Every row of this workspace (T0TEST), so anything the other workspace touched shows up."""
    with container.engine.connect() as connection:
        return {table: sorted((tuple(row) for row in connection.execute(
            text(f"SELECT * FROM {table} WHERE team_id = :team"), {"team": TEAM})), key=repr)
            for table in TEAM_TABLES}


@pytest.fixture
def acme(slack, standin, container) -> dict[str, Any]:  # noqa: ANN001
    """Our deal, past the cap (an alert waits for a decision), with its card, thread and alert delivered."""
    slack.command("new acme list=100k floor=61,357 customer=Acme Corp", user=REP)
    slack.command("concede acme 5% for a logo", user=REP)
    slack.command("concede acme 25%", user=REP)
    slack.deliver()
    with container.uow(TEAM) as uow:
        deal = uow.deals.get(name="acme")
    return {"id": deal.id, "card_ts": standin.messages(CHANNEL, include_threads=False)[0].ts,
            "alert": standin.messages(ALERTS)[0]}


def everything_they_saw(standin, answers: list) -> str:  # noqa: ANN001
    """Every reply, private message, response, App Home and upload sent since the stand-in was cleared."""
    seen = [a.text for a in answers]
    seen += [json.dumps(c.params, ensure_ascii=False) for c in standin.calls]
    seen += [json.dumps(r, ensure_ascii=False) for r in standin.responses()]
    seen += [u.filename + u.title for u in standin.uploads()]
    return "\n".join(seen)


def assert_nothing_of_ours(shown: str) -> None:
    for word in OURS:
        assert word not in shown, f"{word!r} shown to the other workspace: {shown[:2000]}"


COMMANDS = [
    "ask {ref} 10% off", "qualify {ref} needs=yes budget=yes", "hours {ref} 3", "flag {ref} ethics kickback asked",
    "flag {ref} fit not our market", "flag {ref} clear fit", "lost {ref} budget", "back {ref} 90k", "won {ref} 90k",
    "walk {ref}", "concede {ref} free onboarding worth 2k for a logo", "concede {ref} price 70k", "get {ref} a logo",
    "undo {ref}", "coach {ref} what now?", "status {ref}",
]


@pytest.mark.parametrize("ref", ["acme", "#{id}"])
@pytest.mark.parametrize("user", [REP, MANAGER])
def test_no_command_from_another_workspace_reaches_this_workspaces_deal(slack, standin, container, acme,  # noqa: ANN001
                                                                        ref: str, user: str) -> None:
    before = our_rows(container)
    standin.clear()
    answers = []
    for command in COMMANDS:
        answer = slack.command(command.format(ref=ref.format(id=acme["id"])), user=user, team_id=OTHER_TEAM)
        assert answer.status == 200 and ":warning:" in answer.text and "No deal" in answer.text, answer.text
        answers.append(answer)
    slack.deliver()
    assert our_rows(container) == before
    assert_nothing_of_ours(everything_they_saw(standin, answers))


def test_another_workspaces_summary_of_our_rep_shows_nothing_of_ours(slack, standin, container, acme) -> None:  # noqa: ANN001
    standin.clear()
    answers = [slack.command(f"summary <@{REP}> {period}", user=MANAGER, team_id=OTHER_TEAM)
               for period in ("week", "month", "quarter")]
    answers.append(slack.command("summary", user=REP, team_id=OTHER_TEAM))
    slack.deliver()
    shown = everything_they_saw(standin, answers)
    assert_nothing_of_ours(shown)
    assert "1 deal" not in shown and "2 concessions" not in shown, shown[:2000]


def click(slack, standin, action: str, value: str, *, user: str, team: str, channel: str,  # noqa: ANN001, ANN201
          message: dict | None = None):
    payload = copy.deepcopy(slack_payload("test_block_actions__body"))
    payload["user"].update(id=user, team_id=team)
    payload["team"] = {"id": team, "domain": "other"}
    payload["channel"] = {"id": channel, "name": "deals"}
    payload["container"] = {"type": "message", "message_ts": (message or {}).get("ts", "1.2"), "channel_id": channel,
                            "is_ephemeral": message is None}
    if message is not None:
        payload["message"] = message
    payload["response_url"] = standin.response_url(f"other-{action}")
    payload["actions"] = [{**payload["actions"][0], "action_id": action, "value": value}]
    answer = slack.interactive(payload)
    slack.deliver()
    return answer


def test_no_button_from_another_workspace_acts_on_this_workspaces_deal(slack, standin, container, acme) -> None:  # noqa: ANN001
    alert = acme["alert"]
    message = {"type": "message", "ts": alert.ts, "text": alert.text, "blocks": alert.blocks}
    decision = AlertRef(deal_id=acme["id"], seq=3).dump()
    proposal = ProposalValue(deal_id=acme["id"], text="they want 10% off", concession="10%").dump()
    before = our_rows(container)
    standin.clear()
    answers = []
    for user in (REP, MANAGER):  # MANAGER is a manager in every workspace (DEALCOACH_MANAGERS)
        answers += [
            click(slack, standin, Action.APPROVE_EXCEPTION, decision, user=user, team=OTHER_TEAM, channel=ALERTS,
                  message=message),
            click(slack, standin, Action.TELL_WALK_AWAY, decision, user=user, team=OTHER_TEAM, channel=ALERTS,
                  message=message),
            click(slack, standin, Action.PRICE_CHART, DealRefValue(deal_id=acme["id"]).dump(), user=user,
                  team=OTHER_TEAM, channel=CHANNEL),
            click(slack, standin, Action.LOG_ASK, proposal, user=user, team=OTHER_TEAM, channel=CHANNEL),
            click(slack, standin, Action.LOG_CONCESSION, proposal, user=user, team=OTHER_TEAM, channel=CHANNEL),
        ]
    assert all(a.status == 200 for a in answers)
    assert our_rows(container) == before, "nothing recorded, no decision, no alert update, no thread note"
    assert standin.uploads() == [], "no price chart drawn"
    assert standin.messages(ALERTS) == [] and standin.messages(CHANNEL) == []
    assert_nothing_of_ours(everything_they_saw(standin, answers))


def test_a_thread_message_or_shortcut_from_another_workspace_in_our_deals_thread_is_not_read(  # noqa: ANN001
        slack, standin, container, acme) -> None:
    before = our_rows(container)
    standin.clear()
    body = copy.deepcopy(slack_payload("test_message__message_body"))
    body.update(team_id=OTHER_TEAM, event_id="Ev-other-1")
    body.pop("enterprise_id", None)
    body["event"].update(text="they want another 15% off", user=REP, channel=CHANNEL,
                         ts=f"{float(acme['card_ts']) + 1:.6f}", thread_ts=acme["card_ts"], team=OTHER_TEAM)
    assert slack.event(body).status == 200

    payload = copy.deepcopy(slack_payload("test_shortcut__message_shortcut_body"))
    payload.update(callback_id=str(Shortcut.COACH_MESSAGE), team={"id": OTHER_TEAM, "domain": "other"},
                   user={"id": REP, "name": "rep", "team_id": OTHER_TEAM}, channel={"id": CHANNEL, "name": "deals"},
                   response_url=standin.response_url("other-shortcut"))
    payload["message"].update(text="30% off?", ts=f"{float(acme['card_ts']) + 2:.6f}", thread_ts=acme["card_ts"],
                              team=OTHER_TEAM)
    assert slack.interactive(payload).status == 200
    slack.deliver()
    assert our_rows(container) == before
    shown = everything_they_saw(standin, [])
    assert_nothing_of_ours(shown)
    assert "Recommended move" not in shown, "no coaching on a deal of another workspace"


def test_app_home_in_another_workspace_lists_nothing_of_ours(slack, standin, container, acme) -> None:  # noqa: ANN001
    for user in (REP, MANAGER):
        body = copy.deepcopy(slack_payload("test_payload_utils__app_home_opened_home_body"))
        body.update(team_id=OTHER_TEAM, event_id=f"Ev-other-home-{user}",
                    authorizations=[{"team_id": OTHER_TEAM, "user_id": "U0BOT", "is_bot": True}])
        body.pop("enterprise_id", None)
        body["event"]["user"] = user
        assert slack.event(body).status == 200
    slack.deliver()
    for user in (REP, MANAGER):
        view = standin.home_view(user)
        assert view is not None
        assert_nothing_of_ours(json.dumps(view, ensure_ascii=False))


def test_another_workspace_saying_our_channel_is_shared_does_not_silence_our_deal(slack, standin, container,  # noqa: ANN001
                                                                                  acme) -> None:
    body = {"token": "t", "team_id": OTHER_TEAM, "api_app_id": "A0DEALCOACH", "type": "event_callback",
            "event_id": "Ev-other-shared", "event_time": 1700000500,
            "event": {"type": "channel_shared", "connected_team_id": "T0CUSTOMER", "channel": CHANNEL,
                      "event_ts": "1700000500.000100"}}
    assert slack.event(body).status == 200
    before = len(standin.messages(CHANNEL))
    slack.command("concede acme free onboarding for a case study", user=REP)
    slack.deliver()
    assert len(standin.messages(CHANNEL)) == before + 1, "our thread note is still posted"


def test_a_new_deal_form_submitted_from_another_workspace_opens_the_deal_there_not_here(  # noqa: ANN001
        slack, standin, container, acme) -> None:
    before = our_rows(container)
    payload = copy.deepcopy(slack_payload("test_view_submission__body"))
    payload["team"] = {"id": OTHER_TEAM, "domain": "other"}
    payload["user"].update(id=OTHER_REP, team_id=OTHER_TEAM)
    values = {Block.NAME: "acme", Block.LIST: "50k", Block.FLOOR: "40k"}
    payload["view"].update(callback_id=str(View.NEW_DEAL), team_id=OTHER_TEAM, app_installed_team_id=OTHER_TEAM,
                           private_metadata=NewDealForm(channel_id=CHANNEL).dump(),
                           state={"values": {str(b): {"a": {"type": "plain_text_input", "value": v}}
                                             for b, v in values.items()}})
    answer = slack.interactive(payload)
    assert answer.status == 200 and answer.body.get("response_action") != "errors", answer.body
    with container.uow(OTHER_TEAM) as uow:
        assert uow.deals.get(name="acme").list_cents == 5_000_000
    assert our_rows(container) == before
