"""Who sent a request is read one way from every body Slack sends: Slack's own payloads, as the app gets them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bot.services.access import Actor
from bot.slack.actors import actor_from

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "slack" / "payloads" / "bolt_python"


def body(name: str) -> dict[str, Any]:
    """The body Bolt hands a listener: a slash command's form fields as a dict, an interactive payload as is."""
    payload = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))["payload"]
    return dict(parse_qsl(payload, keep_blank_values=True)) if isinstance(payload, str) else copy.deepcopy(payload)


def test_a_slash_command_is_sent_by_its_flat_team_user_and_channel() -> None:
    assert actor_from(body("test_slash_command__slash_command_body")) == Actor("T111", "W111", "C111")


def test_a_button_is_sent_by_its_nested_team_user_and_channel() -> None:
    assert actor_from(body("test_block_actions__body")) == Actor("T111", "W111", "C111")


def test_a_button_whose_body_names_no_channel_takes_its_containers() -> None:
    clicked = body("test_block_actions__body")
    del clicked["channel"]
    assert actor_from(clicked) == Actor("T111", "W111", "C111")


def test_a_message_shortcut_is_sent_from_its_channel_though_its_user_names_no_team() -> None:
    shortcut = body("test_shortcut__message_shortcut_body")
    assert "team_id" not in shortcut["user"]
    assert actor_from(shortcut) == Actor("T111", "W111", "C111")


@pytest.mark.parametrize("name", ["test_view_submission__body", "test_view_submission__response_url_payload_body",
                                  "test_shortcut__global_shortcut_body"])
def test_a_form_or_a_global_shortcut_has_no_channel(name: str) -> None:
    actor = actor_from(body(name))
    assert actor is not None and actor.team_id == "T111" and actor.user_id in ("W111", "U111")
    assert actor.channel_id == ""


def test_the_users_team_stands_in_when_the_body_names_no_team() -> None:
    submitted = body("test_view_submission__body")
    del submitted["team"]
    assert actor_from(submitted) == Actor("T111", "W111", "")


@pytest.mark.parametrize("name", ["test_events_url_verification__event_body", "test_message__message_body",
                                  "test_block_suggestion__response"])
def test_a_body_that_does_not_say_which_user_sent_it_has_no_actor(name: str) -> None:
    assert actor_from(body(name)) is None


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda b: b.update(team={"id": 7}), id="team-id-not-text"),
    pytest.param(lambda b: b.update(user="W111"), id="user-not-an-object"),
    pytest.param(lambda b: b["user"].update(id=""), id="empty-user"),
])
def test_a_sender_of_the_wrong_type_or_empty_is_nobody(tamper) -> None:  # noqa: ANN001
    clicked = body("test_block_actions__body")
    tamper(clicked)
    if isinstance(clicked.get("user"), dict):
        clicked["user"].pop("team_id", None)
    assert actor_from(clicked) is None
