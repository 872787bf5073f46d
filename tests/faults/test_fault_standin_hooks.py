"""The Slack stand-in's fault injection, as the fault suite relies on it: scripted failures in order, hung
calls a client gives up on (carried out or not), and each call marked with the fault it met."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin import SlackStandIn


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    assert standin.base_url is not None, "started"
    return WebClient(token=standin.token, base_url=standin.base_url, timeout=1, retry_handlers=[])


def test_scripted_failures_are_met_in_order_and_each_call_names_its_fault(
        standin: SlackStandIn, client: WebClient) -> None:
    standin.fail_next("chat.postMessage", status=429, retry_after=2)
    standin.fail_next("chat.postMessage", status=500)
    statuses = []
    for _ in range(3):
        try:
            client.chat_postMessage(channel="C0DEALS", text="hello")
            statuses.append(200)
        except SlackApiError as exc:
            statuses.append(exc.response.status_code)
    assert statuses == [429, 500, 200]
    assert [call.fault for call in standin.calls_to("chat.postMessage")] == ["429", "500", None]
    assert len(standin.messages("C0DEALS")) == 1


@pytest.mark.parametrize("carried_out", [False, True])
def test_a_hung_call_times_the_client_out_and_is_carried_out_only_when_asked(
        standin: SlackStandIn, client: WebClient, carried_out: bool) -> None:
    standin.stall_next("chat.postMessage", 1.5, carried_out=carried_out)
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C0DEALS", text="hello")
    time.sleep(0.7)  # the stand-in answers the hung call after 1.5 s
    assert len(standin.messages("C0DEALS")) == int(carried_out)
    (call,) = standin.calls_to("chat.postMessage")
    assert call.fault == ("stall 1.5s (carried out)" if carried_out else "stall 1.5s")
    client.chat_postMessage(channel="C0DEALS", text="again")  # the script is used up: answered at once
    assert len(standin.messages("C0DEALS")) == int(carried_out) + 1
