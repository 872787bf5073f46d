"""`dealcoach console`: type `/deal …` lines (and `> text` thread replies) and see what Slack would show."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TextIO

from bot.demo import ALERTS, DEALS, MANAGER, NAMES, REP, _box, _where
from bot.render.plaintext import blocks_to_text
from bot.standin.workspace import LocalWorkspace

HELP = """Type a /deal command as @rita (the rep), e.g.
  /deal new acme list=120k floor=90k
  > they want 15% off          (a message in the latest deal's thread)
  as manager | as rep          (switch who is typing)
  quit
Alerts go to #deal-alerts; @max is the manager."""


def run_console(stdin: TextIO, stdout: TextIO, database_path: Path | None = None) -> int:
    if database_path is None:
        with tempfile.TemporaryDirectory(prefix="dealcoach-console-") as folder:
            return run_console(stdin, stdout, Path(folder) / "console.db")
    path = database_path
    users = {"rep": REP, "manager": MANAGER}
    user = REP
    with LocalWorkspace(f"sqlite:///{path}", managers=(MANAGER,), alert_channel=ALERTS) as slack:
        stdout.write(HELP + "\n")
        while True:
            stdout.write(f"{NAMES[user]}> ")
            stdout.flush()
            line = stdin.readline()
            if not line:
                break
            line = line.strip()
            if line in ("quit", "exit"):
                break
            if line.startswith("as "):
                user = users.get(line[3:].strip(), user)
                continue
            if line.startswith(">"):
                _thread_message(slack, user, line[1:].strip(), stdout)
            elif line.startswith("/deal"):
                ack = slack.command(user, line[len("/deal"):].strip(), channel=DEALS)
                stdout.write(_box(f"Only {NAMES[user]} sees", blocks_to_text(ack.get("blocks"), ack.get("text", "")),
                                  100) + "\n")
            elif line:
                stdout.write("Start with /deal, or > for a thread message. Type quit to leave.\n")
                continue
            for seen in slack.deliver():
                text = blocks_to_text(seen.message.blocks, seen.message.text)
                stdout.write(_box(_where(seen), text, 100) + "\n")
    return 0


def _thread_message(slack: LocalWorkspace, user: str, text: str, stdout: TextIO) -> None:
    cards = [m for m in slack.standin.messages(DEALS, include_threads=False)]
    if not cards:
        stdout.write("No deal thread yet: open a deal with /deal new first.\n")
        return
    card = cards[-1]
    slack.event({"type": "message", "channel": DEALS, "user": user, "text": text, "ts": "1800000000.000001",
                 "thread_ts": card.ts, "channel_type": "channel"})
    stdout.write("(posted in the deal's thread; Deal Coach reads thread messages once the coach issue lands)\n")
