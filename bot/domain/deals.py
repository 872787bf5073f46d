"""What can happen to a deal: opening it, recording moves, taking them back, closing it. Checks every input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.errors import Conflict, InputError
from bot.domain.ledger import Ledger, LedgerNotRead
from bot.domain.model import DEFAULT_TERM_MONTHS, ConcessionType, Deal, Entry, EntryKind, Policy, Stage
from bot.domain.money import Amount, format_money, percent_of

MAX_HOURS_PER_ENTRY = Decimal(1000)


@dataclass(frozen=True)
class ConcessionSpec:
    """A concession as typed: its type, and the percent, amount or worth it names."""

    type: ConcessionType
    percent_bp: int | None = None
    amount: Amount | None = None  # cut: the amount off; price: the new net
    text: str = ""  # free: the item; terms: the terms
    worth: Amount | None = None  # free and terms
    months: int | None = None  # free months: what a free item's worth is estimated from


def check_currency(deal_currency: str, amount: Amount | None) -> None:
    """One currency per deal: a later amount naming another one is an error."""
    if amount is not None and amount.currency is not None and amount.currency != deal_currency:
        raise InputError(f"This deal is in {deal_currency}; `{amount.currency}` amounts cannot be mixed in.")


def new_deal(
    *,
    team_id: str,
    name: str,
    owner_id: str,
    channel_id: str,
    list_price: Amount,
    floor: Amount,
    target: Amount | None,
    cap_bp: int | None,
    customer: str,
    policy: Policy,
    term_months: int = DEFAULT_TERM_MONTHS,
    by_manager: bool,
    at: datetime,
) -> Deal:
    """Opens a deal; the floor is set before any negotiating and must sit at or below list."""
    currencies = {a.currency for a in (list_price, floor, target) if a is not None and a.currency}
    if len(currencies) > 1:
        raise InputError("Use one currency for list, floor and target.", field="list")
    currency = currencies.pop() if currencies else "USD"
    if floor.cents > list_price.cents:
        raise InputError(
            f"The floor ({format_money(floor.cents, currency)}) is above list "
            f"({format_money(list_price.cents, currency)}); the floor is the lowest price you accept.",
            field="floor",
        )
    if target is not None and target.cents < floor.cents:
        raise InputError("The target is below the floor; aim at or above your walk-away price.", field="target")
    if target is not None and target.cents > list_price.cents:
        raise InputError("The target is above list; aim at or below the quoted price.", field="target")
    if cap_bp is not None and cap_bp > policy.cap_bp and not by_manager:
        raise InputError(
            f"A deal's cap may only be at or below the workspace cap ({policy.cap_bp / 100:g}%) "
            "unless a manager sets it.",
            field="cap",
        )
    return Deal(
        id=None,
        team_id=team_id,
        name=name,
        owner_id=owner_id,
        channel_id=channel_id,
        currency=currency,
        list_cents=list_price.cents,
        floor_cents=floor.cents,
        target_cents=target.cents if target else None,
        cap_bp=cap_bp,
        customer=customer,
        term_months=term_months,
        created_at=at,
    )


def require_open(deal: Deal) -> None:
    """Moves, coaching and outcomes are for open deals; a walked-away deal reopens when the customer comes back."""
    if deal.is_open:
        return
    if deal.stage is Stage.WALKED:
        raise Conflict(f"You walked away from `{deal.name}`; if the customer comes back, "
                       f"`/deal back {deal.name}` reopens it.")
    raise Conflict(f"`{deal.name}` is closed ({deal.stage.value}): there is nothing more to negotiate on it.")


def concession_entry(deal: Deal, spec: ConcessionSpec, *, by: str, at: datetime, ledger: Ledger | None = None) -> Entry:
    """The ledger entry a concession makes, its worth in money; an error if the price would reach zero.
    `ledger`: the deal's ledger, when the caller has it already."""
    for amount in (spec.amount, spec.worth):
        check_currency(deal.currency, amount)
    ledger = ledger or Ledger.of(deal)
    worth = _worth(deal, ledger, spec)
    estimated = worth is None and spec.months is not None
    if estimated:
        worth = free_months_worth(deal, spec.months or 0)
    net_after = ledger.net_cents - ((worth or 0) if spec.type.changes_price else 0)
    effective_after = ledger.effective_cents - (worth or 0)
    if net_after <= 0 or effective_after <= 0:
        raise InputError(
            "That concession would take the price to zero or below "
            f"(effective price now {format_money(ledger.effective_cents, deal.currency)})."
        )
    return Entry(
        seq=deal.next_seq(),
        kind=EntryKind.CONCESSION,
        by_user=by,
        at=at,
        text=describe(deal, spec),
        concession_type=spec.type,
        worth_cents=worth,
        percent_bp=spec.percent_bp,
        unqualified=not deal.qualification.complete,
        worth_estimated=estimated,
    )


