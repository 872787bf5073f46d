"""The LLM's reading of a thread message is trusted only as far as the message bears it out."""

from __future__ import annotations

import pytest

from bot.coach.offer_reader import OfferAnswer, offer_from_answer
from bot.domain.model import ConcessionType
from bot.llm.errors import LLMUnavailable


def answer(kind: str, type_: str | None, value: str = "", evidence: str = "") -> OfferAnswer:
    return OfferAnswer(kind=kind, type=type_, value=value, evidence=evidence)


def test_a_percentage_is_read_through_the_same_parser_as_the_command() -> None:
    offer = offer_from_answer(answer("ask", "percent", "5%", "another 5%"), "they want another 5% off")
    assert offer is not None and offer.kind == "ask"
    assert offer.spec.type is ConcessionType.PERCENT and offer.spec.percent_bp == 500


def test_a_price_written_differently_from_the_message_still_matches_the_figure_quoted() -> None:
    offer = offer_from_answer(answer("concession", "price", "90000", "we countered at $90k"),
                              "we countered at $90k this morning")
    assert offer is not None and offer.spec.amount is not None and offer.spec.amount.cents == 9_000_000


def test_free_items_and_terms_keep_the_llms_words() -> None:
    offer = offer_from_answer(answer("ask", "terms", "net 60", "pushing for net 60"),
                              "Procurement is pushing for net 60")
    assert offer is not None and (offer.spec.type, offer.spec.text) == (ConcessionType.TERMS, "net 60")


@pytest.mark.parametrize("reading, message", [
    (answer("ask", "percent", "20%", "another 5%"), "they want another 5% off"),  # a figure not quoted
    (answer("ask", "percent", "5%", "5 percent off now"), "they want another 5% off"),  # words not in the message
    (answer("ask", "cut", "lots", "lots off"), "they want lots off"),  # no amount to read
    (answer("ask", "free", "", "free"), "anything free?"),  # nothing named
])
def test_a_reading_the_message_does_not_bear_out_is_refused(reading: OfferAnswer, message: str) -> None:
    with pytest.raises(LLMUnavailable):
        offer_from_answer(reading, message)


def test_no_offer_is_none_unless_the_words_carry_an_ethics_marker() -> None:
    assert offer_from_answer(answer("none", None), "great call today") is None
    flagged = offer_from_answer(answer("none", None), "he wants a kickback to push it through")
    assert flagged is not None and flagged.kind == "ask" and flagged.ethics == ("a kickback",)


def test_an_unethical_demand_is_always_an_ask_whatever_the_llm_calls_it() -> None:
    offer = offer_from_answer(answer("concession", "percent", "10%", "10% off"), "10% off and a side payment to me")
    assert offer is not None and offer.kind == "ask" and offer.ethics == ("a side payment",)


def test_a_demand_said_without_any_set_word_is_still_flagged_by_the_domain_detector() -> None:
    offer = offer_from_answer(answer("none", None), "buyer says he'd need a 2% consulting fee paid to him directly")
    assert offer is not None and offer.kind == "ask" and offer.ethics == ("a personal fee for their buyer",)
