"""The router is the one place a parsed `/deal` command finds its route, the form of `/deal new` included."""

from __future__ import annotations

import json
from typing import get_args

from conftest import CHANNEL, REP, TEAM

from bot.commands import types as commands
from bot.render.blocks import Reply
from bot.services.access import Actor
from bot.slack.forms import OpenForm
from bot.slack.ids import View
from bot.slack.metadata import NewDealForm
from bot.slack.router import CommandRouter

ACTOR = Actor(TEAM, REP, CHANNEL)


def test_every_command_the_parser_can_return_has_a_route(container) -> None:  # noqa: ANN001
    assert set(CommandRouter(container.services)._routes) == set(get_args(commands.Command))


def test_deal_new_alone_is_routed_to_the_new_deal_form_for_the_channel_it_was_typed_in(container) -> None:  # noqa: ANN001
    answer = CommandRouter(container.services).handle(ACTOR, "new", {"trigger_id": "1337.42"})
    assert isinstance(answer, OpenForm)
    assert answer.trigger_id == "1337.42"
    assert answer.view["callback_id"] == View.NEW_DEAL
    assert NewDealForm.load(answer.view["private_metadata"]).channel_id == CHANNEL


def test_deal_new_alone_without_a_trigger_says_how_to_type_the_deal_on_one_line(container) -> None:  # noqa: ANN001
    answer = CommandRouter(container.services).handle(ACTOR, "new")
    assert isinstance(answer, Reply)
    shown = json.dumps(answer.blocks)
    assert "type the deal on one line" in answer.text and "/deal new &lt;name&gt; list=" in shown
    assert "went wrong" not in shown


def test_a_form_slack_will_not_open_is_answered_in_the_acknowledgement_with_the_one_line_way(
        slack, standin, container) -> None:  # noqa: ANN001
    standin.fail_next("views.open", status=200, error="expired_trigger_id")
    answer = slack.command("new", user=REP)
    assert answer.status == 200
    assert "Slack would not open the form" in answer.text and "type the deal on one line" in answer.text
    with container.uow(TEAM) as uow:
        assert uow.deals.list_open() == []
