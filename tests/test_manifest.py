"""manifest.yml is a valid Slack app manifest and declares what the app listens to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7

from bot.config import Settings
from bot.slack.ids import MANIFEST_BOT_EVENTS

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = REPO_ROOT / "manifest.yml"
# Slack's own schema (slackapi/manifest-schema, MIT), copied into tests/fixtures with its licence.
SCHEMA_DIR = REPO_ROOT / "tests" / "fixtures" / "slack" / "manifest-schema"
EVENTS_URL = "https://deal-coach.example.com/slack/events"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema_dir() -> Path:
    # Failing (not skipping) keeps a missing checkout from silently passing the suite.
    if not (SCHEMA_DIR / "schemas").is_dir():
        pytest.fail(f"Slack's manifest schema is missing: expected it in {SCHEMA_DIR} (tests/fixtures)")
    return SCHEMA_DIR


def _load_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _refs(node: Any) -> list[str]:
    """Every $ref in a schema document, depth first."""
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _offline_registry(schema_dir: Path) -> Registry:
    """The top-level schema names each version by an internet URL; map those URLs to the local files.

    Each versioned file has no $id and only "#/definitions/..." references, so it resolves within
    itself; anything else that would be fetched is refused instead.
    """

    def refuse(uri: str) -> Resource:
        # referencing's attrs classes reach type checkers through a dataclass_transform mypy does not read.
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]

    registry = Registry(retrieve=refuse)  # type: ignore[call-arg]
    top = _load_json(schema_dir / "manifest.schema.json")
    for url in _refs(top):
        local = schema_dir / "schemas" / url.rsplit("/", 1)[-1]
        if local.is_file():
            resource = Resource.from_contents(_load_json(local), default_specification=DRAFT7)
            registry = registry.with_resource(url, resource)
    return registry


def _schema_errors(validator: Draft7Validator, manifest: dict[str, Any]) -> list[str]:
    errors = sorted(validator.iter_errors(manifest), key=lambda error: list(error.absolute_path))
    # A failed oneOf repeats the whole manifest in its message; the start is enough to find the cause.
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}" for e in errors]


def test_manifest_matches_its_versioned_schema(manifest: dict[str, Any], schema_dir: Path) -> None:
    major = manifest.get("_metadata", {}).get("major_version", 1)
    schema_path = schema_dir / "schemas" / f"manifest.schema.{major}.0.0.json"
    assert schema_path.is_file(), f"no schema for manifest major_version {major}: {schema_path}"
    validator = Draft7Validator(_load_json(schema_path), registry=_offline_registry(schema_dir))
    assert _schema_errors(validator, manifest) == []


def test_manifest_matches_the_all_versions_schema_offline(manifest: dict[str, Any], schema_dir: Path) -> None:
    # Also proves the version switch at the top picks exactly one versioned schema for this manifest.
    top = _load_json(schema_dir / "manifest.schema.json")
    validator = Draft7Validator(top, registry=_offline_registry(schema_dir))
    assert _schema_errors(validator, manifest) == []


def test_slash_command_is_deal_with_escaped_mentions(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/deal"
    assert command["should_escape"] is True
    assert command["url"] == EVENTS_URL
    assert command["usage_hint"].split(" | ")[0] == "new"


def test_message_shortcut_coaches_a_message(manifest: dict[str, Any]) -> None:
    (shortcut,) = manifest["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["name"]) == ("message", "Coach this message")
    assert shortcut["callback_id"] == "coach-message"


def test_bot_events_are_exactly_those_the_app_handles(manifest: dict[str, Any]) -> None:
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == sorted(MANIFEST_BOT_EVENTS)


def test_every_request_goes_to_the_one_endpoint(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == EVENTS_URL
    assert settings["interactivity"] == {"is_enabled": True, "request_url": EVENTS_URL}
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_bot_scopes_cover_what_the_app_calls(manifest: dict[str, Any]) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes == {
        "commands",
        "chat:write",
        "chat:write.public",
        "channels:history",
        "groups:history",
        "channels:read",
        "groups:read",
        "users:read",
        "im:write",
        "files:write",
    }


def test_an_install_asks_for_the_manifests_bot_scopes_unless_slack_scopes_says_otherwise(
        manifest: dict[str, Any]) -> None:
    assert Settings(_env_file=None).bot_scopes == manifest["oauth_config"]["scopes"]["bot"]
    assert Settings(_env_file=None, SLACK_SCOPES="").bot_scopes == manifest["oauth_config"]["scopes"]["bot"]
    chosen = Settings(_env_file=None, SLACK_SCOPES="commands, chat:write")
    assert chosen.bot_scopes == ["commands", "chat:write"]


def test_slack_sends_installers_back_to_the_oauth_redirect(manifest: dict[str, Any]) -> None:
    assert manifest["oauth_config"]["redirect_urls"] == ["https://deal-coach.example.com/slack/oauth_redirect"]


def test_app_home_has_both_tabs(manifest: dict[str, Any]) -> None:
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert home["messages_tab_enabled"] is True
    assert manifest["display_information"]["name"] == "Deal Coach"
