"""The floor (and the headroom, and anything that gives it away) never reaches a deal's channel, its thread, a
digest channel or any channel shared with another organisation, on every path that posts: commands, thread
proposals and the buttons that log them, managers' decisions, the message shortcut, the price chart, App Home,
digests and nudges, with alerts on, with alerts off, and with the alert channel itself shared.

tests/integration/test_privacy.py follows one negotiation through the commands; this checks every message the
Slack stand-in received, whatever sent it."""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from wsgiref.simple_server import make_server

import pytest
from conftest import ALERTS, CHANNEL, MANAGER, REP, SIGNING_SECRET, TEAM, _QuietHandler, _ThreadingServer, make_settings
from slack_client import SlackClient, slack_payload
from sqlalchemy import text

from bot.bootstrap import build
from bot.db.engine import session_factory
from bot.domain.ledger import Ledger
from bot.domain.money import format_money
from bot.services.digests import DigestService
from bot.slack.ids import Action, Shortcut
from bot.standin import SlackStandIn
from bot.standin.loopback import POLL_SECONDS
from bot.web import make_wsgi

SHARED, DIGESTS, OTHER_DEALS = "C0SHARED", "C0DIGEST", "C0MOREDEALS"
POSTING = ("chat.postMessage", "chat.update", "chat.scheduleMessage", "files.completeUploadExternal")
MONDAY_10_UTC = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def figures_of(container, name: str) -> set[str]:  # noqa: ANN001
    """The deal's floor, headroom, and net and effective prices as Slack would show them ("83,417", "83417")."""
    with container.uow(TEAM) as uow:
        deal = uow.deals.get(name=name)
    ledger = Ledger.of(deal)
    amounts = {deal.floor_cents, abs(ledger.headroom_cents), ledger.net_cents, ledger.effective_cents}
    if deal.target_cents is not None:
        amounts.add(deal.target_cents)
    amounts.discard(deal.list_cents)
    shown = set()
    for cents in amounts:
        money = format_money(cents, deal.currency).lstrip("-$€£¥")
        shown.add(money)
        if cents >= 1_000_000:  # bare digits only when long enough not to match a timestamp by chance
            shown.add(re.sub(r"[^0-9]", "", money))
    return shown


def is_public(channel: str, allowed: set[str]) -> bool:
    """A channel others can read: not a direct message (a user id, or a D… conversation), not the managers' own."""
    return channel[:1] in ("C", "G") and channel not in allowed


def public_posts(standin: SlackStandIn, allowed: set[str]) -> list[tuple[str, str]]:
    posts = []
    for call in standin.calls:
        if call.method not in POSTING:
            continue
        channel = str(call.params.get("channel") or call.params.get("channel_id") or "")
        if call.method == "files.completeUploadExternal" and not channel:
            channel = "(none)"
        if is_public(channel, allowed):
            posts.append((channel, json.dumps(call.params, ensure_ascii=False)))
    return posts


def assert_nothing_private_in_public(standin: SlackStandIn, secrets: set[str], allowed: set[str]) -> int:
    posts = public_posts(standin, allowed)
    for channel, shown in posts:
        lowered = shown.lower()
        for secret in secrets:
            assert secret not in shown, f"{secret!r} reached {channel}: {shown[:1500]}"
        for word in ("floor", "headroom", "near floor", "walk-away price"):
            assert word not in lowered, f"{word!r} reached {channel}: {shown[:1500]}"
    for upload in standin.uploads():  # the price chart draws the floor: direct messages only
        if "price" in (upload.filename + upload.title).lower():
            assert upload.channel is not None and not is_public(upload.channel, set()), \
                f"the price chart ({upload.filename}) was shared in {upload.channel}"
    return len(posts)


def thread_message(slack: SlackClient, thread_ts: str, words: str, event_id: str, *, channel: str = CHANNEL,
                   user: str = REP):  # noqa: ANN201
    body = copy.deepcopy(slack_payload("test_message__message_body"))
    body.update(team_id=TEAM, event_id=event_id)
    body.pop("enterprise_id", None)
    body["event"].update(text=words, user=user, channel=channel, ts=f"{float(thread_ts) + 5:.6f}",
                         thread_ts=thread_ts, team=TEAM)
    answer = slack.event(body)
    slack.deliver()
    return answer


def proposals(standin: SlackStandIn) -> list:
    return [m for m in standin.ephemerals(REP) if any(b.get("type") == "actions" for b in m.blocks)]


def shortcut(slack: SlackClient, standin: SlackStandIn, thread_ts: str, words: str, *, channel: str = CHANNEL):  # noqa: ANN201
    payload = copy.deepcopy(slack_payload("test_shortcut__message_shortcut_body"))
    payload.update(callback_id=str(Shortcut.COACH_MESSAGE), team={"id": TEAM, "domain": "x"},
                   user={"id": REP, "name": "rep", "team_id": TEAM}, channel={"id": channel, "name": "deals"},
                   response_url=standin.response_url("shortcut"))
    payload["message"].update(text=words, ts=f"{float(thread_ts) + 9:.6f}", thread_ts=thread_ts, team=TEAM,
                              user="U0CUSTOMER")
    payload["message"].pop("blocks", None)
    answer = slack.interactive(payload)
    slack.deliver()
    return answer


