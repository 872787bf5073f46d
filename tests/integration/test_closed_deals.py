"""PRODUCT.md sections 3 and 4, through the Slack stand-in: a closed deal (walked, won, lost) shows its final state
(the price it closed at, its discount, where it sits against floor and target, the gives and gets), never a live
verdict; a win below the floor says so to the rep and tells the managers; the rules judge open deals only, and
judging resumes when a walked-away customer comes back."""

from __future__ import annotations

import re

from conftest import ALERTS, CHANNEL, MANAGER, REP, TEAM
from sqlalchemy import text

from bot.slack.ids import Action

VERDICT_WORDS = re.compile(r"\b(OK|PUSH BACK|ESCALATE|WALK AWAY)\b")


def ok(answer) -> bool:  # noqa: ANN001
    return answer.status == 200 and ":warning: `" not in answer.text and "Usage:" not in answer.text


def stored_verdict(container, name: str = "acme") -> str:  # noqa: ANN001
    with container.engine.connect() as connection:
        return connection.execute(text("SELECT verdict FROM deal WHERE name = :name ORDER BY id DESC"),
                                  {"name": name}).first()[0]


def card(standin):  # noqa: ANN001, ANN201
    [found] = standin.messages(CHANNEL, include_threads=False)
    return found


def action_ids(message) -> list[str]:  # noqa: ANN001
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def test_a_win_below_the_floor_shows_the_final_state_with_no_verdict_and_says_it_is_below_the_floor(
        slack, container) -> None:
    slack.command("new acme list=100k floor=70k target=90k", user=REP)
    slack.command("concede acme 5% for a case study", user=REP)
    slack.command("concede acme 6%", user=REP)  # growing steps: the live verdict was PUSH BACK

    won = slack.command("won acme 60k", user=REP)
    assert ok(won), won.text
    assert not VERDICT_WORDS.search(won.text), f"a closed deal shows no verdict: {won.text}"
    for shown in ("Won at $60,000", "Discount 40%", "$10,000 below the floor of $70,000",
                  "$30,000 below the target of $90,000", "Gives 2, gets 1",
                  "*acme* was won below its floor", "The managers were told.", "5% off list", "a case study"):
        assert shown in won.text, f"{shown!r} missing from {won.text}"


def test_a_win_below_the_floor_alerts_the_managers_with_its_final_state_and_no_buttons(slack, standin) -> None:
    slack.command("new acme list=100k floor=70k target=90k customer=Acme Corp", user=REP)
    slack.command("concede acme 5% for a case study", user=REP)
    slack.deliver()
    assert standin.messages(ALERTS) == []
    slack.command("won acme 60k", user=REP)
    slack.deliver()

    [alert] = standin.messages(ALERTS)
    shown = str(alert.blocks)
    assert f"<@{REP}> won this deal below its floor" in shown
    assert "Won at $60,000" in shown and "$10,000 below the floor of $70,000" in shown, shown
    assert "$30,000 below the target of $90,000" in shown and "5% off list → got a case study" in shown
    assert not VERDICT_WORDS.search(shown), shown
    assert action_ids(alert) == [], "a closed deal leaves nothing to decide"


def test_a_win_at_or_above_the_floor_alerts_no_one_and_shows_where_it_closed(slack, standin) -> None:
    slack.command("new acme list=100k floor=70k target=90k", user=REP)
    slack.command("concede acme 30% for a 3-year term", user=REP)  # 70k, at the floor: no floor alert
    slack.deliver()
    before = len(standin.messages(ALERTS))
    won = slack.command("won acme 95k", user=REP)
    assert "Won at $95,000" in won.text and "$25,000 above the floor of $70,000" in won.text, won.text
    assert "$5,000 above the target of $90,000" in won.text
    assert "below its floor" not in won.text and "managers" not in won.text
    slack.deliver()
    assert len(standin.messages(ALERTS)) == before


def test_a_win_without_a_price_closes_at_the_effective_price(slack) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 10% for a logo", user=REP)
    won = slack.command("won acme", user=REP)
    assert "Won at an effective $90,000" in won.text and "Discount 10%" in won.text, won.text
    assert "$20,000 above the floor of $70,000" in won.text


