"""Loads the principles (`prompts/principles.toml`) and the plays (`prompts/situations.toml`) once, at start-up."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from bot.coach.types import Play, PlayLine, Principle

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


def load_principles(path: Path | None = None) -> tuple[Principle, ...]:
    data = _toml(path or PROMPTS_DIR / "principles.toml")
    principles = tuple(
        Principle(
            id=item["id"],
            title=item["title"],
            rule=item["rule"],
            applies=tuple(item["applies"]),
            examples=tuple(item["examples"]),
            after=tuple(item.get("after", ())),
        )
        for item in data["principle"]
    )
    ids = [p.id for p in principles]
    if len(set(ids)) != len(ids):
        raise ValueError("principle ids must be unique")
    return principles


def load_plays(principles: tuple[Principle, ...], path: Path | None = None) -> dict[str, Play]:
    """The plays by id; a line citing a principle that does not exist is an error at start-up, not a blank title
    in front of a rep."""
    data = _toml(path or PROMPTS_DIR / "situations.toml")
    known = {p.id for p in principles}
    plays: dict[str, Play] = {}
    for item in data["play"]:
        lines = tuple(PlayLine(line["text"], line["principle"]) for line in item["lines"])
        unknown = {line.principle_id for line in lines} - known
        if unknown:
            raise ValueError(f"play {item['id']!r} cites unknown principles: {sorted(unknown)}")
        if item["id"] in plays:
            raise ValueError(f"play ids must be unique: {item['id']!r}")
        plays[item["id"]] = Play(item["id"], lines)
    return plays


@functools.cache
def _toml(path: Path) -> dict[str, Any]:
    """A prompts file, parsed once per process (each app a process builds reads the same files; only read)."""
    with open(path, "rb") as handle:
        return tomllib.load(handle)