def free_months_worth(deal: Deal, months: int) -> int:
    """Free months at what the deal charges for a month: list ÷ the deal's term (12 months unless set)."""
    return deal.list_cents * months // max(deal.term_months, 1)


def _worth(deal: Deal, ledger: Ledger, spec: ConcessionSpec) -> int | None:
    if spec.type is ConcessionType.PERCENT:
        assert spec.percent_bp is not None
        return percent_of(deal.list_cents, spec.percent_bp)
    if spec.type is ConcessionType.CUT:
        assert spec.amount is not None
        return spec.amount.cents
    if spec.type is ConcessionType.PRICE:
        assert spec.amount is not None
        if spec.amount.cents >= ledger.net_cents:
            raise InputError(
                f"A new price of {format_money(spec.amount.cents, deal.currency)} is not below the net price "
                f"({format_money(ledger.net_cents, deal.currency)}), so it concedes nothing."
            )
        return ledger.net_cents - spec.amount.cents
    return spec.worth.cents if spec.worth else None


def describe(deal: Deal, spec: ConcessionSpec) -> str:
    """A concession as the ledger names it: "5% off list", "$5,000 off", "price to $90,000", "3 months free"."""
    if spec.type is ConcessionType.PERCENT:
        return f"{(spec.percent_bp or 0) / 100:g}% off list"
    if spec.type is ConcessionType.CUT:
        assert spec.amount is not None
        return f"{format_money(spec.amount.cents, deal.currency)} off"
    if spec.type is ConcessionType.PRICE:
        assert spec.amount is not None
        return f"price to {format_money(spec.amount.cents, deal.currency)}"
    if spec.type is ConcessionType.FREE and spec.months:
        return f"{spec.months} month{'s' if spec.months != 1 else ''} free"
    if spec.type is ConcessionType.FREE:
        return f"free {spec.text}"
    return f"terms: {spec.text}"


def get_entry(deal: Deal, text: str, worth: Amount | None, *, by: str, at: datetime, seq: int | None = None,
              answering: Entry | None = None) -> Entry:
    """What was received for the latest concession that has nothing yet; an error if there is none.
    `answering`: that concession, when the caller knows it (the one it has just added)."""
    check_currency(deal.currency, worth)
    target = answering or Ledger.of(deal).latest_unreciprocated
    if target is None:
        raise Conflict(f"Every concession on `{deal.name}` already has a get; log a concession first.")
    return Entry(
        seq=seq or deal.next_seq(),
        kind=EntryKind.GET,
        by_user=by,
        at=at,
        text=text,
        worth_cents=worth.cents if worth else None,
        reciprocates=target.seq,
    )


def state_worth(deal: Deal, worth: Amount, *, number: int | None = None) -> Entry:
    """The rep says what a give is worth: the `number`th give as the ledger numbers them (1, 2, 3…), else the
    latest whose worth is unknown or estimated. Only free items and terms take a stated worth; a price move is
    worth what it took off."""
    check_currency(deal.currency, worth)
    require_whole_ledger(deal)
    gives = Ledger.of(deal).concessions
    if number is not None:
        if not 1 <= number <= len(gives):
            raise InputError(f"`{deal.name}` has {len(gives)} give{'s' if len(gives) != 1 else ''}; "
                             f"there is no number {number}.")
        entry = gives[number - 1]
    else:
        open_worths = [g for g in gives if g.worth_cents is None or g.worth_estimated]
        if not open_worths:
            raise Conflict(f"Every give on `{deal.name}` has its worth; name one by its number to change it, "
                           f"e.g. `/deal worth {deal.name} 2 5k`.")
        entry = open_worths[-1]
    if entry.concession_type is None or entry.concession_type.changes_price:
        raise InputError(f"{entry.text} is worth what it took off the price; only free items and terms take a worth.")
    before = entry.worth_cents, entry.worth_estimated
    entry.worth_cents, entry.worth_estimated = worth.cents, False
    if Ledger.of(deal).effective_cents <= 0:
        entry.worth_cents, entry.worth_estimated = before
        raise InputError("That worth would take the effective price to zero or below.")
    return entry


