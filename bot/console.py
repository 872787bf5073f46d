"""`dealcoach console`: type commands, thread messages and button clicks as @rita or @max; see what Slack shows."""

from __future__ import annotations

import itertools
import re
import tempfile
from pathlib import Path
from typing import Any, TextIO

from bot.render.plaintext import buttons, view_to_text
from bot.slack.ids import View
from bot.standin.webapi import Message
from bot.standin.workspace import LocalWorkspace
from bot.transcript import ALERTS, DEALS, MANAGER, REP, WHO, acknowledged, as_slack_sends, box, show

HELP = """You are @rita, a rep, in #deals; @max is the manager. Alerts go to #deal-alerts.
  /deal new acme list=120k floor=90k   a command (/deal help lists them all)
  > they want 15% off                  a message in the latest deal's thread
  click 1                              press button [1] of the latest output
  as manager | as rep                  switch who is typing
  help | quit
Name people and channels as in Slack: @rita, @max, #deals, #deal-alerts."""
UNKNOWN = "Start with /deal, > for a thread message, or click and a button's number. Type help for more, quit to leave."
USERS = {"as rep": REP, "as manager": MANAGER}
_CLICK = re.compile(r"click\s*(\d*)")

# What to type in the console instead of filling in a form, by the form's callback id.
_TYPE_INSTEAD = {
    View.NEW_DEAL.value: "the deal on one line, e.g. /deal new acme list=120k floor=90k",
    View.GIVE_WORTH.value: "/deal worth <deal> <amount>, e.g. /deal worth acme 5k",
}


def run_console(stdin: TextIO, stdout: TextIO, database_path: Path | None = None) -> int:
    if database_path is None:
        with tempfile.TemporaryDirectory(prefix="dealcoach-console-") as folder:
            return run_console(stdin, stdout, Path(folder) / "console.db")
    with LocalWorkspace(f"sqlite:///{database_path}", managers=(MANAGER,), alert_channel=ALERTS) as slack:
        Console(slack, stdout).run(stdin)
    return 0


class Console:
    """One session: who is typing, and the buttons of the latest output, which `click N` presses."""

    def __init__(self, slack: LocalWorkspace, out: TextIO) -> None:
        self._slack, self._out = slack, out
        self._user = REP
        self._buttons: list[tuple[Message, dict[str, Any]]] = []
        self._posts = itertools.count(1)

    def run(self, stdin: TextIO) -> None:
        self._say(HELP)
        while True:
            self._out.write(f"{WHO[self._user]}> ")
            self._out.flush()
            line = stdin.readline()
            if not line or line.strip() in ("quit", "exit"):
                return
            self._handle(line.strip())

    def _handle(self, line: str) -> None:
        shown: list[tuple[Message, str | None]] = []
        if line.startswith("as "):
            self._user = USERS.get(line, self._user)
            if line not in USERS:
                self._say("Type as rep (@rita) or as manager (@max).")
            return
        if line.startswith(">"):
            shown = self._thread_message(line[1:].strip())
        elif line.startswith("/deal"):
            shown = self._command(line[len("/deal"):].strip())
        elif click := _CLICK.fullmatch(line):
            self._click(click.group(1))
        elif line == "help":
            self._say(HELP)
            return
        elif line:
            self._say(UNKNOWN)
            return
        answers: list[tuple[Message, str | None]] = [(seen.message, None) for seen in self._slack.deliver()]
        self._show(shown + answers)
        if line.startswith(">") and shown and not answers:
            self._say("(Nothing back: Deal Coach answers a message in an open deal's thread that names an ask "
                      "or a concession.)")

    def _show(self, messages: list[tuple[Message, str | None]]) -> None:
        """Prints the messages with their buttons numbered from 1; they are what `click N` presses next."""
        if not messages:
            return
        self._buttons = []
        for message, title in messages:
            self._say(show(message, title, first_button=len(self._buttons) + 1))
            self._buttons += [(message, button) for button in buttons(message.blocks)]

    def _command(self, text: str) -> list[tuple[Message, str | None]]:
        forms = len(self._slack.standin.calls_to("views.open"))
        ack = self._slack.command(self._user, as_slack_sends(text), channel=DEALS)
        self._forms_since(forms)
        return [(acknowledged(self._user, ack), f"Only {WHO[self._user]} sees")] if ack else []

    def _thread_message(self, text: str) -> list[tuple[Message, str | None]]:
        cards = self._slack.standin.messages(DEALS, include_threads=False)
        if not cards:
            self._say("No deal thread yet: open a deal with /deal new first.")
            return []
        sent = as_slack_sends(text)
        ts = f"{1_800_000_000 + next(self._posts)}.000100"
        self._slack.event({"type": "message", "channel": DEALS, "user": self._user, "text": sent, "ts": ts,
                           "thread_ts": cards[-1].ts, "channel_type": "channel"})
        return [(Message(DEALS, ts, f"<@{self._user}>: {sent}", [], thread_ts=cards[-1].ts), None)]

    def _click(self, number: str) -> None:
        if not number or not 1 <= int(number) <= len(self._buttons):
            shown = f"1 to {len(self._buttons)}" if self._buttons else "none: the latest output has no buttons"
            self._say(f"Type click and the number of a button in the latest output ({shown}).")
            return
        message, button = self._buttons[int(number) - 1]
        owner = message.ephemeral_to
        if owner is not None and owner != self._user:
            switch = {user: line for line, user in USERS.items()}.get(owner, "as …")
            self._say(f"Only {WHO.get(owner, owner)} sees that message; type `{switch}` to press its buttons.")
            return
        self._say(f"{WHO[self._user]} presses [{button['text']['text']}]")
        forms = len(self._slack.standin.calls_to("views.open"))
        self._slack.press(self._user, message, button)
        self._forms_since(forms)

    def _forms_since(self, seen: int) -> None:
        """Forms the app opened (`/deal new` alone, "Set its worth"), which a terminal cannot fill in."""
        for call in self._slack.standin.calls_to("views.open")[seen:]:
            view = call.params["view"]
            self._say(box(f"A form opens for {WHO[self._user]}", view_to_text(view)))
            form = view.get("callback_id") if isinstance(view, dict) else None
            typed = _TYPE_INSTEAD.get(form, "the same on one line") if isinstance(form, str) else "the same on one line"
            self._say(f"(The console cannot fill in forms: type {typed}.)")

    def _say(self, text: str) -> None:
        self._out.write(text + "\n")
