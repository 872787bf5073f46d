"""OAuth mode over real HTTP: workspaces install through the Add to Slack page and the stand-in's oauth.v2.access,
each then works with its own bot token (kept encrypted); a bad or spent state is refused; an uninstall or a revoked
bot token drops that workspace's token and stops its outbox while another workspace keeps working; the installer
manages the workspace."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from conftest import CHANNEL, REP, make_settings
from conftest import SIGNING_SECRET as SECRET
from cryptography.fernet import Fernet
from processes import child_env, free_port
from slack_client import SlackClient
from sqlalchemy import text
from test_serve_process import stop, wait_until_healthy

from bot.bootstrap import Container
from bot.config import Settings
from bot.db.installations import TokenCipher
from bot.db.tables import utcnow
from bot.render.blocks import Reply
from bot.services.access import Actor
from bot.services.installs import UNINSTALLED
from bot.standin import SlackStandIn

CLIENT_ID, CLIENT_SECRET = "1111.2222", "client-secret"
KEY = Fernet.generate_key().decode()
SECOND, SECOND_REP, INSTALLER = "T0SECOND", "U0SECONDREP", "U0INSTALLER"
SECOND_CHANNEL = "C0SECONDDEALS"


@pytest.fixture
def settings(standin: SlackStandIn, database_url: str) -> Settings:
    """The conftest's settings in OAuth mode (SLACK_BOT_TOKEN is left set: it is not used)."""
    standin.set_oauth_app(CLIENT_ID, CLIENT_SECRET)
    return make_settings(standin, database_url, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET,
                         DEALCOACH_TOKEN_KEY=KEY)


def get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, _lower(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers), error.read().decode()


def _lower(headers: object) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}  # type: ignore[attr-defined]


def add_to_slack(server: str) -> tuple[str, dict[str, list[str]], str]:
    """Opens the install page: the Add to Slack link's query, and the state cookie it set in the browser."""
    status, headers, page = get(f"{server}/slack/install")
    assert status == 200
    found = re.search(r'href="(https://slack.com/oauth/v2/authorize[^"]+)"', page)
    assert found is not None, page
    link = html.unescape(found.group(1))
    cookie = headers["set-cookie"].split(";")[0]
    return link, parse_qs(urlsplit(link).query), cookie


def install(server: str, standin: SlackStandIn, team_id: str, installer: str = INSTALLER) -> tuple[int, str]:
    """The whole install as a browser makes it: the page, Slack's Allow (the stand-in's code), the redirect."""
    _, query, cookie = add_to_slack(server)
    code = standin.approve_install(team_id, installer=installer, scopes=query["scope"][0],
                                   bot_user_id=f"U0BOT{team_id[-3:]}")
    status, _, page = get(f"{server}/slack/oauth_redirect?" + urlencode({"code": code, "state": query["state"][0]}),
                          cookie)
    return status, page


def posted_with(standin: SlackStandIn, channel: str) -> set[str | None]:
    return {call.token for call in standin.calls_to("chat.postMessage") if call.params.get("channel") == channel}


def uninstall_event(team_id: str, event: dict) -> dict:
    return {"token": "x", "team_id": team_id, "api_app_id": "A0DEALCOACH", "event": event, "type": "event_callback",
            "event_id": f"Ev{team_id}{event['type']}", "event_time": 1_700_000_000}


def stored_tokens(container: Container) -> dict[str, str]:
    with container.engine.connect() as connection:
        return dict(connection.execute(text("SELECT team_id, bot_token FROM installation")).all())


def test_the_install_page_offers_add_to_slack_with_the_manifests_scopes(server: str, settings: Settings) -> None:
    page = get(f"{server}/slack/install")[2]
    assert "Add Deal Coach to Slack" in page and "becomes one of the workspace's managers" in page
    link, query, cookie = add_to_slack(server)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"][0].split(",") == settings.bot_scopes
    assert cookie == f"slack-app-oauth-state={query['state'][0]}"


def test_a_second_workspace_installs_and_works_with_its_own_token(
        server: str, standin: SlackStandIn, slack: SlackClient) -> None:
    assert install(server, standin, slack.team_id)[0] == 200
    status, page = install(server, standin, SECOND)
    assert status == 200 and "Thank you!" in page
    first_token, = standin.tokens_of(slack.team_id)
    second_token, = standin.tokens_of(SECOND)

    opened = slack.command("new acme list=100k floor=80k", user=SECOND_REP, channel=SECOND_CHANNEL, team_id=SECOND)
    assert "Verdict: *OK*" in opened.text
    slack.command("new globex list=50k floor=40k", user=REP, channel=CHANNEL)
    slack.deliver()

    assert posted_with(standin, SECOND_CHANNEL) == {second_token}, "the second workspace's card, with its token"
    assert posted_with(standin, CHANNEL) == {first_token}
    assert any("acme" in m.text for m in standin.messages(SECOND_CHANNEL, include_threads=False))


