"""PRODUCT.md section 4, ethics rule: demands no deal is worth, recognised in the ways people say them, and
everyday deal talk that only sounds like one left alone."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from tables import ethics_more, ethics_third, ethics_tuning  # noqa: E402

from bot.domain.ethics import demands_in_words, ethics_markers  # noqa: E402

# The tuning tables: the first author's and two written blind by others (never the held-out one).
UNETHICAL = ethics_tuning.UNETHICAL + ethics_more.UNETHICAL + ethics_third.UNETHICAL
INNOCENT = ethics_tuning.INNOCENT + ethics_more.INNOCENT + ethics_third.INNOCENT


@pytest.mark.parametrize("text", UNETHICAL)
def test_every_unethical_phrasing_of_the_tuning_tables_is_recognised(text: str) -> None:
    assert ethics_markers(text)


@pytest.mark.parametrize("text", INNOCENT)
def test_no_innocent_phrasing_of_the_tuning_tables_is_flagged(text: str) -> None:
    assert ethics_markers(text) == ()


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("We'd need a 5% kickback to get this through", "a kickback"),
        ("what about kick-backs for my team?", "a kickback"),
        ("they want us to kick back 3% to him", "a kickback"),
        ("A small bribe would speed up procurement", "a bribe"),
        ("I can't be seen bribing anyone, but...", "a bribe"),
        ("we need to pay off the procurement guy", "a bribe"),
        ("We expect a side payment to our consultant", "a side payment"),
        ("Let's do a side deal, just between us", "a side agreement kept out of the contract"),
        ("they want a side letter on price protection", "a side agreement kept out of the contract"),
        ("Can we keep this off the books?", "an off-the-books deal"),
        ("an off-the-books discount", "an off-the-books deal"),
        ("they'd like the discount not on the invoice", "an off-the-books deal"),
        ("Slip me something under the table", "a payment under the table"),
        ("Backdate the contract to March so it lands in Q1", "backdated paperwork"),
        ("we need the order back-dated to last quarter", "backdated paperwork"),
        ("date the PO as of last month even tho they signed today", "backdated paperwork"),
        ("Could you falsify the records for the audit?", "falsified records"),
        ("Just fake the invoice so finance approves it", "falsified records"),
        ("Doctor the PO numbers for us", "falsified records"),
        ("Can you cook the books a little on the renewal?", "falsified records"),
        ("bill the hardware as consulting so it doesnt look like capex", "falsified records"),
        ("split the invoice in two so each is under his 50k approval limit",
         "an order split to stay under an approval limit"),
        ("send two invoices so neither goes over his signing limit", "an order split to stay under an approval limit"),
        ("keep the rebate out of the contract so finance doesn't see it", "terms hidden from their own company"),
        ("an envelope of cash and we're done", "a cash payment"),
        ("i can tell you the lowest bid wed night. what's it worth to u?", "a rigged tender"),
        ("he'll tweak the requirements so only our product qualifies", "a rigged tender"),
        ("two invoices of 49,500 instead of one? anything over 50k goes to the board",
         "an order split to stay under an approval limit"),
        ("can you sign a letter saying the pilot was completed in feb? it wasnt", "falsified records"),
        ("list the extra seats as 'professional services' so his boss doesnt notice", "falsified records"),
        ("book the deal under a different customer so their HQ doesn't see it", "terms hidden from their own company"),
        ("a verbal promise of 3 free months, just between us", "a side agreement kept out of the contract"),
        ("he wants the amendment kept in a drawer, not filed with the contract", "an off-the-books deal"),
        ("agree a 40% rebate by email only their cto knows about", "terms hidden from their own company"),
        ("leave the price increase out of the deck, they won't read the order form anyway",
         "terms hidden from the customer"),
        ("sign the acknowledgement dated august so their auditor thinks it was approved", "backdated paperwork"),
        ("docusign them later with the old date", "backdated paperwork"),
        ("sit on the signed contract and find it next quarter", "a signed contract held back to another period"),
        ("two versions of the order form: the real price, and a lower one for their finance team", "falsified records"),
        ("our partner just needs to submit a higher dummy bid so it looks competitive", "a rigged tender"),
        ("he'll tell us the other bidders' number before the deadline", "a rigged tender"),
        ("submit our bid after we see the others, he'll keep the portal open for us", "a rigged tender"),
        ("change the delivery date to december? we only delivered in january", "backdated paperwork"),
    ],
)
def test_each_kind_of_unethical_demand_is_named(text: str, marker: str) -> None:
    assert marker in ethics_markers(text)


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("their procurement lead wants a personal fee to get this signed", "a personal fee for their procurement lead"),
        ("buyer asked if there'd be a finders fee for him", "a personal fee for their buyer"),
        ("a $500 amazon gift card for the buyer?", "a personal gift for their buyer"),
        ("their VP asked for a trip to cabo", "a personal trip for their VP"),
        ("their champion wants a piece of the action", "a personal cut of the deal for their champion"),
        ("Pay me 3% and i'll make sure it signs", "a personal payment for someone on their side"),
        ("he asked us to wire 5k to his personal account", "a personal payment for someone on their side"),
        ("he said he'd sign if we hire his brother as a consultant", "a paid job for someone on their side"),
        ("customer wants us to pay their team lead's gym membership", "a personal payment for their team lead"),
        ("just make it worth my while and the PO is yours by friday", "a personal payment for someone on their side"),
        ("she wants the bonus paid to her husband's consultancy", "a personal payment for someone on their side"),
        ("buyer asked if the rebate can be paid to him directly instead of to the company",
         "a personal payment for their buyer"),
        ("their engineer will tank the competitor if we promise him a job offer", "a paid job for their engineer"),
        ("their manager will sign if we put his gf on our payroll", "a paid job for their manager"),
        ("can we give their vp some of our shares on the side?", "a personal payment for their VP"),
        ("eval committee member asked for 4 vip concert tix", "a personal gift for their committee member"),
        ("she'll approve it if her husband's agency gets the translation work", "a paid job for someone on their side"),
    ],
)
def test_something_of_value_for_a_person_on_their_side_names_what_and_for_whom(text: str, marker: str) -> None:
    assert ethics_markers(text) == (marker,)


@pytest.mark.parametrize(
    "text",
    [
        "we charge a consulting fee of 15k for the migration",  # a service the company pays for
        "our referral program pays partner firms 10%, it's in the partner agreement",  # disclosed, between companies
        "Off the record, our budget is 80k",  # informally
        "we'll gift them a free seat for the admin",  # to the company
        "can we date the contract for a Jan 1 start?",  # a future start
        "our books close friday so we need the PO by thursday",
        "he's working on a side project with their data team",
        "they want a 10% cut on the price",  # a discount
        "a free trip for the whole team to our conference in May",
        "she wants to split the payment into two installments",  # no approval dodged
        "kick back and relax, the paper is signed",
        "We need 15% off and net 60 terms",
        "Send over the usage records and the invoice",
        "What date can you start? We need it dated for April",
        "their CTO wants a site visit next month, their company is paying for the trip",  # their company pays
        "he declined any honorarium and his company is covering his travel",
        "if this closes before friday my commission doubles lol",  # the rep's own
        "they told us we're up against acme but wouldnt share numbers, which is fair",
        "the buyer's wife just had a baby so he's out till the 15th",
        "to grease the wheels with their legal i sent over our standard DPA",
        "their finance team wants the po split by cost center. same total, goes through their normal approval",
    ],
)
def test_a_near_miss_carries_no_ethics_marker(text: str) -> None:
    assert ethics_markers(text) == ()


# The kinds of near miss the third (blind) table brought, each read as what it is.
@pytest.mark.parametrize(
    "text",
    [
        "lol no bribes here, just a great product",  # a denial
        "told them we don't do side letters, any change goes in a signed amendment",
        "side letter question came up again",  # the topic, not the thing
        "they asked us to confirm we have a no-gifts policy",
        "just a card, no gift",
        "their buyer joked 'just send cash' then asked for the pricing sheet",  # a joke retold
        "a 'gift', by which he means a free extra admin seat",  # says what it means
        "he asked 'whats in it for me', meaning what his team gains",
        "he asked for a 'little something extra' — 2 more sandbox environments",
        "he asked about trips to our HQ for training. their company pays the travel",  # who pays, said elsewhere
        "can we invite the buyer to our conference? tickets are free for all customers",
        "the buyer wants tickets for his team to our user conference",
        "a referral bonus for intro'ing their sister company",  # no relative
        "their CFO personally reviews every contract over 50k",  # an adverb
        "the PO is dated last week bc it was raised then",  # the date it really has
        "resending the march invoice with the original date",
        "buyer asked for a full fee breakdown",  # the vendor's fees
        "he asked about paying in cash, we only take wire",
        "their VP wants a cut of the list price",
        "can we send the buyer a thank you note?",
        "she asked for a personal favor, could we move the demo to 8am",
    ],
)
def test_a_denial_a_joke_an_explanation_or_an_open_offer_is_no_demand(text: str) -> None:
    assert ethics_markers(text) == ()


def test_a_joke_that_was_serious_is_still_a_demand() -> None:
    assert ethics_markers("he joked at first but he was serious: 5k to his venmo and the PO is ours")


def test_who_pays_said_elsewhere_does_not_open_what_is_plainly_for_a_person() -> None:
    assert ethics_markers("their company pays the travel. he wants his wife's flights covered too")


def test_a_long_message_is_read_well_under_fifty_milliseconds() -> None:
    text = " ".join(UNETHICAL + INNOCENT)[:4000]
    fastest = min(_timed(text) for _ in range(3))
    assert fastest < 0.05


def _timed(text: str) -> float:
    started = time.perf_counter()
    ethics_markers(text)
    return time.perf_counter() - started


def test_matching_ignores_case() -> None:
    assert ethics_markers("KICKBACK") == ("a kickback",)


def test_several_demands_are_each_named_once() -> None:
    markers = ethics_markers("a kickback, another kickback, and backdate the PO")
    assert markers == ("a kickback", "backdated paperwork")


def test_every_label_reads_after_they_asked_for() -> None:
    demands = ethics_markers("a kickback. backdate the PO. a side letter too")
    assert f"They asked for {demands_in_words(demands)}." == (
        "They asked for a kickback, backdated paperwork and a side agreement kept out of the contract.")
