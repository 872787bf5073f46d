"""`/deal concede` in the words reps use, over signed HTTP: logged with the right figures, a reading the deal
leaves open answered with one-click buttons (nothing logged until a click), free months estimated from the
deal's term, gets of no substance refused."""

from __future__ import annotations

from conftest import CHANNEL, REP, TEAM

from bot.slack.ids import Action


def load(container):  # noqa: ANN001, ANN201
    with container.uow(TEAM) as uow:
        return uow.deals.get(name="acme")


def test_natural_phrasings_are_logged_with_their_figures_and_their_get(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    answer = slack.command("concede acme ten grand off in exchange for a 2 year term", user=REP)
    assert "Logged your concession" in answer.text and "Net $90,000" in answer.text, answer.text
    deal = load(container)
    assert [(e.kind.value, e.text) for e in deal.entries] == [("concession", "$10,000 off"),
                                                              ("get", "a 2 year term")]


def test_a_reading_the_deal_leaves_open_is_confirmed_with_one_click_and_logged_once(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    answer = slack.command("concede acme meet them at 90", user=REP)
    assert "a new price of $90,000" in answer.text and "Nothing is logged" in answer.text, answer.text
    assert load(container).entries == []

    blocks = answer.body["blocks"]
    url = slack.standin.response_url("confirm")
    assert slack.press(blocks, Action.LOG_CONCESSION, user=REP, channel=CHANNEL, response_url=url).status == 200
    slack.press(blocks, Action.LOG_CONCESSION, user=REP, channel=CHANNEL, response_url=url)  # a double click
    deal = load(container)
    assert [(e.text, e.worth_cents) for e in deal.entries] == [("price to $90,000", 1_000_000)]


def test_free_months_are_worth_list_over_the_deals_term_shown_as_an_estimate(slack, container) -> None:
    slack.command("new acme list=120k floor=70k term=24", user=REP)
    answer = slack.command("concede acme 3 months free", user=REP)
    assert "estimated at $15,000" in answer.text and "Effective $105,000" in answer.text, answer.text
    [entry] = load(container).entries
    assert (entry.worth_cents, entry.worth_estimated) == (1_500_000, True)


def test_a_give_of_unknown_worth_is_said_to_be_left_out_not_counted_as_zero(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme free onboarding", user=REP)
    answer = slack.command("concede acme 5k off", user=REP)
    assert "growing steps" not in answer.text and "worth unknown" not in answer.text
    assert "leave out what “free onboarding” is worth" in answer.text, answer.text
    assert "worth unknown" in slack.command("status acme", user=REP).text


def test_a_concession_for_nothing_records_no_get(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5% for nothing", user=REP)
    assert [e.kind.value for e in load(container).entries] == ["concession"]
