"""Setup in Slack: a manager sees and saves the managers, the alert and digest channels and the digest's day and
hour from the App Home; `/deal policy` takes a channel by its link or its name; channels and people show as
Slack mentions."""

from __future__ import annotations

from typing import Any

from conftest import ALERTS, MANAGER, OTHER_REP, REP, TEAM
from sqlalchemy import text
from test_block_kit import assert_valid

from bot.render.plaintext import view_to_text
from bot.slack.ids import Action, SetupBlock

DIGESTS = "C0DIGESTS"


def snapshot(container) -> list[tuple[Any, ...]]:  # noqa: ANN001
    with container.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT * FROM workspace ORDER BY team_id"))]


def policy_of(container):  # noqa: ANN001, ANN201
    with container.uow(TEAM, read_only=True) as uow:
        return uow.workspaces.policy()


def element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(block["element"] for block in view["blocks"] if block.get("block_id") == block_id)


def picked(*, managers: list[str] | None = None, alert: str | None = None, digest: str | None = None,
           day: str | None = None, hour: int | None = None) -> dict[str, dict[str, Any]]:
    """The view's state as Slack sends it with a Home's block_actions: one entry per input the person touched."""
    state: dict[str, dict[str, Any]] = {}
    if managers is not None:
        state[SetupBlock.MANAGERS] = {Action.SETUP_MANAGERS: {"type": "multi_users_select",
                                                               "selected_users": managers}}
    for block, action, channel in ((SetupBlock.ALERT_CHANNEL, Action.SETUP_ALERT_CHANNEL, alert),
                                   (SetupBlock.DIGEST_CHANNEL, Action.SETUP_DIGEST_CHANNEL, digest)):
        if channel is not None:
            state[block] = {action: {"type": "conversations_select", "selected_conversation": channel}}
    for block, action, value, label in ((SetupBlock.DIGEST_DAY, Action.SETUP_DIGEST_DAY, day, day),
                                        (SetupBlock.DIGEST_HOUR, Action.SETUP_DIGEST_HOUR,
                                         None if hour is None else str(hour), f"{hour:02d}:00" if hour else "")):
        if value is not None:
            option = {"text": {"type": "plain_text", "text": label, "emoji": True}, "value": value}
            state[block] = {action: {"type": "static_select", "selected_option": option}}
    return state


# The Home's setup ------------------------------------------------------------------------------------------


def test_a_managers_home_shows_the_setup_with_the_values_in_force(slack, container) -> None:
    slack.command(f"policy managers=<@{MANAGER}> <@{OTHER_REP}> alert_channel=<#{ALERTS}|deal-alerts> "
                  f"digest_channel=<#{DIGESTS}> digest_day=wed digest_hour=14", user=MANAGER)
    view = slack.open_home(MANAGER)
    assert element(view, SetupBlock.MANAGERS)["initial_users"] == [MANAGER, OTHER_REP]
    assert element(view, SetupBlock.ALERT_CHANNEL)["initial_conversation"] == ALERTS
    assert element(view, SetupBlock.DIGEST_CHANNEL)["initial_conversation"] == DIGESTS
    assert element(view, SetupBlock.DIGEST_DAY)["initial_option"]["value"] == "wed"
    hour = element(view, SetupBlock.DIGEST_HOUR)
    assert hour["initial_option"]["value"] == "14" and len(hour["options"]) == 24
    shown = view_to_text(view)
    assert "Digest day: <Wednesday ▾>" in shown and "Digest hour: <14:00 ▾>" in shown and "[Save setup]" in shown
    assert f"Also managers, through the server's settings: <@{MANAGER}>" in str(view["blocks"])
    assert_valid(view["blocks"], "the manager's Home")


def test_a_setup_without_an_alert_channel_names_the_servers_default_as_a_channel_mention(slack) -> None:
    shown = str(slack.open_home(MANAGER)["blocks"])
    assert f"Until you pick one, alerts go to <#{ALERTS}> (the server's default)." in shown


def test_saving_the_setup_from_the_home_changes_the_policy_and_the_home_says_so(slack, container) -> None:
    view = slack.open_home(MANAGER)
    answer = slack.press_in_home(view, Action.SAVE_SETUP, picked(
        managers=[MANAGER, OTHER_REP], alert="C0NEWALERTS", digest=DIGESTS, day="fri", hour=8), user=MANAGER)
    assert answer.status == 200
    policy = policy_of(container)
    assert (policy.managers, policy.alert_channel, policy.digest_channel) == ((MANAGER, OTHER_REP), "C0NEWALERTS",
                                                                              DIGESTS)
    assert (policy.digest_day, policy.digest_hour) == ("fri", 8)
    again = slack.standin.home_view(MANAGER)
    assert "Setup saved." in view_to_text(again)
    assert element(again, SetupBlock.ALERT_CHANNEL)["initial_conversation"] == "C0NEWALERTS"
    reply = slack.command("policy", user=REP).text
    assert "`alert_channel` = <#C0NEWALERTS>" in reply and f"<@{OTHER_REP}>" in reply
    assert "`digest_day` = Friday" in reply and "`digest_hour` = 08:00" in reply