def latest_move_by(deal: Deal, user_id: str) -> tuple[Entry, ...]:
    """The user's latest move on the deal, what `/deal undo` takes back, oldest entry first: a concession together
    with the get recorded with it, or else the latest concession, ask or get on its own. Entries already taken
    back are skipped, so a second undo takes the move before.

    A get was recorded with its concession, in one move (`/deal concede acme 5% for a case study`), when it
    answers that concession, comes right after it in the ledger, and has its author and its moment: a move's
    entries are stamped with one reading of the clock. A get logged later with `/deal get` is a move of its own,
    even with nothing in between: undo takes back that get alone, and its concession stands without one again.

    A concession that someone else logged a get for is not the user's alone to take back: the one who logged the
    get takes it back first (their undo), then the concession can go."""
    for entry in sorted(deal.entries, key=lambda e: e.seq, reverse=True):
        if entry.taken_back or entry.by_user != user_id:
            continue
        if entry.kind is EntryKind.CONCESSION:
            # A get of the user's own would be a later entry, found before the concession.
            got = _active_get(deal, entry.seq)
            if got is not None:
                raise Conflict(
                    f"Your latest concession ({entry.text}) has a get that <@{got.by_user}> logged "
                    f"({got.text}). They can take it back with `/deal undo {deal.name}`; then you can take back "
                    "the concession."
                )
        return move_ending_with(deal, entry)
    raise Conflict(f"You have nothing on `{deal.name}` to take back.")


def move_ending_with(deal: Deal, entry: Entry) -> tuple[Entry, ...]:
    """The entries of the move whose last entry is `entry`: a get recorded with its concession comes with that
    concession (concession first); any other entry is a move by itself."""
    if entry.kind is EntryKind.GET and entry.reciprocates is not None:
        concession = next((e for e in deal.entries if e.seq == entry.reciprocates), None)
        if concession is not None and recorded_together(concession, entry):
            return (concession, entry)
    return (entry,)


def recorded_together(concession: Entry, get: Entry) -> bool:
    """Whether `get` was recorded in the same move as `concession` (see `latest_move_by`)."""
    return (get.reciprocates == concession.seq and get.seq == concession.seq + 1
            and get.by_user == concession.by_user and get.at == concession.at)


def take_back(deal: Deal, user_id: str) -> tuple[Entry, ...]:
    """`/deal undo`: the user's latest move taken back, every entry of it; they stay in the ledger as history."""
    require_open(deal)
    require_whole_ledger(deal)
    move = latest_move_by(deal, user_id)
    for entry in move:
        entry.taken_back, entry.taken_back_by = True, user_id
    return move


def _active_get(deal: Deal, seq: int) -> Entry | None:
    return next((e for e in deal.entries if e.active and e.kind is EntryKind.GET and e.reciprocates == seq), None)


def approve_exception(deal: Deal, seq: int) -> None:
    """A manager's exception covers the concession the alert was about, and ends with the next one."""
    if Ledger.of(deal).tally.latest_seq != seq:
        raise Conflict("A newer concession was logged after this alert, so it needs a decision of its own.")
    deal.cap_approved_through = seq


def require_whole_ledger(deal: Deal) -> None:
    """Taking a move back and stating a worth change entries anywhere in the ledger: they read all of it."""
    if not deal.whole_ledger:
        raise LedgerNotRead


def add_hours(deal: Deal, hours: Decimal) -> None:
    if hours <= 0 or hours > MAX_HOURS_PER_ENTRY:
        raise InputError(f"Hours must be more than 0 and at most {MAX_HOURS_PER_ENTRY} at a time.")
    deal.hours += hours


def close(deal: Deal, stage: Stage, *, price: Amount | None, note: str) -> None:
    """Walked, won or lost; a won price is the price the deal closed at."""
    require_open(deal)
    check_currency(deal.currency, price)
    deal.stage = stage
    deal.outcome_cents = price.cents if price else None
    deal.outcome_note = note


def come_back(deal: Deal, price: Amount | None) -> None:
    """The customer returned after a walk-away: the deal reopens, on the rep's terms."""
    if deal.stage is not Stage.WALKED:
        raise Conflict(f"`/deal back` is for a deal you walked away from; `{deal.name}` is {deal.stage.said}.")
    check_currency(deal.currency, price)
    deal.stage = Stage.OPEN
    deal.came_back = True
    deal.outcome_cents = price.cents if price else None
