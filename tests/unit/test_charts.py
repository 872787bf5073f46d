"""Charts: PNG bytes of the right size, the price path the ledger implies, byte-identical output."""

from __future__ import annotations

import struct
import threading

from builders import add_concession, add_reciprocated, dollars, make_deal, percent, record

from bot.domain.figures import Band
from bot.domain.ledger import Ledger
from bot.domain.model import ConcessionType, Deal
from bot.render.charts import PNG_SIGNATURE, price_path, price_path_png, step_label, team_bands_png

BANDS = ("0-10%", "10-20%", "20-30%", "over 30%")


def _size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", png[16:24])


def _mixed_deal() -> Deal:
    """Every kind of concession, a get, and one taken back."""
    deal = make_deal(target_cents=dollars(85_000), floor_cents=dollars(60_000))
    record(deal, percent(600))  # 6% off list: $6,000
    add_reciprocated(deal, dollars(4_000))
    dropped = add_concession(deal, dollars(9_999), text="dropped")
    dropped.taken_back = True
    add_concession(deal, dollars(2_500), kind=ConcessionType.FREE, text="free onboarding")
    add_concession(deal, None, kind=ConcessionType.TERMS, text="terms: net 60")
    add_concession(deal, dollars("1250.50"), kind=ConcessionType.PRICE, text="price to $86,249.50")
    return deal


def test_price_path_walks_list_then_each_active_concession_numbered_as_the_ledger_shows_them() -> None:
    deal = _mixed_deal()
    ledger = Ledger.of(deal)
    assert price_path(deal, ledger) == [
        ("start", dollars(100_000)),
        ("1. 6% off list", dollars(94_000)),
        ("2. cut concession", dollars(90_000)),
        ("3. free onboarding", dollars(87_500)),
        ("4. terms: net 60", dollars(87_500)),
        ("5. price to $86,249.…", dollars("86249.50")),
    ]
    assert price_path(deal, ledger)[-1][1] == ledger.effective_cents


def test_price_path_of_a_deal_without_concessions_is_list() -> None:
    deal = make_deal(list_cents=dollars(42_000))
    assert price_path(deal, Ledger.of(deal)) == [("start", dollars(42_000))]


def test_step_label_clips_long_text() -> None:
    assert step_label(3, "6% off list") == "3. 6% off list"
    assert step_label(4, "free   onboarding\nand training for everyone") == "4. free onboarding a…"
    assert step_label(5, "") == "5."


def test_price_path_png_is_an_800_by_450_png() -> None:
    deal = _mixed_deal()
    assert _size(price_path_png(deal, Ledger.of(deal))) == (800, 450)


def test_price_path_png_renders_with_no_concessions() -> None:
    deal = make_deal(list_cents=dollars(1_000), floor_cents=dollars(1_000), currency="CHF")
    assert _size(price_path_png(deal, Ledger.of(deal))) == (800, 450)


def test_price_path_png_renders_sixty_concessions() -> None:
    deal = make_deal(currency="EUR")
    for n in range(60):
        add_concession(deal, dollars(500), text=f"cut number {n} of a long negotiation")
    ledger = Ledger.of(deal)
    assert len(price_path(deal, ledger)) == 61
    assert _size(price_path_png(deal, ledger)) == (800, 450)


def test_dollar_signs_are_text_not_math() -> None:
    deal = make_deal(name=r"Acme $\frac{ renewal $5k")  # would be a mathtext parse error
    add_concession(deal, dollars(5_000), text="$5k off $2k")
    assert _size(price_path_png(deal, Ledger.of(deal))) == (800, 450)


def test_same_input_gives_identical_bytes_even_from_other_threads() -> None:
    deal = _mixed_deal()
    results: list[bytes] = []

    def draw() -> None:
        results.append(price_path_png(deal, Ledger.of(deal)))

    threads = [threading.Thread(target=draw) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] == results[1]
    assert price_path_png(deal, Ledger.of(deal)) == results[0]


def test_team_bands_png_is_an_800_by_450_png_and_repeatable() -> None:
    bands = (Band("0-10%", 5, 3), Band("10-20%", 0, 0), Band("20-30%", 1, 4), Band("over 30%", 0, 2))
    png = team_bands_png(bands)
    assert _size(png) == (800, 450)
    assert team_bands_png(bands) == png


def test_team_bands_png_with_all_bands_empty() -> None:
    assert _size(team_bands_png(tuple(Band(label, 0, 0) for label in BANDS))) == (800, 450)
    assert _size(team_bands_png(())) == (800, 450)
