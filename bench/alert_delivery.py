"""How long an alert takes from the concession's commit to Slack: the real app, its background outbox
worker (as `serve` runs it), the local Slack stand-in, SQLite. Not a test; prints figures.

    python bench/alert_delivery.py [--alerts 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.standin.workspace import LocalWorkspace  # noqa: E402 - after the path set-up above

REP, MANAGER, DEALS, ALERTS = "U0REP", "U0MANAGER", "C0DEALS", "C0ALERTS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, LocalWorkspace(
        f"sqlite:///{folder}/bench.db", managers=(MANAGER,), alert_channel=ALERTS, pace_seconds=1.0
    ) as slack:
        assert slack.container is not None
        slack.container.worker.start()
        waits = []
        for i in range(args.alerts):
            slack.command(REP, f"new d{i} list=100k floor=60k", channel=f"C{i:06d}")
            before = len(slack.standin.messages(ALERTS))
            started = time.perf_counter()
            slack.command(REP, f"concede d{i} 25%", channel=f"C{i:06d}")
            if not slack.standin.wait_for(lambda b=before: len(slack.standin.messages(ALERTS)) > b, timeout=10):
                print(f"alert {i} not delivered within 10 s")
                return 1
            waits.append((time.perf_counter() - started) * 1000)
            time.sleep(1.0)  # keep each alert outside the previous one's one-second pace
    waits.sort()
    print(f"alerts: {len(waits)}; from /deal concede to chat.postMessage in the alert channel:")
    print(f"  p50 {statistics.median(waits):.1f} ms  p95 {waits[int(len(waits) * 0.95) - 1]:.1f} ms  "
          f"max {waits[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
