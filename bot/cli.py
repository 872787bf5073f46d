"""The `dealcoach` command: demo, console, serve, socket, migrate, scheduler, export."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.config import load_settings
from bot.logging_config import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dealcoach", description="Deal Coach: walk-away discipline in Slack.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run a scripted negotiation offline and print what each person sees")
    sub.add_parser("console", help="type /deal commands, thread messages and clicks against an offline Slack stand-in")
    sub.add_parser("serve", help="HTTP mode for production: POST /slack/events, GET /healthz")
    sub.add_parser("socket", help="Socket Mode against a real workspace (needs SLACK_APP_TOKEN)")
    sub.add_parser("migrate", help="alembic upgrade head on DATABASE_URL")
    sub.add_parser("scheduler", help="run the scheduled jobs (digests, nudges) as their own process")
    export = sub.add_parser("export", help="write a CSV of the deals and their ledgers from DATABASE_URL")
    export.add_argument("--out", required=True, help="the file to write, or - for stdout")
    export.add_argument("--period", choices=("week", "month", "quarter", "all"), default="all",
                        help="deals active this week, month or quarter to date, or all deals (the default)")
    export.add_argument("--team", help="the workspace's Slack team id; needed when the database holds several")
    args = parser.parse_args(argv)
    # The demo and console print what people would see; their logs would only be noise.
    configure_logging(quiet=args.command in ("demo", "console", "export"))
    if args.command == "export":
        from bot.exporting import run_export

        return run_export(load_settings().database_url, args.out, period=args.period, team=args.team)
    return _COMMANDS[args.command]()


def _demo() -> int:
    from bot.demo import run_demo

    sys.stdout.write(run_demo())
    return 0


def _console() -> int:
    from bot.console import run_console

    return run_console(sys.stdin, sys.stdout)


def _serve() -> int:
    from bot.serve import serve

    serve(load_settings())
    return 0


def _socket() -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.bootstrap import build
    from bot.db.migrate import upgrade

    settings = load_settings()
    if settings.slack_app_token is None or settings.slack_bot_token is None:
        raise SystemExit("dealcoach socket needs SLACK_APP_TOKEN (xapp-…) and SLACK_BOT_TOKEN (see .env.example)")
    upgrade(settings.database_url)
    container = build(settings)
    container.start_background(scheduler=settings.scheduler)
    try:
        SocketModeHandler(container.app, settings.slack_app_token.get_secret_value()).start()
    finally:
        container.close()
    return 0


def _scheduler() -> int:
    import signal
    import threading

    from bot.bootstrap import build
    from bot.db.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    container = build(settings)
    container.start_background(scheduler=True)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    logging.getLogger(__name__).info("scheduler running; it takes the jobs when no other process has them")
    stopped.wait()
    container.close()
    return 0


def _migrate() -> int:
    from bot.db.migrate import upgrade

    upgrade(load_settings().database_url)
    return 0


_COMMANDS = {"demo": _demo, "console": _console, "serve": _serve, "socket": _socket, "migrate": _migrate,
             "scheduler": _scheduler}

if __name__ == "__main__":
    raise SystemExit(main())
