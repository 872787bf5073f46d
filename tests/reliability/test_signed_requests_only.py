"""Only requests Slack signed, within five minutes, are acted on: a bad, missing or malformed signature and a
stale or malformed timestamp get a 401 and change nothing, whatever the entry point (command, button, form,
shortcut, event, URL verification). (tests/integration/test_http_endpoints.py covers a slash command with a
zeroed signature, another secret, no headers and a timestamp six minutes off; this covers every entry point
and the headers' malformed shapes.)"""

from __future__ import annotations

import copy
import json
import logging
import time
import urllib.error
from urllib.parse import urlencode

import pytest
from conftest import CHANNEL, MANAGER, REP, SIGNING_SECRET, TEAM
from reliability_support import FORM, JSON, failures_logged, post_raw, row_counts, sign
from slack_client import slack_payload

from bot.slack.ids import Action, Block, Shortcut, View
from bot.slack.metadata import AlertRef, NewDealForm
from bot.standin.requests import command_body

SIX_MINUTES = 6 * 60


@pytest.fixture
def acme(slack, container):  # noqa: ANN001, ANN201
    slack.command("new acme list=100k floor=60k customer=Acme", user=REP)
    slack.command("concede acme 25%", user=REP)
    slack.deliver()
    with container.uow(TEAM) as uow:
        return uow.deals.get(name="acme")


def bodies(deal_id: int, standin) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    """One body per entry point, each of which would change something (or answer) if it were signed."""
    click = copy.deepcopy(slack_payload("test_block_actions__body"))
    click.update(team={"id": TEAM, "domain": "x"}, channel={"id": "C0ALERTS", "name": "alerts"},
                 response_url=standin.response_url("unsigned"))
    click["user"].update(id=MANAGER, team_id=TEAM)
    click["container"] = {"type": "message", "message_ts": "1.2", "channel_id": "C0ALERTS", "is_ephemeral": False}
    click["actions"] = [{**click["actions"][0], "action_id": str(Action.TELL_WALK_AWAY),
                         "value": AlertRef(deal_id=deal_id, seq=1).dump()}]
    form = copy.deepcopy(slack_payload("test_view_submission__body"))
    form.update(team={"id": TEAM, "domain": "x"})
    form["user"].update(id=REP, team_id=TEAM)
    form["view"].update(callback_id=str(View.NEW_DEAL), team_id=TEAM, app_installed_team_id=TEAM,
                        private_metadata=NewDealForm(channel_id=CHANNEL).dump(),
                        state={"values": {str(Block.NAME): {"a": {"type": "plain_text_input", "value": "beta"}},
                                          str(Block.LIST): {"a": {"type": "plain_text_input", "value": "100k"}},
                                          str(Block.FLOOR): {"a": {"type": "plain_text_input", "value": "80k"}}}})
    shortcut = copy.deepcopy(slack_payload("test_shortcut__message_shortcut_body"))
    shortcut.update(callback_id=str(Shortcut.COACH_MESSAGE), team={"id": TEAM, "domain": "x"},
                    user={"id": REP, "name": "rep", "team_id": TEAM}, channel={"id": CHANNEL, "name": "deals"},
                    response_url=standin.response_url("unsigned"))
    home = copy.deepcopy(slack_payload("test_payload_utils__app_home_opened_home_body"))
    home.pop("enterprise_id")
    home.update(team_id=TEAM, event_id="Ev0UNSIGNED", authorizations=[{"team_id": TEAM, "user_id": "U0BOT",
                                                                       "is_bot": True}])
    home["event"]["user"] = REP
    return {
        "slash command": (command_body("concede acme 10%", team_id=TEAM, user_id=REP, channel_id=CHANNEL,
                                       response_url=standin.response_url("unsigned")), FORM),
        "button click": (urlencode({"payload": json.dumps(click)}), FORM),
        "modal submission": (urlencode({"payload": json.dumps(form)}), FORM),
        "message shortcut": (urlencode({"payload": json.dumps(shortcut)}), FORM),
        "event": (json.dumps(home), JSON),
        "url verification": (json.dumps(slack_payload("test_events_url_verification__event_body")), JSON),
    }


ENTRY_POINTS = ["slash command", "button click", "modal submission", "message shortcut", "event", "url verification"]


