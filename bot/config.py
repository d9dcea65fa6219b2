"""Settings from the environment (or `.env`), named as PRODUCT.md "Running it" lists them."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"

# Values people leave in a copied `.env.example`; treat them as "not set".
_PLACEHOLDER = re.compile(
    r"^(|x+|\.+|<.*>|\$\{.*\}|changeme|change[-_]me|placeholder|todo|secret|none|null|"
    r"xox[abpe]-(x+|\.+|your.*|placeholder|changeme|\.\.\.)|xapp-(x+|your.*|\.\.\.)|your[-_ ].*)$",
    re.IGNORECASE,
)


class ConfigError(Exception):
    """A setting is missing or unusable; the message is one line naming the variable."""


def is_placeholder(value: SecretStr | str | None) -> bool:
    """True when a secret is unset, empty or an obvious placeholder."""
    if value is None:
        return True
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    return bool(_PLACEHOLDER.match(raw.strip()))


class Settings(BaseSettings):
    """Every knob of the app; secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = "sqlite:///invite_hygiene.db"
    port: int = Field(default=3000, ge=1, le=65535)
    admin_user_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    log_level: str = "INFO"
    sweep_interval_seconds: int = Field(default=300, ge=10, le=3600)
    # Members per shard of a nudge cycle that several `scheduler` processes split (bot.services.cycle_claims).
    cycle_shard_members: int = Field(default=500, ge=1, le=1_000_000)
    # How long a Web API call may take (default bot.slack.outbound.WEB_API_TIMEOUT_S).
    web_api_timeout_seconds: float | None = Field(default=None, gt=0, le=120)
    invited_command: str = "/invited"
    invites_command: str = "/invites"
    # Chart images in App Home, `/invites stats` and the weekly digest (uploaded with files:write).
    charts_enabled: bool = True

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part for part in re.split(r"[\s,]+", value) if part)
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _psycopg3(cls, value: str) -> str:
        # Hosting providers hand out postgres:// URLs; SQLAlchemy needs the driver named.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @property
    def has_slack_credentials(self) -> bool:
        """True when a bot token or OAuth client credentials are configured."""
        return not is_placeholder(self.slack_bot_token) or not (
            is_placeholder(self.slack_client_id) or is_placeholder(self.slack_client_secret)
        )

    @property
    def oauth_enabled(self) -> bool:
        """True when the app is distributed with OAuth rather than a single bot token."""
        return not (is_placeholder(self.slack_client_id) or is_placeholder(self.slack_client_secret))

    def require_http(self) -> None:
        """Refuse to start an HTTP app without a signing secret and some way to get tokens."""
        if is_placeholder(self.slack_signing_secret):
            raise ConfigError(_missing("SLACK_SIGNING_SECRET"))
        self._require_tokens()

    def require_socket(self) -> None:
        """Refuse to start Socket Mode without an app-level token and a bot token."""
        if is_placeholder(self.slack_app_token):
            raise ConfigError(_missing("SLACK_APP_TOKEN"))
        if is_placeholder(self.slack_bot_token):
            raise ConfigError(_missing("SLACK_BOT_TOKEN"))

    def require_tokens(self) -> None:
        """Refuse to send to Slack without a bot token or OAuth credentials."""
        self._require_tokens()

    def _require_tokens(self) -> None:
        if self.oauth_enabled:
            return
        if not is_placeholder(self.slack_client_id) and is_placeholder(self.slack_client_secret):
            raise ConfigError(_missing("SLACK_CLIENT_SECRET"))
        if is_placeholder(self.slack_bot_token):
            raise ConfigError(_missing("SLACK_BOT_TOKEN"))


def _missing(name: str) -> str:
    return f"{name} is missing or a placeholder: set it in the environment or in .env"
