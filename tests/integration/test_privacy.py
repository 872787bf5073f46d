"""The floor is private: across a whole negotiation it, the headroom and near-floor reasons never reach the
deal's channel or thread; they do reach the rep's own replies and the managers' alert channel. In a Slack
Connect channel nothing at all is posted in the open."""

from __future__ import annotations

import re

from conftest import ALERTS, CHANNEL, MANAGER, REP
from sqlalchemy import text

from bot.domain.ledger import Ledger
from bot.domain.money import format_money

SHARED = "C0SHARED"
FLOOR = "83,417"

# A whole negotiation: every command that changes a deal, plus get, undo, flags and the outcomes.
NEGOTIATION = [
    (REP, "new acme list=120k floor=83,417 target=111,111 customer=Acme Corp"),
    (REP, "qualify acme needs=yes decider=yes timeline=yes budget=yes"),
    (REP, "hours acme 3"),
    (REP, "ask acme 10% off and free onboarding"),
    (REP, "concede acme 5% for a 2-year term"),
    (REP, "concede acme cut 7,250"),
    (REP, "get acme a case study worth 1k"),
    (REP, "concede acme free training worth 3,100"),
    (REP, "concede acme price 90,123"),  # near floor, and over the cap: an alert
    (REP, "coach acme what do I say now?"),
    (REP, "status acme"),
    (REP, "concede acme terms net-90 worth 5,555"),  # below the floor: an alert
    (REP, "undo acme"),
    (REP, "ask acme a side payment to their buyer"),  # an unethical demand: an alert
    (REP, "flag acme fit they want a custom build"),
    (REP, "flag acme clear fit"),
    (REP, "flag acme ethics their buyer wants a kickback"),
    (MANAGER, "flag acme clear ethics"),
    (REP, "walk acme they will not move"),
    (REP, "back acme 95,321"),
    (REP, "concede acme free support worth 777"),
    (REP, "won acme 95,321"),
]


def rendered(message) -> str:
    return message.text + " " + str(message.blocks)


def digits(amount: str) -> str:
    return re.sub(r"[^0-9]", "", amount)


def secret_figures(container, name: str = "acme") -> set[str]:
    """The floor, the headroom and every price below list of the deal as it stands, as Slack would show them."""
    with container.uow("T0TEST") as uow:
        deal = uow.deals.get(name=name)
    ledger = Ledger.of(deal)
    amounts = {deal.floor_cents, ledger.headroom_cents, abs(ledger.headroom_cents), ledger.net_cents,
               ledger.effective_cents}
    if deal.target_cents is not None:
        amounts.add(deal.target_cents)
    amounts.discard(deal.list_cents)
    found = set()
    for cents in amounts:
        shown = format_money(cents, deal.currency)  # e.g. "$83,417"
        found.add(shown.lstrip("-$"))  # "83,417"
        if cents >= 100_000:  # bare digits only when long enough not to match a timestamp by chance
            found.add(digits(shown))
    return found


def assert_nothing_private_in(messages, secrets: set[str]) -> None:
    for message in messages:
        shown = rendered(message)
        lowered = shown.lower()
        for secret in secrets:
            where = f"{message.channel} (thread {message.thread_ts})"
            assert secret not in shown, f"{secret!r} leaked into {where}: {shown}"
        for word in ("floor", "headroom", "near floor"):
            assert word not in lowered, f"{word!r} shown in {message.channel}: {shown}"


def run(slack, container, steps) -> tuple[set[str], list]:
    secrets: set[str] = set()
    answers = []
    for user, command in steps:
        answer = slack.command(command, user=user)
        assert answer.status == 200, command
        assert ":warning:" not in answer.text, f"{command}: {answer.text}"
        assert answer.body.get("response_type") == "ephemeral", command
        answers.append((command, answer))
        secrets |= secret_figures(container)
        slack.deliver()
    return secrets, answers