def good_headers(body: bytes, content_type: str, timestamp: int | None = None) -> dict[str, str]:
    return {"content-type": content_type, **sign(SIGNING_SECRET, body, timestamp)}


def tampered_headers(body: bytes, content_type: str) -> dict[str, dict[str, str]]:
    """Every way the two headers can be wrong, by name."""
    now = int(time.time())
    good = good_headers(body, content_type)
    return {
        "no signature headers": {"content-type": content_type},
        "no signature": {k: v for k, v in good.items() if k != "x-slack-signature"},
        "no timestamp": {k: v for k, v in good.items() if k != "x-slack-request-timestamp"},
        "zeroed signature": {**good, "x-slack-signature": "v0=" + "0" * 64},
        "empty signature": {**good, "x-slack-signature": ""},
        "signature of another body": {**good, "x-slack-signature": sign(SIGNING_SECRET, body + b"&x=1")[
            "x-slack-signature"]},
        "signed with another secret": {"content-type": content_type, **sign("not-" + SIGNING_SECRET, body)},
        "v1 signature": {**good, "x-slack-signature": good["x-slack-signature"].replace("v0=", "v1=")},
        "uppercase signature": {**good, "x-slack-signature": good["x-slack-signature"].upper()},
        "signature with non-ascii": {**good, "x-slack-signature": good["x-slack-signature"][:-1] + "é"},
        "timestamp over five minutes old": good_headers(body, content_type, now - SIX_MINUTES),
        "timestamp over five minutes ahead": good_headers(body, content_type, now + SIX_MINUTES),
        "timestamp a day old": good_headers(body, content_type, now - 86_400),
        "timestamp not a number": {**good, "x-slack-request-timestamp": "yesterday"},
        "timestamp negative": {**good_headers(body, content_type, -now)},
        "timestamp huge": {**good, "x-slack-request-timestamp": "9" * 40},
        "timestamp a float": {**good, "x-slack-request-timestamp": f"{now}.5"},
    }


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_request_slack_did_not_sign_within_five_minutes_is_refused_with_401_and_changes_nothing(
        server, slack, standin, container, acme, caplog, entry: str) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    body, content_type = bodies(acme.id, standin)[entry]
    raw = body.encode()
    before, calls_before = row_counts(container), len(standin.calls)
    for name, headers in tampered_headers(raw, content_type).items():
        status, answer = post_raw(server, raw, headers)
        assert status == 401, f"{entry}, {name}: {status} {answer[:200]!r}"
        assert b"challenge" not in answer and b"Verdict" not in answer, (entry, name)
    slack.deliver()
    assert row_counts(container) == before, entry
    assert len(standin.calls) == calls_before, "nothing reached Slack either"
    assert standin.responses("unsigned") == []
    assert failures_logged(caplog.records) == []

    # The very same body, signed now, is acted on: only the signature was wrong.
    status, _ = post_raw(server, raw, good_headers(raw, content_type))
    assert status == 200, entry


def test_a_replayed_request_is_refused_once_its_timestamp_is_over_five_minutes_old(server, container, standin,  # noqa: ANN001
                                                                                  acme) -> None:
    """A captured request (body, timestamp and signature as Slack sent them) replayed later."""
    raw = command_body("concede acme 10%", team_id=TEAM, user_id=REP, channel_id=CHANNEL).encode()
    captured = good_headers(raw, FORM, int(time.time()) - SIX_MINUTES)
    before = row_counts(container)
    status, _ = post_raw(server, raw, captured)
    assert status == 401
    # Nor can the replay move the timestamp forward: the signature covers it.
    status, _ = post_raw(server, raw, {**captured, "x-slack-request-timestamp": str(int(time.time()))})
    assert status == 401
    assert row_counts(container) == before


def test_an_oversized_or_unreadable_body_is_refused_before_anything_reads_it(server, container, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    before = row_counts(container)
    huge = b"payload=" + b"x" * 2_000_000
    try:
        status = post_raw(server, huge, good_headers(huge, FORM))[0]
    except (urllib.error.URLError, ConnectionError):
        status = 400  # refused before the body was read: the server closed while the client was still sending
    assert status in (400, 413)
    assert post_raw(server, b"text=hi", {"content-type": FORM, "content-length": "abc",
                                         **sign(SIGNING_SECRET, b"text=hi")})[0] == 400
    assert row_counts(container) == before
    assert failures_logged(caplog.records) == []