def test_installed_bot_tokens_are_kept_encrypted(server: str, standin: SlackStandIn, container: Container) -> None:
    install(server, standin, SECOND)
    token, = standin.tokens_of(SECOND)
    stored = stored_tokens(container)[SECOND]
    assert token not in stored and "xoxb" not in stored
    assert Fernet(KEY.encode()).decrypt(stored.encode()).decode() == token


def test_a_new_key_put_first_still_reads_tokens_sealed_with_the_old_one() -> None:
    new = Fernet.generate_key().decode()
    sealed = TokenCipher([KEY]).encrypt("xoxb-1")
    assert TokenCipher([new, KEY]).decrypt(sealed) == "xoxb-1"
    assert TokenCipher([new]).decrypt(sealed) is None, "an unknown key reads nothing: the workspace installs again"


def test_a_state_that_is_wrong_spent_or_expired_installs_nothing(
        server: str, standin: SlackStandIn, container: Container) -> None:
    _, query, cookie = add_to_slack(server)
    state = query["state"][0]

    def redirect(with_state: str, with_cookie: str) -> int:
        code = standin.approve_install(SECOND, installer=INSTALLER)
        return get(f"{server}/slack/oauth_redirect?" + urlencode({"code": code, "state": with_state}), with_cookie)[0]

    status, _, page = get(f"{server}/slack/oauth_redirect?state=made-up&code=x", "slack-app-oauth-state=made-up")
    assert status == 401  # never issued
    assert "Deal Coach was not installed" in page and "expired or was already used" in page
    assert "invalid_state" not in page, "the page says what happened, not the internal reason"
    assert redirect("made-up", cookie) == 400  # not the state this browser was given
    assert redirect(state, cookie) == 200
    assert redirect(state, cookie) == 401  # used once already

    _, query, cookie = add_to_slack(server)
    with container.engine.begin() as connection:
        connection.execute(text("UPDATE oauth_state SET expires_at = :past"), {"past": utcnow() - timedelta(1)})
    assert redirect(query["state"][0], cookie) == 401
    assert list(stored_tokens(container)) == [SECOND]


@pytest.mark.parametrize("event", [{"type": "app_uninstalled"},
                                   {"type": "tokens_revoked", "tokens": {"bot": ["U0BOTOND"]}}])
def test_an_uninstall_drops_that_workspaces_token_and_stops_its_outbox_only(
        event: dict, server: str, standin: SlackStandIn, slack: SlackClient, container: Container) -> None:
    install(server, standin, slack.team_id)
    install(server, standin, SECOND)
    slack.command("new acme list=100k floor=80k", user=SECOND_REP, channel=SECOND_CHANNEL, team_id=SECOND)
    slack.command("new globex list=50k floor=40k", user=REP, channel=CHANNEL)

    standin.revoke(SECOND)
    assert slack.event(uninstall_event(SECOND, event)).status == 200
    slack.deliver()

    assert list(stored_tokens(container)) == [slack.team_id]
    assert standin.messages(SECOND_CHANNEL) == [], "nothing more is sent to the uninstalled workspace"
    with container.engine.connect() as connection:
        stopped = connection.execute(text("SELECT team_id, last_error FROM outbox WHERE failed_at IS NOT NULL")).all()
        deals = connection.execute(text("SELECT team_id, name FROM deal ORDER BY name")).all()
    assert stopped and {row.team_id for row in stopped} == {SECOND}
    assert {row.last_error for row in stopped} == {UNINSTALLED}
    assert [tuple(row) for row in deals] == [(SECOND, "acme"), (slack.team_id, "globex")], "deals are kept"
    assert any("globex" in m.text for m in standin.messages(CHANNEL)), "the other workspace's card went out"

    answer = slack.command("new initech list=70k floor=50k", user=REP, channel=CHANNEL)
    assert "Verdict: *OK*" in answer.text, "the other workspace keeps working"


def test_a_message_of_a_workspace_without_an_installation_is_stopped_not_retried(
        server: str, standin: SlackStandIn, slack: SlackClient, container: Container) -> None:
    install(server, standin, slack.team_id)
    container.services.notices.private(Actor(SECOND, SECOND_REP, SECOND_CHANNEL), Reply("hello"))
    slack.command("new globex list=50k floor=40k", user=REP, channel=CHANNEL)
    slack.deliver()
    with container.engine.connect() as connection:
        failed = connection.execute(text("SELECT team_id, last_error FROM outbox WHERE failed_at IS NOT NULL")).all()
    assert [tuple(row) for row in failed] == [(SECOND, UNINSTALLED)]
    assert standin.ephemerals(SECOND_REP) == [] and standin.messages(CHANNEL)


