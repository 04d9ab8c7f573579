"""Typed configuration from ``MODBOT_*`` environment variables (and an optional ``.env`` file).

Validated once at start-up; a bad value stops the bot with a message that names the variable
and never prints a secret.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MODBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        frozen=True,
    )

    database_url: str = Field(
        "sqlite:///data/modbot.sqlite3",
        description="sqlite:///PATH or postgresql://USER:PASSWORD@HOST:5432/DB")
    host: str = Field("127.0.0.1", description="address of the local web server")
    port: int = Field(8080, ge=0, le=65535)
    public_url: str | None = Field(
        None, description="how moderators reach the web server (default http://HOST:PORT)")
    review_secret: SecretStr | None = Field(
        None, description="signs review UI forms; random per start when unset")
    discord_token: SecretStr | None = None
    discord_sharded: bool = Field(False, description="use discord.py's AutoShardedClient")
    discord_shard_count: int | None = Field(None, ge=1)
    discord_shard_ids: str = Field("", description="comma-separated shard ids for this process")
    discord_moderator_role_ids: str = Field(
        "", description="comma-separated role ids whose members may act on cases in every server")
    discord_sync_commands: bool = True
    telegram_token: SecretStr | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = Field("0.0.0.0", description="webhook server address")
    telegram_webhook_port: int = Field(8443, ge=1, le=65535)
    telegram_concurrent_updates: int = Field(1, ge=1, le=256)
    classifier: Literal["auto", "model", "baseline"] = Field(
        "auto", description="auto: the trained model when shipped, else the keyword baseline")
    default_policy_pack: str = "default"
    evidence_retention_days: int = Field(90, ge=1, le=3650)
    retention_interval_s: float = Field(3600.0, gt=0)
    batch_max_size: int = Field(32, ge=1, le=1024)
    batch_max_wait_ms: float = Field(4.0, ge=0, le=1000)
    dispatch_max_attempts: int = Field(8, ge=1, le=100)
    dispatch_poll_s: float = Field(2.0, gt=0)
    max_message_chars: int = Field(20_000, ge=100, le=1_000_000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    @field_validator("discord_shard_ids", "discord_moderator_role_ids")
    @classmethod
    def _comma_separated_ids(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise ValueError("expected comma-separated numbers, e.g. 0,1,2")
        return ",".join(parts)

    @staticmethod
    def ids(value: str) -> tuple[int, ...]:
        return tuple(int(part) for part in value.split(",") if part)

    @property
    def web_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def has_platform_tokens(self) -> bool:
        return self.discord_token is not None or self.telegram_token is not None


class SettingsError(ValueError):
    """Configuration that cannot be used; the message is safe to print."""


def load_settings(**overrides: object) -> Settings:
    """Read and validate the environment; raise SettingsError naming each bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = "MODBOT_" + "_".join(str(part) for part in problem["loc"]).upper()
            lines.append(f"{name}: {problem['msg']}")
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
