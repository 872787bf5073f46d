"""The export's CSV: a row per ledger entry with its deal's columns, plain numbers and ISO moments, no formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from builders import REP, add_ask, add_concession, add_get, dollars, make_deal

from bot.domain.export import DealRecord
from bot.domain.model import ConcessionType, Decision, Stage, Verdict
from bot.render.export_csv import HEADERS, deals_csv


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_each_entry_is_a_row_with_its_deals_columns_and_each_give_shows_its_get_and_worth() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(60_000), target_cents=dollars(90_000))
    deal.customer = "Acme Corp"
    add_ask(deal, "they want 10% off")
    concession = add_concession(deal, dollars(5_000), text="$5,000 off")
    add_get(deal, "a two-year term", reciprocates=concession.seq)
    found = rows(deals_csv([DealRecord(deal, Verdict.PUSH_BACK, decisions={concession.seq: Decision.APPROVE})]))
    assert [row["entry kind"] for row in found] == ["ask", "concession", "get"]
    given = found[1]
    assert given["deal"] == "acme" and given["deal id"] == "1" and given["owner"] == REP
    assert given["customer"] == "Acme Corp" and given["stage"] == "open" and given["currency"] == "USD"
    assert (given["list"], given["floor"], given["target"]) == ("100000.00", "60000.00", "90000.00")
    assert given["effective price"] == "95000.00" and given["latest verdict"] == "PUSH BACK"
    assert given["what"] == "$5,000 off" and given["get"] == "a two-year term" and given["worth"] == "5000.00"
    assert given["worth estimated"] == "no" and given["taken back"] == "no"
    assert given["manager decision"] == "approve"
    assert given["recorded at"] == "2025-03-03T10:00:00Z" and given["opened at"] == "2025-03-03T10:00:00Z"
    assert found[2]["for entry"] == str(concession.seq) and found[2]["get"] == ""
    assert found[0]["worth"] == "" and found[0]["worth estimated"] == ""  # an ask of unknown worth: no guess


def test_a_deal_without_entries_is_one_row_with_the_entry_columns_empty() -> None:
    found = rows(deals_csv([DealRecord(make_deal(name="quiet"), Verdict.OK)]))
    assert len(found) == 1
    assert found[0]["deal"] == "quiet" and found[0]["list"] == "100000.00"
    assert all(found[0][column] == "" for column in HEADERS[HEADERS.index("entry"):])


def test_a_taken_back_entry_stays_marked_and_its_get_is_no_longer_shown() -> None:
    deal = make_deal()
    concession = add_concession(deal, dollars(1_000), got="a logo")
    deal.entries[-1].taken_back = True
    found = rows(deals_csv([DealRecord(deal, Verdict.OK)]))
    assert [(row["entry kind"], row["taken back"]) for row in found] == [("concession", "no"), ("get", "yes")]
    assert found[0]["get"] == "" and found[1]["for entry"] == str(concession.seq)


def test_a_closed_deal_shows_its_final_price_and_when_it_closed_and_no_live_verdict() -> None:
    deal = make_deal()
    add_concession(deal, dollars(8_000), kind=ConcessionType.CUT, got="a case study")
    deal.stage, deal.outcome_cents, deal.outcome_note = Stage.WON, dollars("91500.50"), "signed"
    closed = datetime(2025, 3, 10, 17, 30, 5, tzinfo=UTC)
    row = rows(deals_csv([DealRecord(deal, Verdict.OK, closed_at=closed)]))[0]
    assert (row["stage"], row["final price"], row["closed at"]) == ("won", "91500.50", "2025-03-10T17:30:05Z")
    assert row["latest verdict"] == "" and row["outcome note"] == "signed"


def test_words_a_spreadsheet_would_run_as_a_formula_get_a_leading_apostrophe() -> None:
    deal = make_deal(name="-acme")
    deal.customer = '=HYPERLINK("http://evil.example","click")'
    add_ask(deal, "+1 free seat")
    add_concession(deal, None, kind=ConcessionType.FREE, text="@SUM(A1:A9)", got="-cmd|' /C calc'!A0")
    found = rows(deals_csv([DealRecord(deal, Verdict.OK)]))
    assert found[0]["deal"] == "'-acme"
    assert found[0]["customer"] == '\'=HYPERLINK("http://evil.example","click")'
    assert [row["what"] for row in found] == ["'+1 free seat", "'@SUM(A1:A9)", "'-cmd|' /C calc'!A0"]
    assert found[1]["get"] == "'-cmd|' /C calc'!A0"
    assert found[1]["worth"] == "" and found[1]["worth estimated"] == ""


def test_commas_quotes_and_line_breaks_in_words_survive_the_round_trip() -> None:
    deal = make_deal()
    deal.customer = 'Acme, "the big one"\nEMEA'
    assert rows(deals_csv([DealRecord(deal, Verdict.OK)]))[0]["customer"] == deal.customer


def test_people_are_named_when_their_names_are_known_and_kept_by_id_otherwise() -> None:
    deal = make_deal()
    add_concession(deal, dollars(1_000), by="U0MANAGER")
    (row,) = rows(deals_csv([DealRecord(deal, Verdict.OK)], names={REP: "Rita"}))
    assert (row["owner"], row["owner id"], row["by"]) == ("Rita", REP, "U0MANAGER")


def test_no_deals_is_the_header_alone() -> None:
    assert next(csv.reader(io.StringIO(deals_csv([])))) == list(HEADERS)
    assert rows(deals_csv([])) == []
