"""A deal's running figures, kept one entry at a time, equal the figures summed over its whole ledger; and a deal
read as its running figures and its latest entries is judged exactly as the deal read whole."""

from __future__ import annotations

import copy
import dataclasses
from datetime import timedelta

import pytest
from builders import NOW, REP, dollars, make_deal
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import deals as domain
from bot.domain.errors import Conflict, InputError
from bot.domain.ledger import Ledger, LedgerNotRead
from bot.domain.model import ConcessionType, Deal, Entry, EntryKind, Policy
from bot.domain.money import Amount
from bot.domain.rules import judge
from bot.domain.tally import Tally

OTHER = "U0REP0002"
# The moves a rep can make, each with a share of list (its percent, cut, worth or new price's step).
MOVES = ("ask", "percent", "cut", "price", "free", "free unknown", "free months", "terms", "concede with get", "get",
         "worth", "undo", "undo other", "unqualify")
moves = st.lists(st.tuples(st.sampled_from(MOVES), st.integers(1, 400)), max_size=60)


def spec(move: str, share_bp: int, deal: Deal) -> domain.ConcessionSpec:
    share = Amount(max(deal.list_cents * share_bp // 10_000, 1))
    if move == "percent":
        return domain.ConcessionSpec(ConcessionType.PERCENT, percent_bp=share_bp)
    if move == "price":
        return domain.ConcessionSpec(ConcessionType.PRICE, amount=Amount(Ledger.of(deal).net_cents - share.cents))
    if move == "free":
        return domain.ConcessionSpec(ConcessionType.FREE, text="training", worth=share)
    if move == "free months":
        return domain.ConcessionSpec(ConcessionType.FREE, text="months", months=1 + share_bp % 3)
    if move == "free unknown":
        return domain.ConcessionSpec(ConcessionType.FREE, text="onboarding")
    if move == "terms":
        return domain.ConcessionSpec(ConcessionType.TERMS, text="net 60", worth=share)
    return domain.ConcessionSpec(ConcessionType.CUT, amount=share)


def play(deal: Deal, move: str, share_bp: int, step: int) -> tuple[Entry, ...] | None:
    """One move on the deal as the services make it: the new entries, or None when the move changed entries
    already in the ledger (an undo, a worth), or nothing when the rep could not make it."""
    at, by = NOW + timedelta(minutes=step), OTHER if move == "undo other" or step % 5 == 0 else REP
    before = len(deal.entries)
    try:
        if move == "ask":
            deal.entries.append(Entry(deal.next_seq(), EntryKind.ASK, by, at, text="more off"))
        elif move == "get":
            deal.entries.append(domain.get_entry(deal, "a logo", None, by=by, at=at))
        elif move in ("undo", "undo other"):
            domain.take_back(deal, by)
            return None
        elif move == "worth":
            domain.state_worth(deal, Amount(max(deal.list_cents * share_bp // 20_000, 1)))
            return None
        elif move == "unqualify":
            deal.qualification.budget = not deal.qualification.budget
        else:
            entry = domain.concession_entry(deal, spec(move, share_bp, deal), by=by, at=at)
            deal.entries.append(entry)
            if move == "concede with get":
                deal.entries.append(domain.get_entry(deal, "a case study", None, by=by, at=at, answering=entry))
    except (InputError, Conflict):
        pass  # the rep could not make this move either
    return tuple(deal.entries[before:])


def latest_only(deal: Deal, stored: Tally, latest: int) -> Deal:
    """The deal as a move reads it: its stored running figures and its `latest` newest entries."""
    read = copy.deepcopy(deal)
    read.entries, read.tally = read.entries[-latest:] if latest else [], stored
    return read


@settings(max_examples=150, deadline=None)
@given(moves=moves, latest=st.integers(0, 12))
def test_the_running_figures_after_any_moves_equal_the_figures_of_the_whole_ledger(
        moves: list[tuple[str, int]], latest: int) -> None:
    """Each move folds its entries into the figures as read with the deal's latest entries (what a move saves);
    an undo or a worth stated later reads the whole ledger and recomputes them (what those moves save)."""
    deal = make_deal(list_cents=dollars(120_000), floor_cents=dollars(60_000))
    stored = Tally()
    for step, (move, share_bp) in enumerate(moves):
        window = copy.deepcopy(deal.entries[-latest:] if latest else [])  # what the move read
        added = play(deal, move, share_bp, step)
        if added is None:
            stored = Tally.of(deal.entries)
        else:
            read = latest_only(deal, stored, 0)
            read.entries = window + list(added)
            stored = Ledger.of(read).tally
        assert stored == Tally.of(deal.entries), (step, move)


@settings(max_examples=150, deadline=None)
@given(moves=moves, latest=st.integers(1, 12))
def test_a_deal_read_with_its_latest_entries_is_judged_as_the_whole_deal(
        moves: list[tuple[str, int]], latest: int) -> None:
    deal = make_deal(list_cents=dollars(120_000), floor_cents=dollars(60_000), cap_bp=1500)
    for step, (move, share_bp) in enumerate(moves):
        play(deal, move, share_bp, step)
        deal.hours += 1
        whole, read = Ledger.of(deal), latest_only(deal, Tally.of(deal.entries), latest)
        partial = Ledger.of(read)
        assert judge(read, Policy()) == judge(deal, Policy())
        assert (partial.net_cents, partial.effective_cents, partial.unreciprocated_run, partial.gets_count,
                len(partial.open_asks) <= len(whole.open_asks)) == (
            whole.net_cents, whole.effective_cents, whole.unreciprocated_run, whole.gets_count, True)
        assert partial.gives == whole.gives[len(whole.gives) - len(partial.gives):]
        try:
            latest_open = partial.latest_unreciprocated
        except LedgerNotRead:  # older than the entries read: the move reads the whole ledger instead
            assert whole.latest_unreciprocated is not None
            assert whole.latest_unreciprocated not in read.entries
        else:
            assert latest_open == whole.latest_unreciprocated


def test_a_concession_folded_in_moves_the_latest_worth_to_the_previous_one() -> None:
    deal = make_deal()
    first = domain.concession_entry(deal, domain.ConcessionSpec(ConcessionType.CUT, amount=Amount(500)),
                                    by=REP, at=NOW)
    tally = Tally().apply(first)
    second = dataclasses.replace(first, seq=2, worth_cents=None, concession_type=ConcessionType.FREE)
    tally = tally.apply(second)
    assert (tally.concessions, tally.latest_seq, tally.latest_worth, tally.previous_worth, tally.unpriced,
            tally.run, tally.price_cents) == (2, 2, None, 500, 1, 2, 500)


def test_undo_and_a_stated_worth_need_the_whole_ledger() -> None:
    deal = make_deal()
    deal.tally = Tally()  # read with its latest entries only
    with pytest.raises(LedgerNotRead):
        domain.take_back(deal, REP)
    with pytest.raises(LedgerNotRead):
        domain.state_worth(deal, Amount(100))