def open_home(slack: SlackClient, user: str, n: int) -> None:
    body = copy.deepcopy(slack_payload("test_payload_utils__app_home_opened_home_body"))
    body.update(team_id=TEAM, event_id=f"Ev-home-{user}-{n}", authorizations=[
        {"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}])
    body.pop("enterprise_id", None)
    body["event"]["user"] = user
    assert slack.event(body).status == 200
    slack.deliver()


def every_path(slack: SlackClient, standin: SlackStandIn, container, *, alerts: bool) -> set[str]:  # noqa: ANN001
    """Runs every kind of move that posts something; returns the private figures it produced."""
    secrets: set[str] = set()

    def run(user: str, command: str, channel: str = CHANNEL) -> None:
        answer = slack.command(command, user=user, channel=channel)
        assert answer.status == 200 and ":warning:" not in answer.text, f"{command}: {answer.text}"
        slack.deliver()

    run(MANAGER, f"policy digest_channel=<#{DIGESTS}|digests> digest_day=mon digest_hour=9 stale_days=3")
    run(REP, "new acme list=120k floor=83,417 target=111,111 customer=Acme Corp")
    run(REP, "new beta list=90k floor=71,234 customer=Beta", channel=OTHER_DEALS)
    run(REP, "new gamma list=80k floor=61,357 customer=Gamma", channel=SHARED)
    card_ts = standin.messages(CHANNEL, include_threads=False)[0].ts

    # Commands: asks, concessions near and past the floor, gets, undo, flags, coaching, status, outcomes.
    for user, command in [
        (REP, "ask acme 10% off and free onboarding"), (REP, "concede acme 5% for a 2-year term"),
        (REP, "concede acme cut 7,250"), (REP, "get acme a case study worth 1k"),
        (REP, "concede acme price 90,123"), (REP, "coach acme what now?"), (REP, "status acme"),
        (REP, "concede acme terms net-90 worth 9,555"), (REP, "undo acme"),
        (REP, "ask acme a side payment to their buyer"), (REP, "flag acme fit custom build"),
        (REP, "flag acme clear fit"), (REP, "concede beta 22%"), (REP, "concede gamma 30%"),
        (REP, "summary"), (MANAGER, "summary"), (MANAGER, "list all"), (REP, "list"),
    ]:
        run(user, command, SHARED if " gamma" in command else OTHER_DEALS if " beta" in command else CHANNEL)
        for name in ("acme", "beta", "gamma"):
            secrets |= figures_of(container, name)

    # Thread messages: private proposals, then the buttons that log them (notes go to the thread).
    thread_message(slack, card_ts, "they want another 4% off before signing", "Ev-p1")
    thread_message(slack, card_ts, "I offered them free premium support worth 2,345 to close", "Ev-p2")
    found = proposals(standin)
    assert len(found) == 2, [m.text for m in standin.ephemerals(REP)]
    slack.press(found[0].blocks, Action.LOG_ASK, user=REP, channel=CHANNEL,
                response_url=standin.response_url("log-ask"))
    slack.press(found[1].blocks, Action.LOG_CONCESSION, user=REP, channel=CHANNEL,
                response_url=standin.response_url("log-concession"))
    secrets |= figures_of(container, "acme")

    # The message shortcut, in the deal's thread and in the shared channel.
    shortcut(slack, standin, card_ts, "Can you do 35% off if we sign today?")
    shortcut(slack, standin, "1700000000.000500", "Can you do 35% off?", channel=SHARED)

    # The price chart (it shows the floor): to the clicker's direct messages only.
    status = slack.command("status acme", user=REP)
    slack.press(status.body["blocks"], Action.PRICE_CHART, user=REP, channel=CHANNEL)
    assert any("price" in (u.filename + u.title).lower() for u in standin.uploads()), "the chart was sent"

    # Managers decide on the alerts; the decisions are noted in the thread and told to the rep.
    if alerts:
        posted = standin.messages(ALERTS)
        assert posted, "the cap and the floor alert the managers"
        for alert, action in zip(posted, (Action.APPROVE_EXCEPTION, Action.TELL_WALK_AWAY), strict=False):
            ids = [e["action_id"] for b in alert.blocks if b["type"] == "actions" for e in b["elements"]]
            chosen = action if action in ids else Action.TELL_WALK_AWAY
            message = {"type": "message", "ts": alert.ts, "text": alert.text, "blocks": alert.blocks}
            slack.press(alert.blocks, chosen, user=MANAGER, channel=ALERTS, message=message)

    # App Home for the rep and a manager; digests to the managers and the digest channel; nudges.
    open_home(slack, REP, 1)
    open_home(slack, MANAGER, 1)
    last_week, idle = MONDAY_10_UTC - timedelta(days=3), MONDAY_10_UTC - timedelta(days=10)
    with container.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entry SET at = :at"), {"at": last_week})
        connection.execute(text("UPDATE deal SET created_at = :at, updated_at = :idle"), {"at": last_week,
                                                                                          "idle": idle})
    sweeps = DigestService(container.uow, session_factory(container.engine), settings_managers=frozenset({MANAGER}),
                           clock=lambda: MONDAY_10_UTC)
    assert sweeps.queue_due_digests() >= 2 and sweeps.queue_nudges() >= 1
    slack.deliver()
    assert standin.messages(DIGESTS), "the digest reached its channel"

    # Outcomes, and a comeback.
    for command in ("walk acme they will not move", "back acme 95,321", "won acme 95,321", "lost beta budget"):
        run(REP, command, OTHER_DEALS if " beta" in command else CHANNEL)
    secrets |= figures_of(container, "acme") | figures_of(container, "beta")
    return secrets


def test_the_floor_never_reaches_a_deal_channel_thread_digest_or_shared_channel_on_any_path(
        slack, standin, container) -> None:  # noqa: ANN001
    standin.set_channel(SHARED, is_ext_shared=True)
    secrets = every_path(slack, standin, container, alerts=True)
    assert "83,417" in secrets and "71,234" in secrets and "61,357" in secrets
    checked = assert_nothing_private_in_public(standin, secrets, allowed={ALERTS})
    assert checked >= 20, "cards, thread notes, decisions and the digest were all checked"
    assert any("83,417" in json.dumps(m.blocks) for m in standin.messages(ALERTS)), "managers do see the floor"
    assert [c for c in standin.calls if c.params.get("channel") == SHARED and c.method in POSTING] == []


@pytest.fixture
def without_alerts(standin: SlackStandIn, database_url: str) -> Iterator[tuple[SlackClient, object]]:
    """The app with no alert channel anywhere (no DEALCOACH_ALERT_CHANNEL, none in the policy)."""
    container = build(make_settings(standin, database_url, DEALCOACH_ALERT_CHANNEL=""), pace_seconds=0)
    httpd = make_server("127.0.0.1", 0, make_wsgi(container), server_class=_ThreadingServer,
                        handler_class=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
    thread.start()
    try:
        yield (SlackClient(f"http://127.0.0.1:{httpd.server_address[1]}", SIGNING_SECRET, standin, container.worker,
                           team_id=TEAM), container)
    finally:
        httpd.shutdown()
        httpd.server_close()
        container.close()


def test_with_alerts_off_the_floor_still_never_reaches_a_public_channel(without_alerts, standin) -> None:  # noqa: ANN001
    slack, container = without_alerts
    standin.set_channel(SHARED, is_ext_shared=True)
    secrets = every_path(slack, standin, container, alerts=False)
    assert_nothing_private_in_public(standin, secrets, allowed=set())
    assert standin.messages(ALERTS) == []
    slack.command("new delta list=100k floor=60k", user=REP)
    assert "managers were not told" in slack.command("concede delta 30%", user=REP).text


def test_an_alert_channel_shared_with_another_organisation_gets_no_figures(slack, standin, container) -> None:  # noqa: ANN001
    standin.set_channel(ALERTS, is_ext_shared=True)
    slack.command("new acme list=120k floor=83,417", user=REP)
    answer = slack.command("concede acme 30%", user=REP)
    assert "*ESCALATE*" in answer.text
    slack.deliver()
    assert [c for c in standin.calls if c.params.get("channel") == ALERTS and c.method in POSTING] == []


def test_a_win_below_the_floor_reaches_the_managers_channel_and_never_the_deals(slack, standin, container) -> None:  # noqa: ANN001
    slack.command("new acme list=120k floor=83,417 target=97,531", user=REP)
    slack.command("concede acme 10% for a case study", user=REP)
    won = slack.command("won acme 71,234", user=REP)
    assert "was won below its floor" in won.text and "The managers were told." in won.text, won.text
    slack.deliver()
    secrets = figures_of(container, "acme") | {"71,234", "71234", "12,183"}
    assert assert_nothing_private_in_public(standin, secrets, allowed={ALERTS}) >= 2
    assert any("83,417" in json.dumps(m.blocks) for m in standin.messages(ALERTS)), "managers do see the floor"


def test_with_alerts_off_a_win_below_the_floor_tells_the_rep_managers_were_not_told(without_alerts, standin) -> None:  # noqa: ANN001
    slack, container = without_alerts
    slack.command("new acme list=120k floor=83,417", user=REP)
    won = slack.command("won acme 71,234", user=REP)
    assert "was won below its floor" in won.text and "managers were not told" in won.text, won.text
    slack.deliver()
    assert standin.messages(ALERTS) == []
    assert_nothing_private_in_public(standin, figures_of(container, "acme") | {"71,234"}, allowed=set())
