"""Recognises demands no deal is worth: kickbacks, bribes, side payments, off-the-books deals, falsified records."""

from __future__ import annotations

import re

_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE))
    for label, pattern in (
        ("a kickback", r"\bkick[\s-]?backs?\b"),
        ("a bribe", r"\bbrib(?:e|es|ed|ing|ery)\b"),
        ("a side payment", r"\bside[\s-]?(?:payment|deal|arrangement|letter)s?\b"),
        ("a payment under the table", r"\bunder[\s-]the[\s-]table\b"),
        ("an off-the-books deal", r"\boff[\s-]the[\s-]books\b"),
        ("falsified records", r"\bcook(?:ing|ed)?\s+the\s+books\b"),
        ("backdating", r"\bback[\s-]?dat(?:e|ed|ing)\b"),
        (
            "falsified records",
            r"\b(?:falsif\w*|fake|forge\w*|doctor(?:ed)?|fudge\w*)\s+(?:the\s+|a\s+|an\s+)?"
            r"(?:records?|invoices?|books|paperwork|documents?|contracts?|numbers|receipts?|po|purchase orders?)\b",
        ),
        ("a personal payment to the buyer", r"\b(?:personal|cash)\s+(?:payment|gift|cut)\b.*\b(?:me|buyer|him|her)\b"),
    )
)


def ethics_markers(text: str) -> tuple[str, ...]:
    """The unethical demands a customer's words contain, each named once, in a fixed order."""
    return tuple(dict.fromkeys(label for label, pattern in _MARKERS if pattern.search(text)))