def test_the_floor_headroom_and_near_floor_reasons_never_reach_the_deals_channel_or_thread(
    slack, standin, container
) -> None:
    secrets, _ = run(slack, container, NEGOTIATION)
    assert FLOOR in secrets

    public = standin.messages(CHANNEL)
    cards = [m for m in public if m.thread_ts is None]
    notes = [m for m in public if m.thread_ts is not None]
    assert len(cards) == 1, "one card, updated in place"
    assert len(notes) >= 8, "concessions, gets, the undo and the outcomes are noted in the thread"
    assert all(n.thread_ts == cards[0].ts for n in notes)
    assert_nothing_private_in(public, secrets)
    # Nothing else of the deal was posted anywhere public either (alerts and DMs aside).
    elsewhere = [m for m in standin.messages() if m.channel not in (CHANNEL, ALERTS) and not m.channel.startswith("D")]
    assert_nothing_private_in(elsewhere, secrets)


def test_the_card_shows_name_owner_customer_stage_verdict_and_count_only(slack, standin, container) -> None:
    run(slack, container, NEGOTIATION[:9])
    card = next(m for m in standin.messages(CHANNEL) if m.thread_ts is None)
    shown = rendered(card)
    assert "acme" in shown and f"<@{REP}>" in shown and "Acme Corp" in shown
    assert "open" in shown and "4 concessions" in shown
    assert "ESCALATE" in shown
    assert "$" not in shown and "€" not in shown, f"no prices on the card: {shown}"


def test_price_concessions_in_the_thread_do_not_show_the_amount(slack, standin, container) -> None:
    run(slack, container, NEGOTIATION[:9])
    notes = [rendered(m) for m in standin.messages(CHANNEL) if m.thread_ts is not None]
    joined = "\n".join(notes)
    for amount in ("7,250", "7250", "5%", "90,123", "90123"):
        assert amount not in joined, f"{amount} in the thread: {joined}"
    assert "training" in joined and "a 2-year term" in joined and "case study" in joined


def test_the_rep_sees_the_floor_headroom_and_near_floor_reasons_in_their_own_replies(slack, container) -> None:
    _, answers = run(slack, container, NEGOTIATION[:11])
    by_command = dict(answers)
    opened = by_command[NEGOTIATION[0][1]].text
    assert f"Floor ${FLOOR}" in opened and "Headroom $36,583" in opened

    near = by_command["concede acme price 90,123"].text
    # 90,123 net - 3,100 free training = 87,023 effective; 87,023 - 83,417 = 3,606 headroom.
    assert "Headroom $3,606" in near and f"Floor ${FLOOR}" in near
    assert "near floor" in near and "above your floor" in near
    assert "*ESCALATE*" in near

    status = by_command["status acme"].text
    assert f"Floor ${FLOOR}" in status and "Headroom $3,606" in status and "near floor" in status


def test_the_managers_alert_channel_gets_the_floor_headroom_and_reasons(slack, standin, container) -> None:
    run(slack, container, NEGOTIATION[:12])
    alerts = [rendered(m) for m in standin.messages(ALERTS)]
    assert len(alerts) == 2, alerts  # the cap, then the floor
    cap_alert = next(a for a in alerts if "_cap_ (newly firing)" in a)
    assert FLOOR in cap_alert and "Headroom $3,606" in cap_alert
    assert "near floor" in cap_alert and "above your floor" in cap_alert
    floor_alert = next(a for a in alerts if "_floor_ (newly firing)" in a)
    assert FLOOR in floor_alert and "below your floor" in floor_alert


def test_an_unethical_ask_alerts_the_managers_but_stays_out_of_the_thread(slack, standin, container) -> None:
    run(slack, container, NEGOTIATION[:1])
    answer = slack.command("ask acme a kickback for their buyer", user=REP)
    assert "*WALK AWAY*" in answer.text and "kickback" in answer.text
    slack.deliver()
    assert len(standin.messages(ALERTS)) == 1 and "ethics" in standin.messages(ALERTS)[0].text
    assert not any("kickback" in rendered(m) for m in standin.messages(CHANNEL))


