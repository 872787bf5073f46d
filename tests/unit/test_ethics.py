"""PRODUCT.md section 4, ethics rule: demands no deal is worth, recognised in the customer's words."""

from __future__ import annotations

import pytest

from bot.domain.ethics import ethics_markers


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("We'd need a 5% kickback to get this through", "a kickback"),
        ("what about kick-backs for my team?", "a kickback"),
        ("A small bribe would speed up procurement", "a bribe"),
        ("I can't be seen bribing anyone, but...", "a bribe"),
        ("We expect a side payment to our consultant", "a side payment"),
        ("Let's do a side deal, just between us", "a side payment"),
        ("Can we keep this off the books?", "an off-the-books deal"),
        ("an off-the-books discount", "an off-the-books deal"),
        ("Backdate the contract to March so it lands in Q1", "backdating"),
        ("we need the order back-dated to last quarter", "backdating"),
        ("Could you falsify the records for the audit?", "falsified records"),
        ("Just fake the invoice so finance approves it", "falsified records"),
        ("Doctor the PO numbers for us", "falsified records"),
        ("Slip me something under the table", "a payment under the table"),
    ],
)
def test_each_unethical_demand_of_the_contract_is_recognised(text: str, marker: str) -> None:
    assert marker in ethics_markers(text)


def test_cooking_the_books_is_a_demand_to_falsify_records() -> None:
    assert "falsified records" in ethics_markers("Can you cook the books a little on the renewal?")


@pytest.mark.parametrize(
    "text",
    [
        "We need 15% off and net 60 terms",
        "Can you throw in free onboarding?",
        "Send over the usage records and the invoice",
        "Let's book a meeting with our CFO",
        "The buy side wants a multi-year term",
        "What date can you start? We need it dated for April",
        "Off the record, our budget is 80k",
    ],
)
def test_an_ordinary_ask_carries_no_ethics_marker(text: str) -> None:
    assert ethics_markers(text) == ()


def test_matching_ignores_case() -> None:
    assert ethics_markers("KICKBACK") == ("a kickback",)


def test_several_demands_are_each_named_once() -> None:
    markers = ethics_markers("a kickback, another kickback, and backdate the PO")
    assert markers == ("a kickback", "backdating")
