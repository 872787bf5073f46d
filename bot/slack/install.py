"""OAuth mode: Bolt's install flow (`GET /slack/install`, `GET /slack/oauth_redirect`) over our installation and
state stores, its token exchange sent to SLACK_API_URL; the installer made a manager."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.redirect_uri_page_renderer import RedirectUriPageRenderer
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.db.installations import DatabaseInstallationStore, DatabaseOAuthStateStore
from bot.render.install import add_to_slack_page, install_failed_page
from bot.services.installs import InstallService

log = logging.getLogger(__name__)
STATE_SECONDS = 600  # from the Add to Slack page to Slack's redirect back


@dataclass
class Install:
    settings: Settings
    store: DatabaseInstallationStore
    states: DatabaseOAuthStateStore
    installs: InstallService

    def bolt_options(self, client: WebClient) -> dict[str, Any]:
        """Bolt's App arguments for OAuth mode. `client` has no token and SLACK_API_URL for its base: the flow's
        `oauth.v2.access` and `auth.test` go there, and each request's client copies it with its workspace's token."""
        secret = self.settings.slack_client_secret
        oauth = OAuthSettings(
            client_id=self.settings.slack_client_id,
            client_secret=secret.get_secret_value() if secret else None,
            scopes=self.settings.bot_scopes,
            user_scopes=[],
            installation_store=self.store,
            installation_store_bot_only=True,
            state_store=self.states,
            state_expiration_seconds=STATE_SECONDS,
            callback_options=CallbackOptions(success=self._installed, failure=self._failed),
            logger=log,
        )
        oauth.redirect_uri_page_renderer = _Pages(install_path=oauth.install_path,
                                                  redirect_uri_path=oauth.redirect_uri_path)
        # Bolt's own authorize, but remembering each token's auth.test: otherwise it asks Slack on every request.
        authorize = InstallationStoreAuthorize(logger=log, installation_store=self.store, bot_only=True,
                                               cache_enabled=True, client=client)
        return {"oauth_flow": _Flow(client=client, logger=log, settings=oauth), "authorize": authorize,
                "installation_store": self.store, "installation_store_bot_only": True}

    def _installed(self, args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        try:
            self.installs.installed(installation.team_id or "", installation.user_id)
        except SQLAlchemyError:  # installed all the same: a manager can be named with `/deal policy`
            log.exception("could not make the installer of workspace %s a manager", installation.team_id)
        log.info("workspace %s installed the app", installation.team_id)
        return args.default.success(args)

    def _failed(self, args: FailureArgs) -> BoltResponse:
        log.warning("an install failed: %s", args.reason)
        return args.default.failure(args)


class _Flow(OAuthFlow):
    """Bolt's flow, its Add to Slack page in our words."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return add_to_slack_page(url)


class _Pages(RedirectUriPageRenderer):
    """Bolt's pages after the redirect, but a failed install says what happened in plain words."""

    def render_failure_page(self, reason: str) -> str:
        # Bolt passes "<reason>: <its explanation>"; the page explains the reason its own way.
        return install_failed_page(reason.partition(":")[0].strip(), self.install_path)
