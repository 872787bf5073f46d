"""`/deal concede` in the words reps use, over signed HTTP: logged with the right figures, a reading the deal
leaves open answered with one-click buttons (nothing logged until a click), free months estimated from the
deal's term, a give of unknown worth asked for with a button, gets of no substance refused."""

from __future__ import annotations

import json

from conftest import CHANNEL, REP, TEAM

from bot.slack.ids import Action, Block


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


def worth_form_of_a_free_item(slack, standin) -> dict:  # noqa: ANN001
    """A deal with a free item of unknown worth, and the form its "Set its worth" button opens."""
    slack.command("new acme list=100k floor=70k", user=REP)
    answer = slack.command("concede acme free onboarding", user=REP)
    before = len(standin.calls_to("views.open"))
    slack.press(answer.body["blocks"], Action.SET_WORTH, user=REP, channel=CHANNEL)
    [call] = standin.calls_to("views.open")[before:]
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_the_worth_of_a_give_of_unknown_worth_is_asked_for_with_a_button_and_counts_once_given(
        slack, standin, container) -> None:
    view = worth_form_of_a_free_item(slack, standin)
    assert "free onboarding" in json.dumps(view)

    saved = slack.view_submission(view, {str(Block.WORTH): {str(Action.WORTH): "5k"}}, user=REP)
    assert saved.status == 200 and "errors" not in saved.text, saved.text
    [entry] = load(container).entries
    assert (entry.worth_cents, entry.worth_estimated) == (500_000, False)
    assert "Effective $95,000" in slack.command("status acme", user=REP).text


def test_a_worth_that_does_not_read_is_shown_beside_the_field_and_nothing_changes(slack, standin, container) -> None:
    view = worth_form_of_a_free_item(slack, standin)
    refused = slack.view_submission(view, {str(Block.WORTH): {str(Action.WORTH): "heaps"}}, user=REP)
    assert "errors" in refused.text and "heaps" in refused.text
    assert load(container).entries[0].worth_cents is None


def test_an_estimate_is_corrected_with_deal_worth(slack, container) -> None:
    slack.command("new acme list=120k floor=70k", user=REP)
    slack.command("concede acme a month free", user=REP)
    answer = slack.command("worth acme 2k", user=REP)
    assert "Logged what 1 month free is worth on *acme*: $2,000" in answer.text, answer.text
    assert "Effective $118,000" in answer.text
    [entry] = load(container).entries
    assert (entry.worth_cents, entry.worth_estimated) == (200_000, False)


def test_a_price_move_takes_no_stated_worth(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5%", user=REP)
    answer = slack.command("worth acme 1 2k", user=REP)
    assert "only free items and terms take a worth" in answer.text, answer.text
