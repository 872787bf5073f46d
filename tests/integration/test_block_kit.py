"""Every message and Home tab the bot builds is Block Kit that slack_sdk's own models accept.

The renderers build plain dicts for speed (`bot/render/blocks.py`); this is where the library judges them:
each block is parsed into slack_sdk's model, validated, and must come back unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.demo import play
from bot.standin.workspace import LocalWorkspace
from bot.transcript import ALERTS, DEALS, MANAGER, REP

EXTRA_COMMANDS = ("help", "list", "policy", "status acme", "coach acme what now?", "list all", "nonsense words",
                  "concede nothing 5%", "new", "hours acme 3", "flag acme fit not our buyer", "summary me",
                  "export")


def assert_valid(blocks: list[dict[str, Any]] | None, where: str) -> None:
    for block in blocks or []:
        model = Block.parse(block)
        assert model is not None, f"{where}: slack_sdk does not know {block.get('type')!r}"
        model.validate_json()  # raises SlackObjectFormationError on anything Slack would refuse
        assert model.to_dict() == block, f"{where}: the block does not survive slack_sdk's model unchanged"


@pytest.fixture
def workspace(tmp_path: Path):  # noqa: ANN201
    with LocalWorkspace(f"sqlite:///{tmp_path / 'blocks.db'}", managers=(MANAGER,)) as slack:
        yield slack


def test_every_reply_message_alert_and_home_tab_of_the_whole_demo_is_valid_block_kit(workspace) -> None:
    checked = 0
    for step in play(workspace):
        assert_valid(step.answer.get("blocks"), f"answer to {step.text!r}")
        assert_valid((step.home or {}).get("blocks"), f"Home tab of {step.user}")
        for message in step.delivered:
            assert_valid(message.blocks, f"message after {step.text!r}")
            checked += 1
    for text in EXTRA_COMMANDS:
        assert_valid(workspace.command(REP, text, channel=DEALS).get("blocks"), f"reply to {text!r}")
        workspace.deliver()
    assert checked >= 10, "the negotiation posted cards, notes, alerts and decisions"


def test_a_win_below_the_floor_its_reply_and_its_alert_are_valid_block_kit(workspace) -> None:
    workspace.command(MANAGER, f"policy alert_channel=<#{ALERTS}|deal-alerts>", channel=DEALS)
    workspace.command(REP, "new beta list=100k floor=70k target=90k", channel=DEALS)
    workspace.command(REP, "concede beta 5% for a case study", channel=DEALS)
    workspace.deliver()
    answer = workspace.command(REP, "won beta 60k", channel=DEALS)
    assert_valid(answer.get("blocks"), "reply to a win below the floor")
    delivered = workspace.deliver()
    assert any(seen.message.channel == ALERTS for seen in delivered), "the managers were alerted"
    for seen in delivered:
        assert_valid(seen.message.blocks, "message after a win below the floor")
    assert_valid(workspace.command(REP, "status beta", channel=DEALS).get("blocks"), "status of a closed deal")
