"""Settings read from the environment (and `.env`), built once at start-up and passed down."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_LLM_MODEL = "gpt-4o-mini"


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

    @field_validator("alert_channel", "openai_base_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def manager_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.managers.split(",") if part.strip())

    @property
    def llm_enabled(self) -> bool:
        """Either an API key or a base URL turns the LLM on (a local server needs no key)."""
        return self.openai_api_key is not None or self.openai_base_url is not None

    def require_http_secrets(self) -> None:
        """`serve` cannot verify Slack's requests without the signing secret."""
        missing = [
            name
            for name, value in (
                ("SLACK_SIGNING_SECRET", self.slack_signing_secret),
                ("SLACK_BOT_TOKEN", self.slack_bot_token),
            )
            if value is None or not value.get_secret_value()
        ]
        if missing:
            raise SystemExit(f"dealcoach serve needs {', '.join(missing)} (see .env.example)")


def load_settings(**overrides: object) -> Settings:
    """Build the settings once, in `main` or a test; overrides win over the environment."""
    return Settings(**overrides)  # type: ignore[arg-type]
