"""The install's pages in a browser: the Add to Slack page, and the one shown when an install does not complete,
saying what happened in plain words with a link to start again (Bolt's own names the internal reason)."""

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
_STYLE = "<style>body { padding: 10px 15px; font-family: verdana; text-align: center; }</style>"
_BUTTON = ('<img alt="Add to Slack" height="40" width="139" src="https://platform.slack-edge.com/img/add_to_slack.png" '
           'srcset="https://platform.slack-edge.com/img/add_to_slack.png 1x, '
           'https://platform.slack-edge.com/img/add_to_slack@2x.png 2x" />')


def add_to_slack_page(authorize_url: str) -> str:
    return f"""<html>
<head><title>Add Deal Coach to Slack</title>{_STYLE}</head>
<body>
<h2>Add Deal Coach to Slack</h2>
<p>Deal Coach keeps your sales reps from giving deals away: a walk-away floor, a ledger of what was given and got,
and coaching on what to say next. The person who adds it becomes one of the workspace's managers.</p>
<p><a href="{html.escape(authorize_url)}">{_BUTTON}</a></p>
</body>
</html>
"""


def install_failed_page(reason: str, install_path: str) -> str:
    why = _WHY.get(reason, _UNKNOWN)
    return f"""<html>
<head><title>Deal Coach was not installed</title>{_STYLE}</head>
<body>
<h2>Deal Coach was not installed</h2>
<p>{html.escape(why)}</p>
<p><a href="{html.escape(install_path)}">Start the install again</a></p>
</body>
</html>
"""
