"""The page a browser shows when an install of the app does not complete: what happened, in plain words, and a
link to start again (Bolt's own page names the internal reason)."""

from __future__ import annotations

import html

_WHY = {
    "access_denied": "The install was cancelled in Slack, so nothing was added.",
    "invalid_browser": "This install was started in another browser, or your browser did not keep its cookie.",
    "invalid_state": "This install link has expired or was already used.",
    "missing_code": "Slack did not confirm the install.",
    "invalid_code": "Slack did not confirm the install.",
    "storage_error": "The install could not be saved. Please try again in a minute.",
}
_UNKNOWN = "Slack did not complete the install."


def install_failed_page(reason: str, install_path: str) -> str:
    why = _WHY.get(reason, _UNKNOWN)
    return f"""<html>
<head><title>Deal Coach was not installed</title>
<style>body {{ padding: 10px 15px; font-family: verdana; text-align: center; }}</style></head>
<body>
<h2>Deal Coach was not installed</h2>
<p>{html.escape(why)}</p>
<p><a href="{html.escape(install_path)}">Start the install again</a></p>
</body>
</html>
"""
