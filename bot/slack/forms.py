"""Slack's nested view state flattened to {block_id: value}, read once per submission."""

from __future__ import annotations

from typing import Any


def flatten_state(view: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for element in (actions or {}).values():
            if not isinstance(element, dict):
                continue
            value = element.get("value")
            if value is None and isinstance(element.get("selected_option"), dict):
                value = element["selected_option"].get("value")
            values[block_id] = (value or "").strip()
    return values
