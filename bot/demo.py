"""`dealcoach demo`: a scripted negotiation, offline, printed as each person would see it in Slack."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.slack.ids import Action
from bot.standin.workspace import LocalWorkspace
from bot.transcript import ALERTS, DEALS, MANAGER, REP, WHO, acknowledged, as_slack_sends, show

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
)


def run_demo(database_path: Path | None = None) -> str:
    """Runs the script and returns the transcript (also what `dealcoach demo` prints)."""
    if database_path is None:
        with tempfile.TemporaryDirectory(prefix="dealcoach-demo-") as folder:
            return run_demo(Path(folder) / "demo.db")
    out: list[str] = []
    with LocalWorkspace(f"sqlite:///{database_path}", managers=(MANAGER,)) as slack:
        for user, text, why in SCRIPT:
            out.append(f"\n=== {why}")
            if text.startswith("click "):
                out.append(f"{WHO[user]} clicks [{text[len('click '):]}] on the latest alert")
                alert = slack.standin.messages(ALERTS, include_threads=False)[-1]
                slack.click(user, alert, _BUTTONS[text[len("click "):]])
            else:
                out.append(f"{WHO[user]} types: /deal {text}")
                ack = slack.command(user, as_slack_sends(text), channel=DEALS)
                out.append(show(acknowledged(user, ack), f"Only {WHO[user]} sees"))
            out += [show(seen.message) for seen in slack.deliver()]
    return "\n".join(out) + "\n"


_BUTTONS = {"Approve exception": Action.APPROVE_EXCEPTION, "Tell rep to walk away": Action.TELL_WALK_AWAY}
