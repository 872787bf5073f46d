"""Every entry point fed malformed Slack payloads, signed, over HTTP to the real app: never an HTTP 5xx, and no
error logged by our code (or by Bolt running it).

The payloads start from Slack's own shapes (tests/fixtures/slack/payloads, moved into the test workspace and
aimed at our listeners with real deal ids and button values) and are mutated by hypothesis: fields dropped,
set to null, given the wrong type (a number for a string, a list for an object, ...), extra fields, unknown
action and callback ids, huge strings and unusual unicode."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from conftest import ALERTS, CHANNEL, MANAGER, REP, SIGNING_SECRET, TEAM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import FORM, JSON, failures_logged, post_raw, sign, snapshot
from slack_client import PAYLOADS, slack_payload
from sqlalchemy import text

from bot.services.access import Actor
from bot.slack.app import payload_problem
from bot.slack.ids import Action, Block, Shortcut, View
from bot.slack.metadata import AlertRef, DealRefValue, NewDealForm, ProposalValue


def mutations(count: int) -> settings:
    """`count` examples; one app serves them all (function-scoped fixtures, built once per test)."""
    return settings(max_examples=count, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


HUGE = 20_000
TRIED: dict[str, int] = {}  # mutations posted per entry point

# Values a field may be given instead of its own.
odd_strings = st.one_of(
    st.just(""), st.just(" "), st.just("x" * HUGE), st.just("😀" * 2000), st.just("\u202e\u200b\x00"),
    st.just("Ω≈ç√∫˜µ≤≥÷"), st.just("<script>alert(1)</script>"), st.just("' OR 1=1; --"), st.just("null"),
    st.just("{}"), st.just("[]"), st.just("#1"), st.just("U0REP"), st.just("T0OTHER"), st.just("new-deal-modal"),
    st.text(max_size=40),
)
odd_values = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63), st.floats(allow_nan=False),
    odd_strings, st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    # fresh containers each time: a mutation may write into them
    st.builds(list), st.builds(dict), st.builds(lambda: [{"id": 5}]), st.builds(lambda: {"id": None}),
)
UNKNOWN_IDS = ["unknown-action", "", "deal-price-chart ", "DEAL-PRICE-CHART", "x" * 300, "🙂"]


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a JSON tree (lists by index), the root's children first."""
    found: list[tuple] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def parent_of(tree: Any, path: tuple) -> Any:
    node = tree
    for key in path[:-1]:
        node = node[key]
    return node


@st.composite
def mutated(draw: st.DrawFn, base: Any, *, id_fields: tuple[str, ...] = ()) -> Any:
    """`base` with one to three mutations at places drawn from its own structure."""
    tree = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        every = paths(tree)
        operation = draw(st.sampled_from(["drop", "null", "retype", "retype", "extra", "unknown-id", "huge"]))
        if operation == "extra" or not every:
            containers = [()] + [p for p in every if isinstance(_at(tree, p), dict)]
            where = draw(st.sampled_from(containers))
            target = _at(tree, where) if where else tree
            if isinstance(target, dict):
                target[draw(st.sampled_from(["unexpected", "extra_field", "is_ext_shared", "__proto__"]))] = draw(
                    odd_values)
            continue
        if operation == "unknown-id":
            ids = [p for p in every if p[-1] in id_fields]
            if ids:
                where = draw(st.sampled_from(ids))
                parent_of(tree, where)[where[-1]] = draw(st.sampled_from(UNKNOWN_IDS))
                continue
        where = draw(st.sampled_from(every))
        parent = parent_of(tree, where)
        if operation == "drop":
            if isinstance(parent, dict):
                del parent[where[-1]]
            else:
                parent.pop(where[-1])
        elif operation == "null":
            parent[where[-1]] = None
        elif operation == "huge":
            parent[where[-1]] = draw(st.sampled_from(["x" * HUGE, "é" * HUGE, "9" * 400]))
        else:
            parent[where[-1]] = draw(odd_values)
    return tree


def _at(tree: Any, path: tuple) -> Any:
    node = tree
    for key in path:
        node = node[key]
    return node


def post(server: str, body: str, content_type: str) -> tuple[int, bytes]:
    raw = body.encode()
    return post_raw(server, raw, {"content-type": content_type, **sign(SIGNING_SECRET, raw)})


def check(server: str, slack, caplog, kind: str, body: str, content_type: str) -> None:  # noqa: ANN001
    caplog.clear()
    TRIED[kind] = TRIED.get(kind, 0) + 1
    status, raw = post(server, body, content_type)
    assert status < 500, (status, raw[:300], body[:1500])
    assert failures_logged(caplog.records) == [], body[:1500]
    slack.deliver()  # what the request queued is delivered without a failure either
    assert failures_logged(caplog.records) == [], ("delivering", body[:1500])


