"""Settings the composition root gives the Telegram adapter (from ``MODBOT_`` env vars)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """How the bot reaches Telegram.

    Polling is the default. Setting ``webhook_url`` switches to webhook mode: the bot listens on
    ``webhook_listen:webhook_port`` at ``/<listen_path>`` and Telegram must present
    ``webhook_secret`` in the ``X-Telegram-Bot-Api-Secret-Token`` header of every update.
    ``webhook_path`` defaults to the path of ``webhook_url``. ``concurrent_updates`` above 1
    lets updates be handled in parallel (more throughput, no ordering between chats).
    ``base_url``/``base_file_url`` point the bot at another Bot API server (a local one, or the
    tests' fake). Secrets never appear in ``repr``.
    """

    token: str = field(repr=False)
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_path: str | None = None
    base_url: str | None = None
    base_file_url: str | None = None
    poll_timeout_s: int = 10
    rate_limit_max_retries: int = 3
    concurrent_updates: int = 1

    def __post_init__(self) -> None:
        if not self.token or ":" not in self.token:
            raise ValueError("the Telegram token looks wrong: expected '<bot id>:<secret>' "
                             "as BotFather gives it")
        if self.webhook_url is not None:
            if not self.webhook_url.startswith("https://") and not self.webhook_url.startswith(
                    "http://127.0.0.1"):
                raise ValueError("the Telegram webhook URL must start with https://")
            if not self.webhook_secret or not _SECRET_TOKEN.match(self.webhook_secret):
                raise ValueError("webhook mode needs a secret token: 1-256 characters of "
                                 "A-Z, a-z, 0-9, _ and -")
        if not 0 < self.webhook_port < 65536:
            raise ValueError(f"webhook port out of range: {self.webhook_port}")
        if self.poll_timeout_s < 0 or self.rate_limit_max_retries < 0:
            raise ValueError("poll timeout and retries cannot be negative")
        if not 1 <= self.concurrent_updates <= 256:
            raise ValueError("concurrent_updates must be between 1 and 256")

    @property
    def uses_webhook(self) -> bool:
        return self.webhook_url is not None

    @property
    def listen_path(self) -> str:
        """The local path of the webhook server: ``webhook_path``, else the public URL's path."""
        if self.webhook_path is not None:
            return self.webhook_path.strip("/")
        path = urlsplit(self.webhook_url or "").path.strip("/")
        return path or "telegram"
