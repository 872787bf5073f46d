"""Pure renderers of a deal's moments: what undo says it took back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import NOW, add_ask, add_concession, add_get, dollars, make_deal

from bot.render.replies import undo_headline
from bot.render.words import definite


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
