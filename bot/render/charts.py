"""Pictures for people who would rather look than read: a deal's price path and the team's win rate by discount.

Pure functions returning PNG bytes. Each chart builds its own `Figure` on an Agg canvas (no pyplot, no global
figures, no `matplotlib.use`), and renders under a module lock, since Matplotlib does not promise thread safety.
Output carries no timestamp or software metadata, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
import math
import threading

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, Formatter, FuncFormatter, MaxNLocator

from bot.domain.figures import Band
from bot.domain.ledger import Ledger
from bot.domain.model import Deal
from bot.domain.money import format_money

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100  # 800 x 450 px
MAX_X_LABELS = 16  # more steps than this and only every n-th step is labelled
LABEL_CHARS = 18  # the short text of a concession on the x axis

_METADATA = {"Software": None}  # nothing that varies between runs (Agg writes no time of its own)
_LOCK = threading.Lock()

PRICE_COLOUR = "#1f5fa8"
LIST_COLOUR = "#6b6b6b"
TARGET_COLOUR = "#2e8b57"
FLOOR_COLOUR = "#c0392b"
BAR_COLOUR = "#1f5fa8"
EMPTY_COLOUR = "#9a9a9a"


def price_path(deal: Deal, ledger: Ledger) -> list[tuple[str, int]]:
    """("start", list), then (label, effective cents) after each active concession in ledger order.

    Every concession lowers the effective price by its worth, price moves and free items or terms alike,
    so the last point is `ledger.effective_cents`.
    """
    path = [("start", ledger.list_cents)]
    price = ledger.list_cents
    # Numbered as the status reply's ledger numbers them: in the order given, asks and gets not counted.
    for number, give in enumerate(ledger.gives, start=ledger.first_number):
        concession = give.concession
        price -= concession.worth
        path.append((step_label(number, concession.text), price))
    return path


def step_label(number: int, text: str) -> str:
    """`3. 6% off list`; long texts are clipped so the axis stays readable."""
    short = " ".join(text.split())
    if len(short) > LABEL_CHARS:
        short = short[: LABEL_CHARS - 1].rstrip() + "…"
    return f"{number}. {short}" if short else f"{number}."


def price_path_png(deal: Deal, ledger: Ledger) -> bytes:
    """The effective price after each concession, against list, target and the (private) floor."""
    path = price_path(deal, ledger)
    labels = [label for label, _ in path]
    prices = [cents / 100 for _, cents in path]
    xs = list(range(len(path)))
    currency = deal.currency

    references = [("list", ledger.list_cents, LIST_COLOUR)]
    if deal.target_cents is not None:
        references.append(("target", deal.target_cents, TARGET_COLOUR))
    references.append(("floor (private)", ledger.floor_cents, FLOOR_COLOUR))

    with _LOCK:
        fig, ax = _figure()
        many = len(path) > 20
        ax.plot(
            xs,
            prices,
            drawstyle="steps-post",
            color=PRICE_COLOUR,
            linewidth=2,
            marker="o",
            markersize=3 if many else 6,
            label=_plain("effective price"),
            zorder=3,
        )
        for name, cents, colour in references:
            ax.axhline(
                cents / 100,
                color=colour,
                linestyle="--",
                linewidth=1.2,
                label=_plain(f"{name} {format_money(cents, currency)}"),
                zorder=2,
            )
        last = path[-1][1]
        ax.annotate(
            _plain(format_money(last, currency)),
            xy=(xs[-1], last / 100),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=9,
            color=PRICE_COLOUR,
        )

        _price_limits(ax, [cents for _, cents in path] + [cents for _, cents, _ in references])
        ax.set_xlim(-0.5, max(len(path) - 0.5, 1.5))
        shown = _thinned(len(path))
        ax.set_xticks(shown, labels=[_plain(labels[i]) for i in shown])
        if len(path) > 4:
            for tick in ax.get_xticklabels():
                tick.set_rotation(40)
                tick.set_horizontalalignment("right")
                tick.set_rotation_mode("anchor")
        ax.tick_params(axis="x", labelsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(_MoneyFormatter(currency))
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_title(_plain(deal.name), fontsize=13, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        return _png(fig)


def team_bands_png(bands: tuple[Band, ...]) -> bytes:
    """Win rate (%) per discount band, with won/lost counts; bands with no closed deals are empty bars."""
    with _LOCK:
        fig, ax = _figure()
        xs = list(range(len(bands)))
        for x, band in zip(xs, bands, strict=True):
            rate = band.win_rate
            if rate is None:
                ax.bar(x, 100, width=0.6, fill=False, edgecolor=EMPTY_COLOUR, linestyle="--", linewidth=1)
                ax.text(x, 50, "no deals", ha="center", va="center", fontsize=9, color=EMPTY_COLOUR)
                continue
            height = rate * 100
            ax.bar(x, height, width=0.6, color=BAR_COLOUR)
            note = f"{_whole_percent(band.won, band.won + band.lost)}%\n{band.won} won / {band.lost} lost"
            ax.text(x, height + 2, note, ha="center", va="bottom", fontsize=9)
        if not bands:
            ax.text(0.5, 0.5, "no deals", ha="center", va="center", transform=ax.transAxes, color=EMPTY_COLOUR)
        ax.set_xticks(xs, labels=[_plain(band.label) for band in bands])
        ax.set_xlim(-0.6, max(len(bands) - 0.4, 0.6))
        ax.set_ylim(0, 118)
        ax.yaxis.set_major_locator(FixedLocator([0, 25, 50, 75, 100]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0f}%"))
        ax.set_xlabel("effective discount")
        ax.set_ylabel("win rate")
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_title("Win rate by discount", fontsize=13, loc="left")
        return _png(fig)


def _figure() -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained", facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg), "_figure gives each figure an Agg canvas"
    canvas.print_png(buffer, metadata=_METADATA)
    return buffer.getvalue()


def _thinned(count: int) -> list[int]:
    """Which steps get a label: all of them, or every n-th one plus the last."""
    if count <= MAX_X_LABELS:
        return list(range(count))
    every = math.ceil(count / MAX_X_LABELS)
    shown = list(range(0, count, every))
    if shown[-1] != count - 1:
        if count - 1 - shown[-1] < every / 2:
            shown.pop()
        shown.append(count - 1)
    return shown


def _price_limits(ax: Axes, cents: list[int]) -> None:
    low, high = min(cents), max(cents)
    pad = (high - low) * 0.08 or max(abs(high) * 0.05, 100)
    ax.set_ylim((low - pad) / 100, (high + pad) / 100)


class _MoneyFormatter(Formatter):
    """Y ticks in the deal's currency: `$95k` when every tick is a round thousand, else `$97,500` (or cents)."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.thousands = False

    def format_ticks(self, values: list[float]) -> list[str]:
        self.thousands = all(round(value * 100) % 100_000 == 0 for value in values)
        return [self(value, pos) for pos, value in enumerate(values)]

    def __call__(self, value: float, pos: int | None = None) -> str:
        cents = round(value * 100)
        if self.thousands and cents:
            return _plain(format_money(cents // 1000, self.currency) + "k")
        return _plain(format_money(cents, self.currency))


def _whole_percent(part: int, whole: int) -> int:
    """part / whole as a whole percentage, rounded half up (5 of 8 is 63%)."""
    return (200 * part + whole) // (2 * whole)


def _plain(text: str) -> str:
    """Text as typed: a `$` never starts Matplotlib's math mode (`$5k off $2k` would)."""
    return text.replace("$", r"\$")
