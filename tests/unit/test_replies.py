"""Pure renderers of a deal's moments: what undo says it took back, and a closed deal shown by its stage, not a
verdict (in lists, on its card)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from builders import NOW, add_ask, add_concession, add_get, dollars, make_deal

from bot.domain.deals import close
from bot.domain.ledger import Ledger
from bot.domain.model import Policy, Stage, Verdict
from bot.domain.rules import judge
from bot.render.public import deal_card
from bot.render.replies import deal_line, undo_headline
from bot.render.words import definite
from bot.services.results import DealLine

VERDICT_WORDS = re.compile(r"\b(OK|PUSH BACK|ESCALATE|WALK AWAY)\b")


def test_undo_of_a_concession_with_its_get_names_both() -> None:
    deal = make_deal()
    add_concession(deal, dollars(5_000), text="5% off list", got="a case study")
    assert undo_headline(deal, deal.entries[-1]) == (
        "Took back: 5% off list, and the case study you got for it. "
        "Both stay in the deal's history as taken back.")


def test_undo_of_a_get_logged_later_names_the_concession_it_answered() -> None:
    deal = make_deal()
    conceded = add_concession(deal, dollars(5_000), text="5% off list")
    got = add_get(deal, "logo rights", reciprocates=conceded.seq, at=NOW + timedelta(minutes=1))
    assert undo_headline(deal, got).startswith("Took back: logo rights, the get you logged for 5% off list.")


def test_undo_of_a_concession_alone_and_of_an_ask() -> None:
    deal = make_deal()
    conceded = add_concession(deal, dollars(2_000), text="free onboarding")
    ask = add_ask(deal, "another 10%")
    assert undo_headline(deal, conceded) == "Took back: free onboarding. It stays in the deal's history as taken back."
    assert undo_headline(deal, ask).startswith("Took back the customer's ask: “another 10%”.")


@pytest.mark.parametrize(("text", "named"), [("a case study", "the case study"), ("an intro", "the intro"),
                                             ("logo rights", "logo rights"), ("a", "a")])
def test_a_get_already_mentioned_is_named_with_the(text: str, named: str) -> None:
    assert definite(text) == named


@pytest.mark.parametrize("stage", [Stage.WALKED, Stage.WON, Stage.LOST])
def test_a_closed_deal_in_a_list_shows_its_stage_not_a_verdict(stage: Stage) -> None:
    deal = make_deal()
    add_concession(deal, dollars(60_000))  # below the floor while open
    close(deal, stage, price=None, note="")
    line = deal_line(DealLine(deal, Ledger.of(deal), judge(deal, Policy())))
    assert stage.value in line and not VERDICT_WORDS.search(line) and "headroom" not in line, line


def test_an_open_deal_in_a_list_shows_its_verdict_and_headroom() -> None:
    deal = make_deal()
    line = deal_line(DealLine(deal, Ledger.of(deal), judge(deal, Policy())))
    assert "*OK*" in line and "headroom $50,000" in line, line


def test_a_closed_deals_card_says_how_it_ended_and_shows_no_verdict_or_price() -> None:
    deal = make_deal()
    close(deal, Stage.WON, price=None, note="")
    card = deal_card(deal, Verdict.OK, 0)
    shown = str(card.blocks) + card.text
    assert "Closed: won" in shown and not VERDICT_WORDS.search(shown), shown