def test_walked_and_lost_deals_show_where_they_ended_and_are_not_judged(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 35%", user=REP)  # below the floor: WALK AWAY while open
    assert stored_verdict(container) == "WALK AWAY"
    walked = slack.command("walk acme below our floor", user=REP)
    assert ok(walked) and "Walked away at an effective $65,000" in walked.text, walked.text
    assert "$5,000 below the floor of $70,000" in walked.text and not VERDICT_WORDS.search(walked.text)
    assert "won below" not in walked.text, "only a win below the floor is called out"
    assert stored_verdict(container) == "OK"

    slack.command("new beta list=50k floor=40k", user=REP)
    lost = slack.command("lost beta went with a competitor", user=REP)
    assert "Lost at an effective $50,000" in lost.text and not VERDICT_WORDS.search(lost.text), lost.text


def test_a_closed_deal_stores_ok_shows_its_stage_not_a_verdict_and_back_resumes_judging(
        slack, standin, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5%", user=REP)
    slack.command("concede acme 6%", user=REP)  # give without get, growing steps: PUSH BACK
    assert stored_verdict(container) == "PUSH BACK"

    slack.command("walk acme", user=REP)
    assert stored_verdict(container) == "OK", "a closed deal keeps no live verdict"
    status = slack.command("status acme", user=REP)
    assert ok(status) and not VERDICT_WORDS.search(status.text), status.text
    assert "Walked away at an effective $89,000" in status.text and "Closed: you walked away" in status.text
    slack.deliver()
    shown = str(card(standin).blocks)
    assert "Closed: walked away" in shown and not VERDICT_WORDS.search(shown), shown

    back = slack.command("back acme", user=REP)
    assert "Verdict: *PUSH BACK*" in back.text, back.text
    assert stored_verdict(container) == "PUSH BACK"
    slack.deliver()
    assert "Verdict: *PUSH BACK*" in str(card(standin).blocks)


def test_a_won_deal_shows_closed_in_its_card_and_its_thread_without_a_price_or_the_floor(slack, standin) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5% for a case study", user=REP)
    slack.command("won acme 60k", user=REP)
    slack.deliver()
    shown = str(card(standin).blocks)
    assert "Closed: won" in shown and not VERDICT_WORDS.search(shown), shown
    public = [str(m.blocks) + m.text for m in standin.messages(CHANNEL)]
    assert not any(word in text for text in public for word in ("60,000", "70,000", "floor", "40%")), public


def test_a_closed_deal_is_coached_for_what_comes_after_not_for_more_price_talk(slack) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("won acme", user=REP)
    answer = slack.command("coach acme what now?", user=REP)
    advice = next(block["text"]["text"] for block in answer.body["blocks"]
                  if "Recommended move" in block.get("text", {}).get("text", ""))
    assert "Recommended move: hold" in advice and "Closed: won" in answer.text, answer.text
    assert not any(word in advice for word in ("discount", "in return", "trade")), advice
    slack.command("new beta list=100k floor=70k", user=REP)
    slack.command("walk beta", user=REP)
    answer = slack.command("coach beta they called back and want to talk again", user=REP)
    assert "Customers come back" in answer.text, answer.text


def test_a_managers_decision_on_an_alert_of_a_deal_closed_since_is_refused(slack, standin, container) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("qualify acme needs=yes decider=yes timeline=yes budget=yes", user=REP)
    slack.command("concede acme 25%", user=REP)  # past the cap: an alert with buttons
    slack.deliver()
    [alert] = standin.messages(ALERTS)
    slack.command("won acme 75k", user=REP)

    message = {"type": "message", "ts": alert.ts, "text": alert.text, "blocks": alert.blocks}
    slack.press(alert.blocks, Action.APPROVE_EXCEPTION, user=MANAGER, channel=ALERTS, message=message)
    with container.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM decision")).scalar_one() == 0
    assert any("closed (won)" in m.text for m in standin.ephemerals(MANAGER))
    with container.uow(TEAM) as uow:
        assert uow.deals.get(name="acme").cap_approved_through is None


def test_lists_and_app_home_show_no_closed_deal_at_a_live_verdict(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 30%", user=REP)  # ESCALATE while open
    slack.command("won acme", user=REP)
    listed = slack.command("list all", user=MANAGER)
    assert "acme" not in listed.text, listed.text
    with container.uow(TEAM) as uow:
        assert uow.deals.list_needing_attention() == [], "a won deal does not need a manager"
