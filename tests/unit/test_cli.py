"""`dealcoach --help`: every command says what it does and which settings it reads."""

from __future__ import annotations

import pytest

from bot.cli import COMMANDS, SETTINGS, build_parser, main
from bot.config import Settings


def help_of(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_the_top_level_help_lists_every_command_with_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    shown = " ".join(help_of(capsys=capsys).split())
    for name, summary, _, _ in COMMANDS:
        assert f"{name} {summary}" in shown, f"{name} is not described"
    assert "dealcoach demo" in shown, "a newcomer is told where to start"


@pytest.mark.parametrize("name", [command[0] for command in COMMANDS])
def test_each_commands_help_lists_the_settings_it_reads_with_their_defaults(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown = help_of(name, capsys=capsys)
    reads = next(settings for command, _, _, settings in COMMANDS if command == name)
    for setting in reads:
        assert setting in shown
    if "DATABASE_URL" in reads:
        assert "(default: sqlite:///dealcoach.db)" in shown
    if not reads:
        assert "Reads no setting." in shown


def test_every_setting_is_described_for_the_help() -> None:
    aliases = {field.validation_alias for field in Settings.model_fields.values()}
    assert aliases == set(SETTINGS)


def test_a_database_that_cannot_be_reached_is_said_in_a_sentence_not_a_traceback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    with pytest.raises(SystemExit) as refused:
        main(["migrate"])
    assert str(refused.value).startswith("dealcoach migrate could not reach the database at DATABASE_URL: ")