# The deal every payload is about, and Slack's shapes aimed at our listeners --------------------------------


@pytest.fixture
def deal(slack, standin, container) -> dict[str, Any]:  # noqa: ANN001
    """An open deal with a card, a thread and an alert: the ids and values real payloads would carry."""
    slack.command("new acme list=100k floor=60k customer=Acme", user=REP)
    slack.command("concede acme 25%", user=REP)
    slack.deliver()
    with container.uow(TEAM) as uow:
        found = uow.deals.get(name="acme")
    card = standin.messages(CHANNEL, include_threads=False)[0]
    alert = standin.messages(ALERTS)[0]
    return {"id": found.id, "card_ts": card.ts, "alert": alert}


def block_actions(deal: dict[str, Any], standin, action_id: str) -> dict[str, Any]:  # noqa: ANN001
    values: dict[str, str] = {
        Action.APPROVE_EXCEPTION: AlertRef(deal_id=deal["id"], seq=1).dump(),
        Action.TELL_WALK_AWAY: AlertRef(deal_id=deal["id"], seq=1).dump(),
        Action.PRICE_CHART: DealRefValue(deal_id=deal["id"]).dump(),
    }
    value = values.get(action_id, ProposalValue(deal_id=deal["id"], text="they want 10% off", concession="10%").dump())
    payload = copy.deepcopy(slack_payload("test_block_actions__body"))
    payload["user"].update(id=MANAGER, team_id=TEAM)
    payload["team"] = {"id": TEAM, "domain": "example"}
    on_alert = action_id in (Action.APPROVE_EXCEPTION, Action.TELL_WALK_AWAY)
    channel = ALERTS if on_alert else CHANNEL
    payload["channel"] = {"id": channel, "name": "deals"}
    payload["container"] = {"type": "message", "message_ts": deal["alert"].ts if on_alert else "1.2",
                            "channel_id": channel, "is_ephemeral": not on_alert}
    if on_alert:
        payload["message"] = {"type": "message", "ts": deal["alert"].ts, "text": deal["alert"].text,
                              "blocks": deal["alert"].blocks}
    payload["response_url"] = standin.response_url("mutated-action")
    payload["actions"] = [{**payload["actions"][0], "action_id": str(action_id), "value": value}]
    return payload


def view_submission() -> dict[str, Any]:
    payload = copy.deepcopy(slack_payload("test_view_submission__body"))
    payload["team"] = {"id": TEAM, "domain": "example"}
    payload["user"].update(id=REP, team_id=TEAM)
    values = {Block.NAME: "beta", Block.LIST: "100k", Block.FLOOR: "80k", Block.TARGET: "", Block.CAP: "",
              Block.CUSTOMER: "Beta Inc"}
    payload["view"].update(callback_id=str(View.NEW_DEAL), team_id=TEAM, app_installed_team_id=TEAM,
                           private_metadata=NewDealForm(channel_id=CHANNEL).dump(),
                           state={"values": {str(block): {f"{block}-input": {"type": "plain_text_input",
                                                                              "value": value}}
                                             for block, value in values.items()}})
    return payload


def message_shortcut(deal: dict[str, Any], standin) -> dict[str, Any]:  # noqa: ANN001
    payload = copy.deepcopy(slack_payload("test_shortcut__message_shortcut_body"))
    payload.update(callback_id=str(Shortcut.COACH_MESSAGE), team={"id": TEAM, "domain": "example"},
                   user={"id": REP, "name": "rep", "team_id": TEAM}, channel={"id": CHANNEL, "name": "deals"},
                   response_url=standin.response_url("mutated-shortcut"))
    payload["message"].update(text="can you do 30% off?", ts="1700000099.000200", thread_ts=deal["card_ts"],
                              team=TEAM, user="U0CUSTOMER")
    return payload


