"""Coaching latency: the offline coach in the acknowledgement, and the LLM's follow-up through the response
URL, with a local OpenAI-compatible server that answers after `--llm-delay` seconds. Not a test.

    python bench/coach_latency.py [--requests 50] [--llm-delay 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from storm import COACH_ANSWER  # noqa: E402

from bot.services.access import Actor  # noqa: E402
from bot.slack.router import CommandRouter  # noqa: E402
from bot.standin.llm import LLMStandIn  # noqa: E402
from bot.standin.workspace import LocalWorkspace  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--llm-delay", type=float, default=2.0)
    args = parser.parse_args()
    llm = LLMStandIn()
    url = llm.start()
    llm.answer(COACH_ANSWER)
    try:
        with tempfile.TemporaryDirectory() as folder, LocalWorkspace(
            f"sqlite:///{folder}/bench.db", OPENAI_BASE_URL=url, DEALCOACH_LLM_TIMEOUT="8"
        ) as slack:
            assert slack.container is not None
            router = CommandRouter(slack.container.services)
            actor = Actor(slack.team_id, "U0REP", "C0DEALS")
            router.handle(actor, "new acme list=100k floor=80k")
            llm.delay = args.llm_delay
            acks: list[float] = []

            def coach(i: int) -> None:
                started = time.perf_counter()
                router.handle(actor, "coach acme", {"response_url": slack.standin.response_url(f"c{i}")})
                acks.append((time.perf_counter() - started) * 1000)

            storm = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.requests) as pool:
                list(pool.map(coach, range(args.requests)))
            done = slack.standin.wait_for(
                lambda: all(slack.standin.responses(f"c{i}") for i in range(args.requests)), timeout=30)
            last = time.perf_counter() - storm
    finally:
        llm.stop()
    acks.sort()
    print(f"{args.requests} /deal coach at once, LLM answering after {args.llm_delay} s:")
    print(f"  acknowledgement (offline coach inside): p50 {statistics.median(acks):.1f} ms, "
          f"p95 {acks[int(len(acks) * 0.95) - 1]:.1f} ms, max {acks[-1]:.1f} ms")
    print(f"  every LLM follow-up delivered: {done}; the last after {last:.2f} s")
    return 0 if done else 1


if __name__ == "__main__":
    raise SystemExit(main())
