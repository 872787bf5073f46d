"""How well the ethics detector tells an unethical demand from everyday deal talk, for each table
`bench/tables/ethics_*.py` (UNETHICAL: rows that must be flagged; INNOCENT: rows that must not).

    python bench/ethics_quality.py [--misses] [TABLE ...]    # e.g. ethics_tuning ethics_more: not the held-out one

Recall: the share of UNETHICAL rows given at least one marker. False alarms: the share of INNOCENT rows given
any. `--misses` lists the rows read wrong, except those of a held-out table, which stays blind.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]

from bot.domain.ethics import ethics_markers  # noqa: E402

TABLES = REPO / "bench" / "tables"


def load(path: Path) -> tuple[list[str], list[str]]:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(getattr(module, "UNETHICAL", [])), list(getattr(module, "INNOCENT", []))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the rows read wrong (not a held-out table's)")
    parser.add_argument("tables", nargs="*", help="table names to score (default: every bench/tables/ethics_*.py)")
    args = parser.parse_args()
    for path in sorted(TABLES.glob("ethics_*.py")):
        if args.tables and path.stem not in args.tables:
            continue  # so that tuning can run without even the held-out table's summary in view
        unethical, innocent = load(path)
        missed = [row for row in unethical if not ethics_markers(row)]
        alarms = [(row, ethics_markers(row)) for row in innocent if ethics_markers(row)]
        recall = 1 - len(missed) / len(unethical) if unethical else 0.0
        false_alarms = len(alarms) / len(innocent) if innocent else 0.0
        print(f"{path.stem}: recall {recall:.1%} ({len(unethical) - len(missed)}/{len(unethical)}), "
              f"false alarms {false_alarms:.1%} ({len(alarms)}/{len(innocent)})")
        if args.misses and "holdout" not in path.stem:
            for row in missed:
                print(f"  missed:      {row}")
            for row, markers in alarms:
                print(f"  false alarm: {row}  -> {', '.join(markers)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