def event(name: str, deal: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(slack_payload(name))
    body.pop("enterprise_id", None)
    body.update(team_id=TEAM)
    for authorization in body.get("authorizations") or []:
        authorization.update(team_id=TEAM, enterprise_id=None)
    inner = body.get("event")
    if isinstance(inner, dict):
        if "user" in inner:
            inner["user"] = REP
        if "channel" in inner and inner.get("type") == "message":
            inner.update(channel=CHANNEL, thread_ts=deal["card_ts"], text="they want another 15% off")
        if isinstance(inner.get("message"), dict):
            inner["message"].update(user=REP, thread_ts=deal["card_ts"], text="they want 20% off now")
            inner["channel"] = CHANNEL
    return body


EVENTS = [
    "test_message__message_body",  # a reply in the deal's thread
    "test_message_changed__event_payload",
    "test_message_deleted__event_payload",
    "test_message_bot__bot_message_event_payload",
    "test_message_thread_broadcast__event_payload",
    "test_message_file_share__event_payload",
    "test_payload_utils__app_home_opened_home_body",
    "test_payload_utils__app_home_opened_messages_body",
    "test_events_url_verification__event_body",
]


def channel_shared_event() -> dict[str, Any]:
    return {"token": "t", "team_id": TEAM, "api_app_id": "A0DEALCOACH", "type": "event_callback",
            "event_id": "Ev0SHARED", "event_time": 1700000500,
            "event": {"type": "channel_shared", "connected_team_id": "T0CUSTOMER", "channel": CHANNEL,
                      "event_ts": "1700000500.000100"}}


def with_event_id(body: Any, n: int) -> Any:
    """A fresh event id, so each mutation is handled rather than skipped as a retry."""
    if isinstance(body, dict) and isinstance(body.get("event_id"), str):
        body["event_id"] = f"{body['event_id']}-{n}"
    return body


# The properties ---------------------------------------------------------------------------------------------


COMMAND_FIELDS = ["token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name", "command",
                  "text", "response_url", "trigger_id", "api_app_id", "is_enterprise_install", "enterprise_id"]


@mutations(60)
@given(data=st.data())
def test_a_malformed_slash_command_is_never_a_server_error(server, slack, standin, deal, caplog,  # noqa: ANN001
                                                           data: st.DataObject) -> None:
    caplog.set_level(logging.INFO)
    fields = dict(parse_qsl(slack_payload("test_slash_command__slash_command_body"), keep_blank_values=True))
    fields.update(team_id=TEAM, user_id=REP, channel_id=CHANNEL, command="/deal",
                  text=data.draw(st.sampled_from(["status acme", "concede acme 5%", "new", "list", "help"])),
                  response_url=standin.response_url("mutated-command"))
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        field = data.draw(st.sampled_from(COMMAND_FIELDS))
        operation = data.draw(st.sampled_from(["drop", "empty", "huge", "odd", "unknown-command"]))
        if operation == "drop":
            fields.pop(field, None)
        elif operation == "empty":
            fields[field] = ""
        elif operation == "huge":
            fields[field] = data.draw(st.sampled_from(["x" * HUGE, "é" * HUGE, "9" * 400]))
        elif operation == "odd":
            fields[field] = str(data.draw(odd_values))
        else:
            fields["command"] = data.draw(st.sampled_from(["/other", "", "deal", "/DEAL"]))
    extra = data.draw(st.dictionaries(st.sampled_from(["extra", "payload", "type", "event"]), odd_strings,
                                      max_size=2))
    check(server, slack, caplog, "slash command", urlencode({**fields, **extra}), FORM)


ACTIONS = [str(a) for a in (Action.APPROVE_EXCEPTION, Action.TELL_WALK_AWAY, Action.PRICE_CHART, Action.LOG_ASK,
                            Action.LOG_CONCESSION, Action.DISMISS)]


@mutations(80)
@given(data=st.data())
def test_a_malformed_button_click_is_never_a_server_error(server, slack, standin, deal, caplog,  # noqa: ANN001
                                                          data: st.DataObject) -> None:
    caplog.set_level(logging.INFO)
    base = block_actions(deal, standin, data.draw(st.sampled_from(ACTIONS)))
    payload = data.draw(mutated(base, id_fields=("action_id", "type", "value")))
    check(server, slack, caplog, "button click", urlencode({"payload": json.dumps(payload)}), FORM)


@mutations(60)
@given(data=st.data())
def test_a_malformed_modal_submission_is_never_a_server_error(server, slack, standin, deal, caplog,  # noqa: ANN001
                                                              data: st.DataObject) -> None:
    caplog.set_level(logging.INFO)
    payload = data.draw(mutated(view_submission(), id_fields=("callback_id", "type", "private_metadata",
                                                              "block_id", "action_id")))
    check(server, slack, caplog, "modal submission", urlencode({"payload": json.dumps(payload)}), FORM)


@mutations(50)
@given(data=st.data())
def test_a_malformed_message_shortcut_is_never_a_server_error(server, slack, standin, deal, caplog,  # noqa: ANN001
                                                              data: st.DataObject) -> None:
    caplog.set_level(logging.INFO)
    payload = data.draw(mutated(message_shortcut(deal, standin), id_fields=("callback_id", "type")))
    check(server, slack, caplog, "message shortcut", urlencode({"payload": json.dumps(payload)}), FORM)


@mutations(80)
@given(data=st.data())
def test_a_malformed_event_is_never_a_server_error(server, slack, deal, caplog,  # noqa: ANN001
                                                   data: st.DataObject) -> None:
    caplog.set_level(logging.INFO)
    name = data.draw(st.sampled_from([*EVENTS, "channel_shared"]))
    base = channel_shared_event() if name == "channel_shared" else event(name, deal)
    body = with_event_id(data.draw(mutated(base, id_fields=("type", "subtype", "tab"))), TRIED.get("event", 0))
    check(server, slack, caplog, "event", json.dumps(body), JSON)


OTHER_PAYLOADS = ["test_shortcut__global_shortcut_body", "test_view_closed__body", "test_block_suggestion__body",
                  "test_events_assistant__thread_started_event_body"]


@mutations(30)
@given(data=st.data())
def test_a_payload_we_do_not_subscribe_to_is_never_a_server_error(server, slack, caplog,  # noqa: ANN001
                                                                  data: st.DataObject) -> None:
    caplog.set_level(logging.INFO)
    name = data.draw(st.sampled_from(OTHER_PAYLOADS))
    payload = data.draw(mutated(slack_payload(name)))
    if "event" in name:
        check(server, slack, caplog, "unsubscribed", json.dumps(payload), JSON)
    else:
        check(server, slack, caplog, "unsubscribed", urlencode({"payload": json.dumps(payload)}), FORM)


@mutations(40)
@given(body=st.one_of(
    st.sampled_from(["", "{", "[]", "null", "42", '"text"', "[1, 2]", '{"type": null}', '{"type": 5}',
                     '{"event": []}', '{"type": "event_callback", "event": "message"}',
                     '{"type": "url_verification"}', '{"type": "url_verification", "challenge": {"a": 1}}',
                     "payload=", "payload=%7B", "payload=%5B%5D", "payload=null", "payload=42",
                     "payload=%7B%22type%22%3A%22block_actions%22%7D", "payload=%7B%22type%22%3A5%7D",
                     "command=%2Fdeal", "text=status", "a=b&a=c", "%FF%FE", "payload=%FF"]),
    st.text(max_size=200)), content_type=st.sampled_from([FORM, JSON, "text/plain", ""]))
def test_a_body_that_is_not_slacks_at_all_is_never_a_server_error(server, slack, caplog,  # noqa: ANN001
                                                                   body: str, content_type: str) -> None:
    caplog.set_level(logging.INFO)
    check(server, slack, caplog, "raw body", body, content_type)


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00payload=", b"payload=\xc3\x28", b"\x80" * 64])
def test_a_body_that_is_not_utf8_is_refused_never_a_server_error(server, caplog, raw: bytes) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    for headers in ({"content-type": FORM, **sign(SIGNING_SECRET, raw)}, {"content-type": FORM}):
        status, _ = post_raw(server, raw, headers)
        assert 400 <= status < 500, status
    assert failures_logged(caplog.records) == []



# Values we wrote into buttons and forms, coming back as we did not write them ---------------------------------

BAD_VALUES = [
    "", "null", "[]", "5", '"x"', "{", '{"deal_id": null}', '{"deal_id": "one"}', '{"deal_id": -1, "seq": 1}',
    '{"deal_id": 0, "seq": 0}', '{"deal_id": 99999999999999999999, "seq": 1}', '{"deal_id": 1e30, "seq": 1}',
    '{"deal_id": 1, "seq": 99999999999999999999}', '{"deal_id": 2147483648, "seq": 1}',
    '{"deal_id": 1, "seq": 1, "extra": true}', '{"deal_id": 1, "text": "' + "t" * 5000 + '", "concession": "10%"}',
    '{"deal_id": 1, "text": "", "concession": "cut 99999999999999999"}',
    '{"deal_id": 1, "text": " ", "concession": "a hug"}', '{"deal_id": 1, "text": "", "concession": ""}',
    '{"deal_id": 1, "text": "   ", "concession": "free "}',
]


@pytest.mark.parametrize("action_id", ACTIONS)
def test_a_button_value_we_did_not_write_is_refused_never_a_server_or_database_error(
        server, slack, standin, container, deal, caplog, action_id: str) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    before = snapshot(container, ("deal", "ledger_entry", "decision"))
    for value in BAD_VALUES:
        payload = block_actions(deal, standin, action_id)
        payload["actions"][0]["value"] = value
        check(server, slack, caplog, "button value", urlencode({"payload": json.dumps(payload)}), FORM)
    assert snapshot(container, ("deal", "ledger_entry", "decision")) == before
    told = json.dumps([m.blocks for m in standin.ephemerals()] + standin.responses(), ensure_ascii=False)
    assert "could not reach its database" not in told and "Something went wrong" not in told


BAD_METADATA = ["", "null", "{}", '"C0DEALS"', '{"channel_id": 5}', '{"channel_id": "' + "C" * 100 + '"}',
                '{"channel_id": "C0 DEALS"}', '{"channel_id": "C0DEALS", "extra": 1}', "x" * 4000]


def test_form_metadata_we_did_not_write_is_an_error_beside_the_name_and_opens_nothing(
        server, slack, container, deal, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    before = snapshot(container, ("deal", "ledger_entry", "outbox"))
    for metadata in BAD_METADATA:
        payload = view_submission()
        payload["view"]["private_metadata"] = metadata
        status, raw = post(server, urlencode({"payload": json.dumps(payload)}), FORM)
        assert status == 200, (metadata, status)
        assert json.loads(raw)["response_action"] == "errors", (metadata, raw)
        assert list(json.loads(raw)["errors"]) == [str(Block.NAME)]
    assert failures_logged(caplog.records) == []
    assert snapshot(container, ("deal", "ledger_entry", "outbox")) == before


def test_a_modal_submission_that_names_no_workspace_or_user_opens_nothing(server, slack, container,  # noqa: ANN001
                                                                           deal, caplog) -> None:
    caplog.set_level(logging.INFO)
    before = snapshot(container, ("workspace", "deal", "ledger_entry", "outbox"))
    for drop in (("team", "user"), ("user",)):
        payload = view_submission()
        for key in drop:
            payload.pop(key)
        payload["view"].pop("team_id")
        status, raw = post(server, urlencode({"payload": json.dumps(payload)}), FORM)
        assert status == 200 and json.loads(raw)["response_action"] == "errors", raw
    assert failures_logged(caplog.records) == []
    assert snapshot(container, ("workspace", "deal", "ledger_entry", "outbox")) == before


def test_a_reply_the_worker_cannot_post_fails_for_good_without_stopping_delivery(slack, container,  # noqa: ANN001
                                                                                 deal) -> None:
    # The Slack layer refuses such a response_url (`bot.slack.app.payload_problem`); the worker must not rely on it.
    container.services.notices.respond(Actor(TEAM, REP, CHANNEL), "http://[not-a-host", None)
    slack.command("concede acme 1% for a logo", user=REP)
    slack.deliver()  # raises today: the bad reply stops the drain
    with container.engine.connect() as connection:
        waiting = connection.execute(text(
            "SELECT kind FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL")).scalars().all()
    assert waiting == [], "every message was either delivered or failed for good"


def test_a_response_url_that_is_not_a_url_is_refused_before_anything_is_queued(server, slack, standin,  # noqa: ANN001
                                                                                container, deal, caplog) -> None:
    caplog.set_level(logging.INFO)
    before = snapshot(container, ("outbox",))
    for url in ("", "not a url", "javascript:alert(1)", "http://[not-a-host", "https://hooks.slack.com:port/x",
                "ftp://example.com/x", "http://", "x" * 3000):
        payload = block_actions(deal, standin, str(Action.DISMISS))
        payload["response_url"] = url
        status, _ = post(server, urlencode({"payload": json.dumps(payload)}), FORM)
        assert status == 400, url
    assert snapshot(container, ("outbox",)) == before
    assert failures_logged(caplog.records) == []


@pytest.mark.parametrize("name", sorted(p.stem for p in PAYLOADS.glob("*.json")))
def test_every_shape_slack_sends_passes_the_payload_check(name: str) -> None:
    """The check that refuses malformed payloads refuses none of Slack's own (bolt-python's test bodies)."""
    payload = slack_payload(name)
    if isinstance(payload, str):
        payload = dict(parse_qsl(payload, keep_blank_values=True))
    assert payload_problem(payload) is None


def test_a_block_suggestion_whose_action_id_is_not_text_is_refused_before_bolts_matchers_read_it() -> None:
    payload = copy.deepcopy(slack_payload("test_block_suggestion__body"))
    payload["action_id"] = False  # found by the fuzzer above: Bolt's matcher failed on it with a 500
    assert payload_problem(payload) == "`body.action_id` is a bool, not text"
