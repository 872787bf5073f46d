"""Loads the principles from `prompts/principles.toml` once, at start-up."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.coach.types import Principle

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


def load_principles(path: Path | None = None) -> tuple[Principle, ...]:
    with open(path or PROMPTS_DIR / "principles.toml", "rb") as handle:
        data = tomllib.load(handle)
    principles = tuple(
        Principle(
            id=item["id"],
            title=item["title"],
            rule=item["rule"],
            applies=tuple(item["applies"]),
            examples=tuple(item["examples"]),
        )
        for item in data["principle"]
    )
    ids = [p.id for p in principles]
    if len(set(ids)) != len(ids):
        raise ValueError("principle ids must be unique")
    return principles
