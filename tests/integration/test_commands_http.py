"""`/deal` over real HTTP, signed as Slack signs, with the Web API stand-in recording what Slack would show."""

from __future__ import annotations

from conftest import ALERTS, CHANNEL, MANAGER, REP


def test_a_concession_reply_carries_its_verdict_and_is_committed(slack, container) -> None:
    opened = slack.command("new acme list=120k floor=90k customer=Acme Corp", user=REP)
    assert opened.status == 200
    assert opened.body["response_type"] == "ephemeral"
    assert "Verdict: *OK*" in opened.text

    conceded = slack.command("concede acme 25%", user=REP)
    assert conceded.status == 200
    assert "*ESCALATE*" in conceded.text
    with container.uow("T0TEST") as uow:
        deal = uow.deals.get(name="acme")
    assert [e.worth_cents for e in deal.entries] == [3_000_000]


def test_the_card_and_thread_never_show_the_floor(slack, standin) -> None:
    slack.command("new acme list=120k floor=97,531 customer=Acme", user=REP)
    slack.command("concede acme 10% for a 2-year term", user=REP)
    slack.deliver()
    public = standin.messages(CHANNEL)
    assert public, "the card should be posted in the deal's channel"
    for message in public:
        rendered = str(message.blocks) + message.text
        assert "97,531" not in rendered and "97531" not in rendered
        assert "108,000" not in rendered, "no price below list on the card or in the thread"


def test_a_concession_past_the_cap_alerts_the_managers_channel_once(slack, standin) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("concede acme 25%", user=REP)
    slack.command("concede acme 1% for a logo", user=REP)
    slack.deliver()
    alerts = standin.messages(ALERTS)
    assert len(alerts) == 1
    assert "cap" in alerts[0].text


def test_a_manager_sees_everyone_and_a_rep_does_not(slack) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    assert "acme" in slack.command("list all", user=MANAGER).text
    refused = slack.command("list all", user="U0NOBODY")
    assert refused.status == 200 and "Only managers" in refused.text
