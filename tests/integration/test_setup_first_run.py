"""The first run: no manager named anywhere (neither the policy nor DEALCOACH_MANAGERS), so Slack's admins and
owners act as managers. The Home tells an admin so, first, and lets them name the sales managers; from then on
a sales manager who is no admin may change the policy."""

from __future__ import annotations

import pytest
from conftest import MANAGER, REP, TEAM, make_settings

from bot.config import Settings
from bot.render.plaintext import view_to_text
from bot.slack.ids import Action, SetupBlock

ADMIN = "U0ADMIN"


@pytest.fixture
def settings(standin, database_url) -> Settings:  # noqa: ANN001 - overrides conftest's: nobody is named
    standin.set_user(ADMIN, name="ada", is_admin=True)
    standin.set_user(MANAGER, name="max")
    return make_settings(standin, database_url, DEALCOACH_MANAGERS="", DEALCOACH_ALERT_CHANNEL="")


def test_an_admins_home_says_first_that_admins_act_as_managers_until_sales_managers_are_named(slack) -> None:
    view = slack.open_home(ADMIN)
    first = view_to_text({**view, "blocks": view["blocks"][:2]})
    assert "Setup" in first and "No managers are named yet" in first and "admins and owners" in first
    assert "No alert channel yet: managers are not alerted." in view_to_text(view)


def test_a_sales_manager_who_is_no_admin_sees_no_setup_and_is_told_who_acts_as_managers(slack) -> None:
    view = slack.open_home(MANAGER)
    assert not any(block["type"] == "input" for block in view["blocks"])
    assert "Your managers: none named yet, so your Slack workspace's admins and owners." in view_to_text(view)


def test_an_admin_names_the_sales_manager_from_the_home_who_may_then_change_the_policy(slack, container) -> None:
    assert "Only managers can change the policy." in slack.command("policy cap=25%", user=MANAGER).text
    view = slack.open_home(ADMIN)
    state = {SetupBlock.MANAGERS: {Action.SETUP_MANAGERS: {"type": "multi_users_select",
                                                            "selected_users": [MANAGER]}},
             SetupBlock.ALERT_CHANNEL: {Action.SETUP_ALERT_CHANNEL: {"type": "conversations_select",
                                                                      "selected_conversation": "C0DEALALERTS"}}}
    slack.press_in_home(view, Action.SAVE_SETUP, state, user=ADMIN)
    with container.uow(TEAM, read_only=True) as uow:
        policy = uow.workspaces.policy()
    assert (policy.managers, policy.alert_channel) == ((MANAGER,), "C0DEALALERTS")

    answer = slack.command("policy cap=25%", user=MANAGER)
    assert ":warning:" not in answer.text and "Policy updated" in answer.text
    admins_home = slack.standin.home_view(ADMIN)  # saved; the admin is no manager any more, so no setup
    assert "Setup saved." in view_to_text(admins_home)
    assert not any(block["type"] == "input" for block in admins_home["blocks"])
    assert f"Your managers: <@{MANAGER}>." in str(admins_home["blocks"])
    assert "Only managers" in slack.command("policy cap=30%", user=ADMIN).text
    assert any(block["type"] == "input" for block in slack.open_home(MANAGER)["blocks"])
    assert not any(block["type"] == "input" for block in slack.open_home(REP)["blocks"])
