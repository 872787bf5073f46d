"""Loads the prompt templates in `prompts/` once and renders them; the only place prompts are built."""

from __future__ import annotations

from pathlib import Path
from string import Template

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


class Prompts:
    def __init__(self, folder: Path = PROMPTS_DIR) -> None:
        self._templates = {path.stem: Template(path.read_text(encoding="utf-8")) for path in folder.glob("*.txt")}

    def render(self, name: str, **values: str) -> str:
        """Every placeholder must be given: a missing one is a bug, not an empty string."""
        return self._templates[name].substitute(**values)

    def placeholders(self, name: str) -> list[str]:
        return self._templates[name].get_identifiers()

    @property
    def names(self) -> list[str]:
        return sorted(self._templates)


def as_data(words: str, limit: int = 4000) -> str:
    """Chat text for a prompt: it cannot close the tag it is quoted in."""
    return words.replace("<", "‹").replace(">", "›")[:limit]
