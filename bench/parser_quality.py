"""Precision and recall of the offline offer reader on labelled rep messages: the table it was tuned on, and a
held-out table written without seeing the reader.

    python bench/parser_quality.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "unit")]

from rep_messages import MESSAGES  # noqa: E402
from rep_messages_holdout import HOLDOUT  # noqa: E402

from bot.domain.offers import find_offer  # noqa: E402


def measure(table: list, show_misses: bool = False) -> dict[str, float]:
    found = true_positive = typed = kinded = 0
    expected = sum(1 for _, kind, _ in table if kind is not None)
    for text, want_type, want_kind in table:
        offer = find_offer(text)
        if offer is not None:
            found += 1
        if offer is not None and want_type is not None:
            true_positive += 1
            typed += offer.spec.type.value == want_type
            kinded += offer.kind == want_kind
        if show_misses and (offer is None) != (want_type is None) or (
            show_misses and offer is not None and want_type is not None
            and (offer.spec.type.value, offer.kind) != (want_type, want_kind)
        ):
            got = None if offer is None else (offer.spec.type.value, offer.kind)
            print(f"  {text!r}: expected {(want_type, want_kind)}, got {got}")
    return {
        "messages": len(table),
        "with an offer": expected,
        "precision": true_positive / found if found else 0.0,
        "recall": true_positive / expected if expected else 0.0,
        "type right (of found offers)": typed / true_positive if true_positive else 0.0,
        "kind right (of found offers)": kinded / true_positive if true_positive else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every message read wrong")
    args = parser.parse_args()
    for title, table in (("tuning table (tests/unit/rep_messages.py)", MESSAGES),
                         ("held-out table, written blind (tests/unit/rep_messages_holdout.py)", HOLDOUT)):
        print(title)
        for name, value in measure(table, args.misses).items():
            print(f"  {name:30} {value:.3f}" if isinstance(value, float) else f"  {name:30} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