def test_in_a_slack_connect_channel_nothing_is_posted_in_the_open_and_commands_still_work(
    slack, standin, container
) -> None:
    standin.set_channel(SHARED, is_ext_shared=True)
    for user, command in NEGOTIATION:
        answer = slack.command(command, user=user, channel=SHARED)
        assert answer.status == 200 and answer.body.get("response_type") == "ephemeral", command
        assert ":warning:" not in answer.text, f"{command}: {answer.text}"
        slack.deliver()

    assert standin.messages(SHARED) == [], "no card and no thread note in a shared channel"
    posted_there = [c for c in standin.calls_to("chat.postMessage") + standin.calls_to("chat.update")
                    if c.params.get("channel") == SHARED]
    assert posted_there == []
    told = [m for m in standin.ephemerals(REP) if m.channel == SHARED]
    assert told, "the rep is told, privately, why there is no card"
    assert all(m.ephemeral_to == REP for m in standin.ephemerals() if m.channel == SHARED)
    with container.uow("T0TEST") as uow:
        deal = uow.deals.get(name="acme")
    assert deal.stage.value == "won"
    with container.engine.connect() as connection:
        assert connection.execute(text("SELECT card_ts FROM deal")).scalar_one() is None
    assert len([e for e in deal.entries if e.kind.value == "concession" and e.active]) == 5


def test_a_shared_channel_gets_no_card_even_when_several_commands_run_before_delivery(
    slack, standin, container
) -> None:
    standin.set_channel(SHARED, is_ext_shared=True)
    opened = slack.command("new acme list=120k floor=83,417", user=REP, channel=SHARED)
    assert "Verdict" in opened.text
    slack.command("concede acme 5% for a logo", user=REP, channel=SHARED)
    slack.command("concede acme cut 2k", user=REP, channel=SHARED)
    slack.command("walk acme too low", user=REP, channel=SHARED)
    slack.deliver()
    assert standin.messages(SHARED) == []
    with container.uow("T0TEST") as uow:
        assert uow.deals.get(name="acme").stage.value == "walked"


def test_a_shared_channel_deal_still_alerts_the_managers(slack, standin, container) -> None:
    standin.set_channel(SHARED, is_ext_shared=True)
    slack.command("new acme list=100k floor=60k", user=REP, channel=SHARED)
    slack.deliver()
    answer = slack.command("concede acme 25%", user=REP, channel=SHARED)
    assert "*ESCALATE*" in answer.text
    slack.deliver()
    assert len(standin.messages(ALERTS)) == 1
    assert standin.messages(SHARED) == []



def channel_shared_event(channel: str) -> dict:
    """Slack's `channel_shared` event: the channel was just connected to another organisation."""
    return {
        "token": "verification_token", "team_id": "T0TEST", "api_app_id": "A0DEALCOACH", "type": "event_callback",
        "event_id": "Ev0SHARED0001", "event_time": 1700000500,
        "event": {"type": "channel_shared", "connected_team_id": "T0CUSTOMER", "channel": channel,
                  "event_ts": "1700000500.000100"},
        "authorizations": [{"team_id": "T0TEST", "user_id": "U0BOT", "is_bot": True}],
    }


def test_a_channel_that_becomes_shared_later_gets_no_more_thread_notes(slack, standin, container) -> None:
    slack.command("new acme list=120k floor=83,417", user=REP)
    slack.command("concede acme 5% for a logo", user=REP)
    slack.deliver()
    posted_before = len(standin.messages(CHANNEL))
    assert posted_before == 2  # the card and one note

    # The channel is connected to the customer's organisation; Slack says so in conversations.info and
    # sends `channel_shared` to apps that subscribe to it.
    standin.set_channel(CHANNEL, is_ext_shared=True)
    slack.event(channel_shared_event(CHANNEL))
    answer = slack.command("concede acme free training worth 2k for a case study", user=REP)
    assert "Verdict" in answer.text
    slack.command("walk acme too low", user=REP)
    slack.deliver()

    after = standin.messages(CHANNEL)
    assert len(after) == posted_before, [m.text for m in after[posted_before:]]
    assert not any(m.updated for m in after), "the card is not updated in a shared channel either"
