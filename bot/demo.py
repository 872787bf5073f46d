"""`dealcoach demo`: a scripted negotiation, offline, printed as each person would see it in Slack."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.render.plaintext import blocks_to_text
from bot.standin.webapi import Message
from bot.standin.workspace import LocalWorkspace
from bot.transcript import DEALS, MANAGER, NAMES, REP, WHO, acknowledged, as_slack_sends, box, show

# (who, what they type, why) — the story of one negotiation, reaching all four verdicts.
SCRIPT: tuple[tuple[str, str, str], ...] = (
    (MANAGER, "policy alert_channel=#deal-alerts", "The manager points alerts at #deal-alerts."),
    (REP, "new acme list=$120k floor=$84k target=$110k term=36 customer=Acme Corp",
     "Rita opens the deal with her walk-away floor set before talking price."),
    (REP, "qualify acme needs=yes decider=yes timeline=yes budget=yes", "She confirms the deal is qualified."),
    (REP, "concede acme 5% for a two-year term", "A first, traded concession."),
    (REP, "concede acme a month free", "A smaller one, nothing back yet; a free month is estimated from the term."),
    (REP, "concede acme knock another 7k off", "Then a bigger step, in her own words, again for nothing: "
     "the coach pushes back."),
    (REP, "get acme case study and logo rights", "She trades for something after all."),
    (REP, "status acme", "She checks where the deal stands."),
    (REP, "click Send me the price chart", "And asks for its price chart, sent to her alone as a file."),
    (REP, "ask acme they want another 10% or they walk", "The customer asks for more; judged before giving."),
    (REP, "concede acme 7% for signature this quarter",
     "She gives more: past the 20% cap, the managers are alerted."),
    (MANAGER, "click Approve exception", "The manager approves the exception from the alert."),
    (REP, "ask acme can you do price 80k if we book it as consulting off the books",
     "An unethical ask below the floor."),
    (REP, "walk acme below our floor and an off-the-books request", "Rita walks away."),
    (REP, "back acme 98k", "Two weeks later the customer comes back on her terms."),
    (REP, "won acme 98k", "And signs."),
    (MANAGER, "summary", "The manager's summary of the week."),
    (REP, "new globex list=60k floor=48k customer=Globex", "Rita opens her next deal."),
    (REP, "home", "She opens Deal Coach's Home tab in Slack."),
    (MANAGER, "home", "Max opens his: the team's deals and the workspace's setup."),
    (MANAGER, "digest", "Monday 9:00: the weekly digest, with its chart, reaches Max by direct message."),
)


@dataclass(frozen=True)
class Played:
    """One step of the script as it played: the answer to what was typed or pressed (what only that person
    sees), the Home tab published, and everything delivered to Slack after it."""

    user: str
    text: str
    why: str
    answer: dict[str, Any]
    home: dict[str, Any] | None
    delivered: list[Message]


def play(slack: LocalWorkspace) -> Iterator[Played]:
    """Plays the script in `slack`, step by step: a command, a click on a button shown before, a Home tab
    opened, or the Monday digest's sweep."""
    shown: list[Message] = []  # what was shown so far, latest last: a click presses a button of the latest
    for user, text, why in SCRIPT:
        answer: dict[str, Any] = {}
        home = None
        if text.startswith("click "):
            message, button = _latest_button(shown, text[len("click "):])
            answer = slack.press(user, message, button)
        elif text == "home":
            home = slack.open_home(user)
        elif text == "digest":
            slack.send_digests(_next_monday_nine())
        else:
            answer = slack.command(user, as_slack_sends(text), channel=DEALS)
            shown.append(acknowledged(user, answer))
        delivered = [seen.message for seen in slack.deliver()]
        shown += delivered
        yield Played(user, text, why, answer, home, delivered)


def run_demo(database_path: Path | None = None, *, charts: Path | None = None) -> str:
    """Runs the script and returns the transcript (also what `dealcoach demo` prints). The charts Slack would
    show are written as PNG files to `charts` (a new temporary folder unless given), their paths printed."""
    if database_path is None:
        with tempfile.TemporaryDirectory(prefix="dealcoach-demo-") as folder:
            return run_demo(Path(folder) / "demo.db", charts=charts)
    out: list[str] = []
    with LocalWorkspace(f"sqlite:///{database_path}", managers=(MANAGER,)) as slack:
        for step in play(slack):
            out.append(f"\n=== {step.why}")
            who = WHO[step.user]
            if step.text.startswith("click "):
                out.append(f"{who} clicks [{step.text[len('click '):]}]")
            elif step.text == "home":
                out.append(box(f"{who}'s Home tab", blocks_to_text((step.home or {}).get("blocks", []), names=NAMES)))
            elif step.text != "digest":
                out.append(f"{who} types: /deal {step.text}")
                out.append(show(acknowledged(step.user, step.answer), f"Only {who} sees"))
            out += [show(message) for message in step.delivered]
        out.append(_write_charts(slack, charts or Path(tempfile.mkdtemp(prefix="dealcoach-demo-charts-"))))
    return "\n".join(out) + "\n"


def _latest_button(shown: list[Message], label: str) -> tuple[Message, dict[str, Any]]:
    for message in reversed(shown):
        for block in message.blocks:
            for element in [block.get("accessory") or {}, *block.get("elements", [])]:
                if element.get("type") == "button" and element["text"]["text"] == label:
                    return message, element
    raise LookupError(f"no [{label}] button has been shown")


def _next_monday_nine() -> datetime:
    """When the weekly digest of this week goes out (the policy's default: Monday 09:00, UTC)."""
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 - today.weekday())


def _write_charts(slack: LocalWorkspace, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for upload in slack.standin.uploads():
        if upload.completed:
            path = folder / upload.filename
            path.write_bytes(upload.data)
            paths.append(f"  {path}  ({upload.title})")
    return "\n=== The charts above, as Slack would show them, written as PNG files:\n" + "\n".join(paths)
