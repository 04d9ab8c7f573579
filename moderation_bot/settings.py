"""Typed configuration from ``MODBOT_*`` environment variables (and an optional ``.env`` file).

Validated once at start-up; a bad value stops the bot with a message that names the variable
and never prints a secret.
"""

from __future__ import annotations

import re
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
    database_pool_size: int = Field(
        10, ge=1, le=500,
        description="PostgreSQL: the most connections this process opens (SQLite: ignored)")
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
    policy_dir: str | None = Field(
        None, description="a folder of your own policy packs (*.yaml), offered by their name")
    evidence_retention_days: int = Field(90, ge=1, le=3650)
    retention_interval_s: float = Field(3600.0, gt=0)
    batch_max_size: int = Field(64, ge=1, le=1024)
    batch_max_wait_ms: float = Field(8.0, ge=0, le=1000)
    classifier_threads: int = Field(
        2, ge=1, le=64,
        description="threads the model may use (they sleep, never spin, while the loop works)")
    dispatch_max_attempts: int = Field(8, ge=1, le=100)
    dispatch_poll_s: float = Field(2.0, gt=0)
    dispatch_lease_s: float = Field(
        60.0, ge=1, le=3600,
        description="how long a dispatcher holds an outbox row it is sending (renewed while busy)")
    role: Literal["all", "gateway", "worker", "web"] = Field(
        "all", description="all: one process; gateway/worker/web: one part of a scale-out")
    consumer_name: str | None = Field(
        None, description="this process's name in the stream's consumer group and the outbox "
                          "leases; unique among live processes (default: the host name)")
    redis_url: str = Field("redis://127.0.0.1:6379/0",
                           description="the Redis server for the gateway -> worker stream")
    stream_name: str = Field("modbot:messages", min_length=1, max_length=200)
    stream_group: str = Field("modbot-workers", min_length=1, max_length=200)
    stream_maxlen: int = Field(
        1_000_000, ge=1000, description="approximate cap on the stream's length (XADD MAXLEN ~)")
    stream_claim_idle_s: float = Field(
        60.0, ge=1, description="a message unacknowledged this long is taken over by another worker")
    gateway_platforms: str = Field(
        "", description="comma-separated platforms a gateway connects to (discord, telegram); "
                        "empty: every platform with a token")
    worker_concurrency: int = Field(
        64, ge=1, le=4096, description="messages one worker decides at once")
    max_message_chars: int = Field(50_000, ge=100, le=1_000_000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    @field_validator("consumer_name")
    @classmethod
    def _simple_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9._:-]{1,100}", value):
            raise ValueError("use 1-100 letters, digits, '.', '_', ':' or '-'")
        return value

    @field_validator("gateway_platforms")
    @classmethod
    def _known_platforms(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        unknown = set(parts) - {"discord", "telegram"}
        if unknown:
            raise ValueError(f"unknown platform(s): {', '.join(sorted(unknown))}")
        return ",".join(parts)

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
