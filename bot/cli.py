"""The `dealcoach` command: demo, console, serve, socket, migrate, scheduler, export."""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
from pathlib import Path

from bot.config import load_settings
from bot.logging_config import configure_logging

# What each setting means, for `--help`; the names and defaults are bot/config.py's.
SETTINGS = {
    "DATABASE_URL": "where deals are kept: sqlite:///file.db or postgresql+psycopg://user@host/db",
    "SLACK_BOT_TOKEN": "the bot token of one workspace (xoxb-…)",
    "SLACK_SIGNING_SECRET": "verifies that a request comes from Slack (the app's Basic Information page)",
    "SLACK_APP_TOKEN": "the app-level token for Socket Mode (xapp-…)",
    "SLACK_API_URL": "Slack's Web API, for a proxy or a stand-in",
    "OPENAI_API_KEY": "turns the LLM coach on (any OpenAI-compatible server)",
    "OPENAI_BASE_URL": "turns the LLM coach on with that server (a local one needs no key)",
    "DEALCOACH_LLM_MODEL": "the LLM's model name",
    "DEALCOACH_LLM_TIMEOUT": "seconds before the LLM is given up and the offline coach's advice stands",
    "DEALCOACH_ALERT_CHANNEL": "channel id for alerts until a manager picks one",
    "DEALCOACH_MANAGERS": "Slack user ids of managers, comma-separated, besides those the policy names",
    "PORT": "the HTTP port",
    "DEALCOACH_WEB_WORKERS": "HTTP worker processes",
    "DEALCOACH_WEB_THREADS": "threads per HTTP worker",
    "DEALCOACH_SCHEDULER": "off: leave digests and nudges to `dealcoach scheduler`",
    "SLACK_CLIENT_ID": "with SLACK_CLIENT_SECRET: workspaces install the app at /slack/install (OAuth)",
    "SLACK_CLIENT_SECRET": "the app's client secret (Basic Information page), for installs",
    "SLACK_SCOPES": "the bot scopes an install asks for, comma-separated (default: manifest.yml's)",
    "DEALCOACH_TOKEN_KEY": "Fernet key that encrypts installed workspaces' bot tokens (needed with installs)",
}
_OAUTH = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SCOPES", "DEALCOACH_TOKEN_KEY")
_SLACK = ("SLACK_BOT_TOKEN", "SLACK_API_URL", "DEALCOACH_ALERT_CHANNEL", "DEALCOACH_MANAGERS")
_LLM = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DEALCOACH_LLM_MODEL", "DEALCOACH_LLM_TIMEOUT")
# (command, one line, what it does, the settings it reads)
COMMANDS = (
    ("demo", "a scripted negotiation, offline: what each person would see in Slack",
     "Plays a whole negotiation on this machine (SQLite, the offline coach, a stand-in for Slack) and prints what "
     "the rep, the deal's channel and the managers see, then writes the charts as PNG files and prints their "
     "paths. Needs no setting and no network.", ()),
    ("console", "type /deal commands and thread messages against an offline Slack",
     "The demo's stand-in, interactive: type `/deal …`, `> text` for a message in the latest deal's thread, "
     "`click N` to press button [N], `as manager` / `as rep` to switch who types, `quit` to leave.", ()),
    ("serve", "production: Slack's requests over HTTP",
     "Migrates the database, then serves POST /slack/events (commands, events, buttons, shortcuts) and "
     "GET /healthz on $PORT, delivers queued messages and, unless DEALCOACH_SCHEDULER=off, runs the digests. "
     "With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, workspaces install it at GET /slack/install, each with its "
     "own bot token.",
     ("SLACK_SIGNING_SECRET", *_SLACK, *_OAUTH, "DATABASE_URL", *_LLM, "PORT", "DEALCOACH_WEB_WORKERS",
      "DEALCOACH_WEB_THREADS", "DEALCOACH_SCHEDULER")),
    ("socket", "development: Socket Mode against a real workspace, no public URL",
     "Migrates the database and connects to Slack over Socket Mode.",
     ("SLACK_APP_TOKEN", *_SLACK, "DATABASE_URL", *_LLM, "DEALCOACH_SCHEDULER")),
    ("migrate", "bring the database's tables up to date",
     "Runs the database migrations (alembic upgrade head). serve and socket do it themselves at start.",
     ("DATABASE_URL",)),
    ("scheduler", "run the weekly digests and idle-deal nudges as their own process",
     "For deployments with several serve replicas (set DEALCOACH_SCHEDULER=off on them). Only one process "
     "runs the jobs at a time; another takes over if it stops.", (*_SLACK, *_OAUTH, "DATABASE_URL", *_LLM)),
    ("export", "write a CSV of the deals and their ledgers",
     "The file `/deal export` sends a manager: one row per ask, concession and get, with the deal's figures "
     "(floors included: keep it private).", ("DATABASE_URL",)),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dealcoach", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Deal Coach: a Slack bot that keeps sales reps from giving deals away.\n\n"
                    "New here? Run `dealcoach demo`, then `dealcoach console`.",
        epilog="Settings come from the environment or a .env file in the working directory; "
               "`dealcoach COMMAND --help` lists those a command reads.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, summary, description, settings in COMMANDS:
        command = sub.add_parser(name, help=summary, description=textwrap.fill(description, 79),
                                 epilog=_settings_help(settings),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        if name == "demo":
            command.add_argument("--charts", type=Path, metavar="DIR",
                                 help="folder for the chart PNG files (default: a new temporary folder)")
        if name == "export":
            command.add_argument("--out", required=True, metavar="FILE", help="the file to write, or - for stdout")
            command.add_argument("--period", choices=("week", "month", "quarter", "all"), default="all",
                                 help="deals active this week, month or quarter to date, or all deals (default)")
            command.add_argument("--team", help="the workspace's Slack team id; needed when the database holds "
                                                "several")
    return parser


def _settings_help(names: tuple[str, ...]) -> str:
    if not names:
        return "Reads no setting."
    from bot.config import Settings

    defaults = {field.validation_alias: field.default for field in Settings.model_fields.values()}
    lines = ["settings it reads:"]
    for name in names:
        default = defaults.get(name)
        shown = "" if default in (None, "") else f" (default: {'on' if default is True else default})"
        lines.append(f"  {name:<24} {SETTINGS[name]}{shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The demo, console and export print what people would see; their logs would only be noise.
    configure_logging(quiet=args.command in ("demo", "console", "export"))
    from sqlalchemy.exc import OperationalError

    try:
        return _run(args)
    except OperationalError as exc:  # the database is away or refuses us: a sentence, not a traceback
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise SystemExit(f"dealcoach {args.command} could not reach the database at DATABASE_URL: {reason}") from None


def _run(args: argparse.Namespace) -> int:
    if args.command == "export":
        from bot.exporting import run_export

        return run_export(load_settings().database_url, args.out, period=args.period, team=args.team)
    if args.command == "demo":
        return _demo(args.charts)
    return _COMMANDS[args.command]()


def _demo(charts: Path | None) -> int:
    from bot.demo import run_demo

    sys.stdout.write(run_demo(charts=charts))
    return 0


def _console() -> int:
    from bot.console import run_console

    return run_console(sys.stdin, sys.stdout)


def _serve() -> int:
    settings = load_settings()
    settings.require_http_secrets()  # a clear refusal, before importing what logs (alembic does on import)
    from bot.serve import serve

    serve(settings)
    return 0


def _socket() -> int:
    settings = load_settings()
    if settings.slack_app_token is None or settings.slack_bot_token is None:
        raise SystemExit("dealcoach socket needs SLACK_APP_TOKEN (xapp-…) and SLACK_BOT_TOKEN (see .env.example)")
    if settings.oauth_enabled:
        raise SystemExit("dealcoach socket serves the one workspace of SLACK_BOT_TOKEN; installing in several "
                         "workspaces is for dealcoach serve: unset SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to run it")
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.bootstrap import build
    from bot.db.migrate import upgrade

    upgrade(settings.database_url)
    container = build(settings, distributable=False)
    container.start_background(scheduler=settings.scheduler)
    try:
        SocketModeHandler(container.app, settings.slack_app_token.get_secret_value()).start()
    finally:
        container.close()
    return 0


def _scheduler() -> int:
    import signal
    import threading

    settings = load_settings()
    settings.require_token_key("scheduler")  # it delivers the outbox too, with each workspace's token
    from bot.bootstrap import build
    from bot.db.migrate import upgrade

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


_COMMANDS = {"console": _console, "serve": _serve, "socket": _socket, "migrate": _migrate,
             "scheduler": _scheduler}

if __name__ == "__main__":
    raise SystemExit(main())
