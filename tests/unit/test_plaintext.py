"""The terminal's view of Slack messages (`dealcoach demo` and `console`)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.render import plaintext

RENDER = Path(plaintext.__file__).parent


def test_every_emoji_deal_coach_writes_shows_as_an_emoji_in_the_terminal() -> None:
    written = {name for path in RENDER.glob("*.py") if path.name != "plaintext.py"
               for name in re.findall(r":([a-z][a-z0-9_]+):", path.read_text()) if name != "name"}
    assert written and written <= set(plaintext._EMOJI), sorted(written - set(plaintext._EMOJI))