def test_a_home_left_open_saves_only_what_was_changed_in_it(slack, container) -> None:
    stale = slack.open_home(MANAGER)
    slack.command("policy alert_channel=<#C0LATER>", user=MANAGER)
    # Slack's state holds every input, untouched ones at the values the Home showed: only the day moved.
    slack.press_in_home(stale, Action.SAVE_SETUP, picked(managers=[], alert=None, day="tue", hour=9), user=MANAGER)
    policy = policy_of(container)
    assert (policy.digest_day, policy.alert_channel, policy.managers) == ("tue", "C0LATER", ())


def test_saving_an_unchanged_setup_changes_nothing_and_says_so(slack, container) -> None:
    before = snapshot(container)
    slack.press_in_home(slack.open_home(MANAGER), Action.SAVE_SETUP, picked(managers=[], day="mon", hour=9),
                        user=MANAGER)
    assert snapshot(container) == before
    assert "Nothing to save" in view_to_text(slack.standin.home_view(MANAGER))


def test_a_rep_cannot_save_the_setup_and_is_told_why_on_their_home(slack, container) -> None:
    managers_view = slack.open_home(MANAGER)
    before = snapshot(container)
    slack.press_in_home(managers_view, Action.SAVE_SETUP, picked(managers=[REP], alert="C0MINE"), user=REP)
    assert snapshot(container) == before
    home = view_to_text(slack.standin.home_view(REP))
    assert "Only managers can change the policy." in home
    assert "Setup" not in home and "Save setup" not in home


def test_a_reps_home_has_no_setup_but_names_their_managers_as_mentions(slack) -> None:
    slack.command(f"policy managers=<@{OTHER_REP}>", user=MANAGER)
    view = slack.open_home(REP)
    assert not any(block["type"] == "input" for block in view["blocks"])
    assert f"Your managers: <@{OTHER_REP}> <@{MANAGER}>." in str(view["blocks"])


# `/deal policy` with a channel's name ------------------------------------------------------------------------


def test_a_channel_typed_by_its_name_is_saved_as_that_channel_and_shown_as_its_mention(slack, standin,
                                                                                        container) -> None:
    standin.set_channel("C0DEALALERTS", name="deal-alerts")
    standin.set_channel("C0WEEKLY", name="weekly")
    for typed in ("#deal-alerts", "deal-alerts", "<#C0DEALALERTS|deal-alerts>", "<#C0DEALALERTS|>"):
        slack.command("policy alert_channel=none", user=MANAGER)
        answer = slack.command(f"policy alert_channel={typed} digest_channel=#weekly", user=MANAGER)
        assert ":warning:" not in answer.text, (typed, answer.text)
        assert "`alert_channel` = <#C0DEALALERTS>" in answer.text and "`digest_channel` = <#C0WEEKLY>" in answer.text
        assert (policy_of(container).alert_channel, policy_of(container).digest_channel) == ("C0DEALALERTS",
                                                                                             "C0WEEKLY")
    assert "#deal-alerts" not in answer.text and "C0DEALALERTS>" in answer.text


def test_a_channel_name_is_found_past_the_first_page_of_channels(slack, standin, container) -> None:
    for number in range(450):
        standin.set_channel(f"C1{number:05d}", name=f"team-{number:03d}")
    standin.set_channel("C9LAST", name="zz-deal-alerts")
    slack.command("policy alert_channel=#zz-deal-alerts", user=MANAGER)
    assert policy_of(container).alert_channel == "C9LAST"
    assert len(standin.calls_to("conversations.list")) >= 3, "the lookup went through the pages"


def test_an_unknown_channel_name_is_refused_by_name_and_nothing_is_saved(slack, container) -> None:
    before = snapshot(container)
    answer = slack.command("policy cap=30% alert_channel=#no-such-channel", user=MANAGER)
    assert ":warning:" in answer.text and "no channel named #no-such-channel" in answer.text, answer.text
    assert snapshot(container) == before


def test_a_rep_naming_a_channel_is_refused_without_a_lookup(slack, standin, container) -> None:
    before = snapshot(container)
    answer = slack.command("policy alert_channel=#deal-alerts", user=REP)
    assert "Only managers can change the policy." in answer.text
    assert snapshot(container) == before and not standin.calls_to("conversations.list")


def test_the_policy_reply_shows_channels_and_people_as_mentions(slack) -> None:
    answer = slack.command(f"policy managers=<@{OTHER_REP}|nora> digest_channel=<#{DIGESTS}|weekly>", user=MANAGER)
    assert f"`managers` = <@{OTHER_REP}> <@{MANAGER}>" in answer.text
    assert f"`digest_channel` = <#{DIGESTS}>" in answer.text and f"<#{ALERTS}> (the server's default)" in answer.text


def test_a_channel_name_slack_cannot_look_up_just_now_is_refused_in_words_and_nothing_is_saved(slack, standin,
                                                                                               container) -> None:
    standin.set_channel("C0DEALALERTS", name="deal-alerts")
    standin.fail_next("conversations.list", status=200, error="internal_error")
    before = snapshot(container)
    answer = slack.command("policy alert_channel=#deal-alerts", user=MANAGER)
    assert ":warning:" in answer.text and "Slack did not say which channel #deal-alerts is" in answer.text
    assert snapshot(container) == before
