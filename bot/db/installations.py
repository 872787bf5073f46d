"""Workspaces installed through OAuth: slack_sdk's installation store and OAuth state store over our database, each
workspace's one bot token encrypted with Fernet (DEALCOACH_TOKEN_KEY), never kept in clear."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.db.engine import reading
from bot.db.tables import InstallationRow, OAuthStateRow, table_of, utcnow

log = logging.getLogger(__name__)
_INSTALLATION = table_of(InstallationRow)
_STATE = table_of(OAuthStateRow)


class TokenCipher:
    """Fernet over the keys of DEALCOACH_TOKEN_KEY: the first encrypts, any decrypts, so a key can be rotated."""

    def __init__(self, keys: list[str]) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, ciphertext: str) -> str | None:
        """The token, or None when no key reads it (the key changed): the workspace must install again."""
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            return None


class InstallationRepository:
    """One workspace's installation, in a unit of work: forgetting it is part of the uninstall's transaction."""

    def __init__(self, connection: Connection, team_id: str) -> None:
        self._connection, self._team_id = connection, team_id

    def remove(self) -> bool:
        """Drops the workspace's bot token; True if it had one."""
        return bool(self._connection.execute(delete(_INSTALLATION).where(
            _INSTALLATION.c.team_id == self._team_id)).rowcount)


class DatabaseInstallationStore(InstallationStore):
    """Bolt's installation store (slack_sdk's interface): one row a workspace, its bot token encrypted. Bot tokens
    only: the app asks for no user scopes, and an org-wide (Enterprise Grid) install is not offered."""

    def __init__(self, sessions: sessionmaker[Session], cipher: TokenCipher) -> None:
        self._sessions, self._cipher = sessions, cipher

    @property
    def logger(self) -> logging.Logger:
        return log

    def save(self, installation: Installation) -> None:
        if not installation.team_id or not installation.bot_token:
            # Bolt answers this with its failed-install page (an org-wide install has no team).
            raise BoltError("only a workspace's bot install can be kept")
        values = {
            "team_id": installation.team_id, "enterprise_id": installation.enterprise_id,
            "team_name": installation.team_name, "app_id": installation.app_id, "bot_id": installation.bot_id,
            "bot_user_id": installation.bot_user_id, "bot_token": self._cipher.encrypt(installation.bot_token),
            "bot_scopes": ",".join(installation.bot_scopes or ()), "installer_user_id": installation.user_id,
            "installed_at": utcnow(),
        }
        with self._sessions() as session:
            connection = session.connection()
            insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
            statement = insert(_INSTALLATION).values(**values)
            # Installing again (new scopes, a new token) replaces the workspace's row.
            changed = {key: statement.excluded[key] for key in values if key != "team_id"}
            connection.execute(statement.on_conflict_do_update(index_elements=["team_id"], set_=changed))
            session.commit()

    def save_bot(self, bot: Bot) -> None:
        self.save(Installation(app_id=bot.app_id, enterprise_id=bot.enterprise_id, team_id=bot.team_id,
                               team_name=bot.team_name, bot_token=bot.bot_token, bot_id=bot.bot_id,
                               bot_user_id=bot.bot_user_id, bot_scopes=bot.bot_scopes, user_id=""))

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        if not team_id or is_enterprise_install:
            return None
        with reading(self._sessions) as connection:
            row = connection.execute(select(_INSTALLATION).where(_INSTALLATION.c.team_id == team_id)).first()
        if row is None:
            return None
        token = self._cipher.decrypt(row.bot_token)
        if token is None:
            log.error("the bot token of workspace %s does not decrypt with DEALCOACH_TOKEN_KEY; it must install "
                      "the app again", team_id)
            return None
        return Bot(app_id=row.app_id, enterprise_id=row.enterprise_id, team_id=row.team_id, team_name=row.team_name,
                   bot_token=token, bot_id=row.bot_id or "", bot_user_id=row.bot_user_id or "",
                   bot_scopes=row.bot_scopes, installed_at=row.installed_at)

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install)
        if bot is None or user_id is not None:  # no user tokens are kept
            return None
        return Installation(app_id=bot.app_id, enterprise_id=bot.enterprise_id, team_id=bot.team_id,
                            team_name=bot.team_name, bot_token=bot.bot_token, bot_id=bot.bot_id,
                            bot_user_id=bot.bot_user_id, bot_scopes=bot.bot_scopes, user_id="",
                            installed_at=bot.installed_at)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        if not team_id:
            return
        with self._sessions() as session:
            InstallationRepository(session.connection(), team_id).remove()
            session.commit()

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                            user_id: str | None = None) -> None:
        if user_id is None:  # a user's revoked token is none of ours; the workspace's install is its bot's
            self.delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class DatabaseOAuthStateStore(OAuthStateStore):
    """The install's `state`, kept in the database so that any replica can check it; used once: consuming it is
    one DELETE, so two redirects with the same state cannot both pass."""

    def __init__(self, sessions: sessionmaker[Session], expiration_seconds: int) -> None:
        self._sessions, self._lifetime = sessions, timedelta(seconds=expiration_seconds)

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: object, **kwargs: object) -> str:
        state, now = secrets.token_urlsafe(32), utcnow()
        with self._sessions() as session:
            connection = session.connection()
            connection.execute(delete(_STATE).where(_STATE.c.expires_at < now))  # the abandoned installs
            connection.execute(_STATE.insert().values(state=state, expires_at=now + self._lifetime))
            session.commit()
        return state

    def consume(self, state: str) -> bool:
        if not state or len(state) > 64:
            return False
        with self._sessions() as session:
            gone = session.connection().execute(delete(_STATE).where(
                _STATE.c.state == state, _STATE.c.expires_at > datetime.now(UTC))).rowcount
            session.commit()
        return gone == 1