def test_a_revoked_user_token_leaves_the_workspaces_bot_token(
        server: str, standin: SlackStandIn, slack: SlackClient, container: Container) -> None:
    install(server, standin, SECOND)
    event = {"type": "tokens_revoked", "tokens": {"oauth": [INSTALLER]}}
    assert slack.event(uninstall_event(SECOND, event)).status == 200
    assert list(stored_tokens(container)) == [SECOND]


def test_the_person_who_installs_manages_the_workspace(
        server: str, standin: SlackStandIn, slack: SlackClient) -> None:
    install(server, standin, SECOND, installer=INSTALLER)
    changed = slack.command("policy cap=30%", user=INSTALLER, channel=SECOND_CHANNEL, team_id=SECOND)
    assert "`cap` = 30%" in changed.text
    refused = slack.command("policy cap=40%", user=SECOND_REP, channel=SECOND_CHANNEL, team_id=SECOND)
    assert "Only managers" in refused.text


def test_single_workspace_mode_has_no_install_pages(standin: SlackStandIn, database_url: str) -> None:
    from bot.bootstrap import build
    from bot.web import make_wsgi

    built = build(make_settings(standin, database_url), pace_seconds=0)
    try:
        app = make_wsgi(built)
        statuses = []

        def start_response(status: str, _headers: list[tuple[str, str]],
                           _exc_info: object = None) -> Callable[[bytes], object]:
            statuses.append(status)
            return lambda _data: None

        for path in ("/slack/install", "/slack/oauth_redirect"):
            app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response)
        assert statuses == ["404 Not Found", "404 Not Found"]
    finally:
        built.close()


@pytest.mark.parametrize(("key", "said"), [(None, "needs DEALCOACH_TOKEN_KEY"), ("not-a-key", "not a Fernet key")])
def test_serve_refuses_oauth_mode_without_a_usable_token_key(tmp_path: Path, key: str | None, said: str) -> None:
    settings = {"PORT": str(free_port()), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                "SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}
    if key is not None:
        settings["DEALCOACH_TOKEN_KEY"] = key
    result = subprocess.run([sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=child_env(**settings),
                            check=False, capture_output=True, text=True, timeout=20)
    assert result.returncode != 0
    assert said in result.stderr and "Fernet.generate_key()" in result.stderr
    assert result.stderr.startswith(("dealcoach serve", "DEALCOACH_TOKEN_KEY")), "the message comes before any log"
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists(), "nothing is started or migrated"


@pytest.mark.slow
def test_serve_installs_a_workspace_across_its_workers_and_posts_with_its_token(
        tmp_path: Path, standin: SlackStandIn) -> None:
    """The production path: gunicorn's two workers, so the install page and the redirect may well meet different
    processes (the state is in the database), and the process's own outbox worker posts the card."""
    standin.set_oauth_app(CLIENT_ID, CLIENT_SECRET)
    port, log = free_port(), tmp_path / "serve.log"
    env = child_env(PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", SLACK_SIGNING_SECRET=SECRET,
                    SLACK_API_URL=standin.base_url or "", SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET,
                    DEALCOACH_TOKEN_KEY=KEY, DEALCOACH_WEB_WORKERS="2")
    with open(log, "wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=env, stdout=sink,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, url, log)
        for _ in range(3):  # a few installs, so both workers are likely to see a part of one
            assert install(url, standin, SECOND)[0] == 200, log.read_text()[-4000:]
        token, = standin.tokens_of(SECOND)
        client = SlackClient(url, SECRET, standin, None, team_id=SECOND)  # type: ignore[arg-type]
        opened = client.command("new acme list=100k floor=80k", user=SECOND_REP, channel=SECOND_CHANNEL)
        assert "Verdict: *OK*" in opened.text
        assert standin.wait_for(lambda: posted_with(standin, SECOND_CHANNEL), timeout=10), log.read_text()[-4000:]
        assert posted_with(standin, SECOND_CHANNEL) == {token}
    finally:
        stop(process)


def test_socket_mode_stays_single_workspace_and_says_so(tmp_path: Path) -> None:
    env = child_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", SLACK_APP_TOKEN="xapp-1", SLACK_BOT_TOKEN="xoxb-1",
                    SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, DEALCOACH_TOKEN_KEY=KEY)
    result = subprocess.run([sys.executable, "-m", "bot", "socket"], cwd=tmp_path, env=env, check=False,
                            capture_output=True, text=True, timeout=20)
    assert result.returncode != 0
    assert result.stderr.startswith("dealcoach socket serves the one workspace of SLACK_BOT_TOKEN")
    assert not (tmp_path / "x.db").exists()
