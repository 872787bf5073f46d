"""The Slack stand-in answers slack_sdk's real WebClient as Slack would; the text renderer reads well."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.render.plaintext import blocks_to_text, buttons, view_to_text
from bot.standin import SlackStandIn


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        yield running


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    assert standin.base_url is not None, "started"
    return WebClient(token=standin.token, base_url=standin.base_url)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _error_of(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


def test_post_then_update_round_trips(standin: SlackStandIn, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C100", text="first", blocks=[_section("*card*")])
    assert posted["channel"] == "C100"
    client.chat_update(channel="C100", ts=posted["ts"], text="second", blocks=[_section("new card")])

    (message,) = standin.messages("C100")
    assert (message.ts, message.text, message.updated) == (posted["ts"], "second", True)
    assert message.blocks == [_section("new card")]
    assert message.user == standin.bot_user_id
    assert standin.calls_to("chat.update")[0].params["blocks"] == [_section("new card")]


def test_timestamps_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C100", text=str(n))["ts"] for n in range(3)]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 3


def test_concurrent_posts_all_land_with_distinct_timestamps(standin: SlackStandIn, client: WebClient) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda n: client.chat_postMessage(channel="C100", text=str(n)), range(40)))
    stamps = [answer["ts"] for answer in answers]
    assert len(set(stamps)) == 40
    assert len(standin.messages("C100")) == 40


def test_update_of_an_unknown_message_is_refused(client: WebClient) -> None:
    error = _error_of(lambda: client.chat_update(channel="C100", ts="1.000001", text="x"))
    assert error.response["error"] == "message_not_found"


def test_thread_replies_carry_their_thread_ts(standin: SlackStandIn, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C100", text="deal card")["ts"]
    client.chat_postMessage(channel="C100", thread_ts=parent, text="recorded: 5% for a 2-year term")

    (reply,) = standin.messages("C100", thread_ts=parent)
    assert reply.thread_ts == parent and reply.text.startswith("recorded")
    assert [m.ts for m in standin.messages("C100", include_threads=False)] == [parent]
    assert len(standin.messages("C100")) == 2


def test_ephemeral_is_kept_apart_from_channel_messages(standin: SlackStandIn, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C100", user="U0REP", text="only you see this")
    assert answer["message_ts"]
    assert standin.messages("C100") == []
    (ephemeral,) = standin.ephemerals("U0REP")
    assert (ephemeral.channel, ephemeral.ephemeral_to) == ("C100", "U0REP")


def test_rate_limit_surfaces_as_429_with_retry_after(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail_next("chat.postMessage", status=429, retry_after=7)
    error = _error_of(lambda: client.chat_postMessage(channel="C100", text="hello"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "7"
    assert error.response["error"] == "ratelimited"
    assert standin.messages() == []


def test_rate_limit_retry_handler_gets_through(standin: SlackStandIn, client: WebClient) -> None:
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    standin.fail_next("chat.postMessage", status=429, retry_after=0)
    assert client.chat_postMessage(channel="C100", text="hello")["ok"] is True
    assert len(standin.calls_to("chat.postMessage")) == 2
    assert len(standin.messages("C100")) == 1


def test_server_error_and_ok_false_faults(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail_next("chat.postMessage", status=503)
    standin.fail_next("chat.postMessage", status=200, error="channel_not_found")
    assert _error_of(lambda: client.chat_postMessage(channel="C100", text="a")).response.status_code == 503
    assert _error_of(lambda: client.chat_postMessage(channel="C100", text="b")).response["error"] == (
        "channel_not_found"
    )
    assert client.chat_postMessage(channel="C100", text="c")["ok"] is True


def test_wrong_token_is_refused(standin: SlackStandIn) -> None:
    assert standin.base_url is not None, "started"
    intruder = WebClient(token="xoxb-wrong", base_url=standin.base_url)
    assert _error_of(lambda: intruder.auth_test()).response["error"] == "invalid_auth"
    assert _error_of(lambda: intruder.chat_postMessage(channel="C100", text="x")).response["error"] == (
        "invalid_auth"
    )
    assert standin.messages() == []


def test_fifty_one_blocks_are_refused(standin: SlackStandIn, client: WebClient) -> None:
    blocks = [_section(f"line {n}") for n in range(51)]
    error = _error_of(lambda: client.chat_postMessage(channel="C100", text="x", blocks=blocks))
    assert error.response["error"] == "invalid_blocks"
    assert client.chat_postMessage(channel="C100", text="x", blocks=blocks[:50])["ok"] is True


def test_oversized_text_is_refused(client: WebClient) -> None:
    long_section = [_section("x" * 3001)]
    assert _error_of(lambda: client.chat_postMessage(channel="C1", text="x", blocks=long_section)).response[
        "error"
    ] == "invalid_blocks"
    assert _error_of(lambda: client.chat_postMessage(channel="C1", text="x" * 40001)).response["error"] == (
        "msg_too_long"
    )
    with pytest.warns(UserWarning):  # slack_sdk itself warns about a message without text
        assert _error_of(lambda: client.chat_postMessage(channel="C1")).response["error"] == "no_text"


def test_a_modal_may_hold_a_hundred_blocks_but_not_more(client: WebClient) -> None:
    blocks = [_section(str(n)) for n in range(100)]
    view = {"type": "modal", "title": {"type": "plain_text", "text": "New deal"}, "blocks": blocks}
    assert client.views_open(trigger_id="1.2.3", view=view)["view"]["id"]
    blocks.append(_section("one too many"))
    assert _error_of(lambda: client.views_open(trigger_id="1.2.3", view=view)).response["error"] == (
        "invalid_blocks"
    )


def test_json_bodies_are_decoded_like_form_bodies(standin: SlackStandIn, client: WebClient) -> None:
    metadata = {"event_type": "deal_card", "event_payload": {"deal_id": 7}}
    client.api_call("chat.postMessage", json={"channel": "C100", "text": "card", "metadata": metadata})
    client.chat_postMessage(channel="C100", text="card", metadata=metadata)
    assert [call.params["metadata"] for call in standin.calls_to("chat.postMessage")] == [metadata, metadata]
    assert standin.messages("C100")[0].metadata == metadata


def test_response_url_records_json_posts(standin: SlackStandIn) -> None:
    body = {"response_type": "ephemeral", "text": "Deal opened", "replace_original": False}
    request = urllib.request.Request(
        standin.response_url("cmd-1"),
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200
    assert standin.responses("cmd-1") == [body]
    assert standin.responses("other") == []


def test_conversations_info_reports_slack_connect(standin: SlackStandIn, client: WebClient) -> None:
    standin.set_channel("C0SHARED", name="acme-deal", is_ext_shared=True)
    shared = client.conversations_info(channel="C0SHARED")["channel"]
    assert (shared["name"], shared["is_ext_shared"]) == ("acme-deal", True)
    assert client.conversations_info(channel="C0PLAIN")["channel"]["is_ext_shared"] is False
    unknown = _error_of(lambda: client.conversations_info(channel="nope"))
    assert unknown.response["error"] == "channel_not_found"


def test_users_info_and_direct_messages(standin: SlackStandIn, client: WebClient) -> None:
    standin.set_user("U0BOSS", name="bea", is_admin=True, tz="Europe/Paris")
    boss = client.users_info(user="U0BOSS")["user"]
    assert (boss["name"], boss["is_admin"], boss["tz"]) == ("bea", True, "Europe/Paris")
    assert client.users_info(user="U0REP")["user"]["is_admin"] is False
    dm = client.conversations_open(users="U0REP")["channel"]["id"]
    assert dm.startswith("D")
    client.chat_postMessage(channel=dm, text="your weekly summary")
    assert standin.messages(dm)[0].text == "your weekly summary"


def test_file_upload_goes_through_the_upload_url(standin: SlackStandIn, client: WebClient) -> None:
    client.files_upload_v2(channel="C100", content="deal,net\nacme,100\n", filename="summary.csv")
    (upload,) = standin.uploads()
    assert (upload.filename, upload.data, upload.channel, upload.completed) == (
        "summary.csv",
        b"deal,net\nacme,100\n",
        "C100",
        True,
    )


def test_wait_for_polls_until_true_or_timeout(standin: SlackStandIn) -> None:
    assert standin.wait_for(lambda: True, timeout=0.1) is True
    assert standin.wait_for(lambda: standin.messages(), timeout=0.05) is False


def test_blocks_to_text_reads_a_deal_card() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "acme-renewal"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Owner* <@U0REP> · <https://acme.example|Acme Corp>"},
            "fields": [
                {"type": "mrkdwn", "text": "*Stage* negotiating"},
                {"type": "mrkdwn", "text": "*Verdict* PUSH BACK"},
                {"type": "plain_text", "text": "Concessions: 2"},
            ],
        },
        {"type": "divider"},
        {"type": "context", "elements": [_mrkdwn("list $120,000"), _mrkdwn("USD")]},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Approve"}},
                {"type": "button", "text": {"type": "plain_text", "text": "Walk away"}},
                {"type": "static_select", "placeholder": _plain("Reason"), "options": []},
            ],
        },
    ]
    assert blocks_to_text(blocks).split("\n") == [
        "acme-renewal",
        "============",
        "Owner @U0REP · Acme Corp",
        "Stage negotiating | Verdict PUSH BACK",
        "Concessions: 2",
        "―" * 40,
        "list $120,000 · USD",
        "[Approve]  [Walk away]  <Reason ▾>",
    ]
    assert blocks_to_text([], fallback="plain fallback") == "plain fallback"


def test_blocks_to_text_shows_mentions_by_the_names_it_is_given_and_others_as_slack_sent_them() -> None:
    blocks = [{"type": "section", "text": _mrkdwn("<@U0REP> asks <@U0MAX|maxine> in <#C0ALERTS> and <#C0ELSE>")}]
    assert blocks_to_text(blocks, names={"U0REP": "rita", "C0ALERTS": "deal-alerts", "U0MAX": "max"}) == \
        "@rita asks @maxine in #deal-alerts and #C0ELSE"
    assert blocks_to_text(None, "<@U0REP> won", names={"U0REP": "rita"}) == "@rita won"


def test_blocks_to_text_numbers_buttons_in_the_order_buttons_lists_them() -> None:
    approve = {"type": "button", "text": _plain("Approve"), "action_id": "a"}
    walk = {"type": "button", "text": _plain("Walk away"), "action_id": "w"}
    chart = {"type": "button", "text": _plain("Chart"), "action_id": "c"}
    blocks: list[dict[str, Any]] = [{"type": "section", "text": _mrkdwn("acme"), "accessory": chart},
                                    {"type": "actions", "elements": [approve, walk]}]
    assert blocks_to_text(blocks, first_button=4).split("\n") == ["acme  [4] Chart", "[5] Approve  [6] Walk away"]
    assert list(buttons(blocks)) == [chart, approve, walk]
    assert "_number" not in approve, "the blocks themselves are left as Slack has them"


def test_blocks_to_text_shows_deal_coachs_emoji_as_emoji() -> None:
    blocks = [{"type": "section", "text": _mrkdwn(":large_orange_circle: Verdict: *ESCALATE* :unknown_one:")}]
    assert blocks_to_text(blocks) == "🟠 Verdict: ESCALATE :unknown_one:"


def test_view_to_text_shows_title_inputs_and_submit() -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "New deal"},
        "submit": {"type": "plain_text", "text": "Open deal"},
        "blocks": [
            {"type": "input", "label": _plain("Floor"), "element": {"type": "plain_text_input"}},
        ],
    }
    assert view_to_text(view) == "New deal\n========\nFloor: ____\n[Open deal]"
