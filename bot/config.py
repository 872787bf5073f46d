"""Settings read from the environment (and `.env`), built once at start-up and passed down."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_LLM_MODEL = "gpt-4o-mini"
# The bot scopes of manifest.yml (a test keeps the two in step): what a workspace grants at install.
MANIFEST_SCOPES = ("commands", "chat:write", "chat:write.public", "channels:history", "groups:history",
                   "channels:read", "groups:read", "users:read", "im:write", "files:write")


class Settings(BaseSettings):
    """The variables of PRODUCT.md section 1 and this project's DEALCOACH_… additions; nothing here is read
    at import time."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    database_url: str = Field(default="sqlite:///dealcoach.db", validation_alias="DATABASE_URL")
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    llm_model: str = Field(default=DEFAULT_LLM_MODEL, validation_alias="DEALCOACH_LLM_MODEL")
    llm_timeout: float = Field(default=8.0, gt=0, le=120, validation_alias="DEALCOACH_LLM_TIMEOUT")
    alert_channel: str | None = Field(default=None, validation_alias="DEALCOACH_ALERT_CHANNEL")
    managers: str = Field(default="", validation_alias="DEALCOACH_MANAGERS")
    port: int = Field(default=3000, ge=1, le=65535, validation_alias="PORT")
    # OAuth install: with both, `serve` is a distributable app and each workspace's bot token is in the database.
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_CLIENT_SECRET")
    slack_scopes: str = Field(default=",".join(MANIFEST_SCOPES), validation_alias="SLACK_SCOPES")
    # Fernet keys, comma-separated: the first encrypts installed bot tokens, any of them decrypts (rotation).
    token_key: SecretStr | None = Field(default=None, validation_alias="DEALCOACH_TOKEN_KEY")
    # Added by this project (PRODUCT.md: new settings are named DEALCOACH_…).
    web_workers: int = Field(default=2, ge=1, le=64, validation_alias="DEALCOACH_WEB_WORKERS")
    web_threads: int = Field(default=4, ge=1, le=64, validation_alias="DEALCOACH_WEB_THREADS")
    # serve/socket run the scheduled jobs themselves unless this is off (then run `dealcoach scheduler`);
    # either way a lock in the database lets only one scheduler work at a time.
    scheduler: bool = Field(default=True, validation_alias="DEALCOACH_SCHEDULER")

    @field_validator("slack_api_url")
    @classmethod
    def _slash_terminated(cls, value: str) -> str:
        # slack_sdk joins method names onto the base URL, so it must end in a slash.
        return value if value.endswith("/") else value + "/"

    @field_validator("alert_channel", "openai_base_url", "slack_client_id", "slack_client_secret", "token_key",
                     mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def manager_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.managers.split(",") if part.strip())

    @property
    def bot_token(self) -> str | None:
        """SLACK_BOT_TOKEN: single-workspace mode's one token."""
        return self.slack_bot_token.get_secret_value() if self.slack_bot_token else None

    @property
    def oauth_enabled(self) -> bool:
        """Both OAuth credentials set: workspaces install the app, each with its own bot token."""
        return self.slack_client_id is not None and self.slack_client_secret is not None

    @property
    def bot_scopes(self) -> list[str]:
        chosen = [scope.strip() for scope in self.slack_scopes.split(",") if scope.strip()]
        return chosen or list(MANIFEST_SCOPES)  # left empty (as in .env.example): the manifest's

    @property
    def llm_enabled(self) -> bool:
        """Either an API key or a base URL turns the LLM on (a local server needs no key)."""
        return self.openai_api_key is not None or self.openai_base_url is not None

    def require_http_secrets(self) -> None:
        """`serve` cannot verify Slack's requests without the signing secret, nor post without a bot token: the
        one of SLACK_BOT_TOKEN, or in OAuth mode each workspace's, kept encrypted with DEALCOACH_TOKEN_KEY."""
        needed = [("SLACK_SIGNING_SECRET", self.slack_signing_secret)]
        if not self.oauth_enabled:
            needed.append(("SLACK_BOT_TOKEN", self.slack_bot_token))
        missing = [name for name, value in needed if value is None or not value.get_secret_value()]
        if missing:
            raise SystemExit(f"dealcoach serve needs {', '.join(missing)} (see .env.example)")
        self.require_token_key("serve")

    def require_token_key(self, command: str) -> None:
        """In OAuth mode, a process that reads or writes installed bot tokens needs a valid DEALCOACH_TOKEN_KEY."""
        if not self.oauth_enabled:
            return
        if self.token_key is None:
            raise SystemExit(
                f"dealcoach {command} installs workspaces (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set) and needs "
                f"DEALCOACH_TOKEN_KEY to encrypt their bot tokens. {TOKEN_KEY_HOWTO}")
        try:
            token_keys(self.token_key)
        except ValueError:
            raise SystemExit(f"DEALCOACH_TOKEN_KEY is not a Fernet key. {TOKEN_KEY_HOWTO}") from None


TOKEN_KEY_HOWTO = ('Make one with: python -c "from cryptography.fernet import Fernet; '
                   'print(Fernet.generate_key().decode())"')


def token_keys(key: SecretStr) -> list[str]:
    """The keys of DEALCOACH_TOKEN_KEY, newest first; ValueError when one is not a Fernet key."""
    from cryptography.fernet import Fernet  # only OAuth mode needs it

    keys = [part.strip() for part in key.get_secret_value().split(",") if part.strip()]
    if not keys:
        raise ValueError("no key")
    for part in keys:
        Fernet(part)  # raises ValueError on a key that is not 32 url-safe base64-encoded bytes
    return keys


def load_settings(**overrides: Any) -> Settings:
    """Build the settings once, in `main` or a test; overrides win over the environment (any setting's value)."""
    return Settings(**overrides)
