"""Assembly: the Bot, the ``Application`` with its handlers, and start/stop in a shared loop.

The composition root does::

    adapter = TelegramAdapter(config, advice_renderer=render_advice)
    async with open_service(settings, {"telegram": adapter.actions}) as service:
        await adapter.start(service)              # polling, or webhook when configured
        ...
        await adapter.stop()
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import TelegramObject, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ExtBot

from adapters.telegram.actions import TelegramActions
from adapters.telegram.config import TelegramConfig
from adapters.telegram.directory import BusinessDirectory
from adapters.telegram.handlers import AdviceRenderer, TelegramHandlers
from adapters.telegram.request import SkipMalformedUpdatesRequest
from adapters.telegram.words import Words
from moderation_bot.core.ports import BotService

log = logging.getLogger(__name__)


class TelegramStartError(RuntimeError):
    """The adapter could not connect (token refused, Telegram unreachable). Safe to print."""

ALLOWED_UPDATES: Sequence[str] = (
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.CHAT_MEMBER,
    Update.BUSINESS_CONNECTION,
    Update.BUSINESS_MESSAGE,
    Update.EDITED_BUSINESS_MESSAGE,
)
"""What the bot asks Telegram for. ``chat_member`` is only sent when asked for explicitly."""


def make_bot(config: TelegramConfig) -> ExtBot[Any]:
    """The Bot API client: retries 429s (``AIORateLimiter``) and skips malformed updates."""
    guard_logs(config.token, config.webhook_secret or "")
    return ExtBot(
        config.token,
        base_url=config.base_url or "https://api.telegram.org/bot",
        base_file_url=config.base_file_url or "https://api.telegram.org/file/bot",
        request=SkipMalformedUpdatesRequest(connection_pool_size=64),
        get_updates_request=SkipMalformedUpdatesRequest(connection_pool_size=2),
        rate_limiter=AIORateLimiter(max_retries=config.rate_limit_max_retries),
    )


def build_application(bot: ExtBot[Any], service: BotService, actions: TelegramActions, *,
                      business: BusinessDirectory, words: Words,
                      advice_renderer: AdviceRenderer | None = None,
                      concurrent_updates: int = 1) -> Application:  # type: ignore[type-arg]
    """A python-telegram-bot ``Application`` around ``bot`` with every handler registered.

    Updates are handled one at a time by default, so a conversation is seen in order.
    """
    app = ApplicationBuilder().bot(bot).concurrent_updates(concurrent_updates).build()
    TelegramHandlers(service, actions, words=words, business=business,
                     advice_renderer=advice_renderer).register(app)
    return app


class TelegramAdapter:
    """The Telegram side of the bot, runnable beside other services in one event loop."""

    def __init__(self, config: TelegramConfig, *, advice_renderer: AdviceRenderer | None = None,
                 words: Words | None = None) -> None:
        self.config = config
        self.words = words or Words.load()
        self.bot = make_bot(config)
        self.business = BusinessDirectory(self.bot)
        self.actions = TelegramActions(self.bot, business=self.business, words=self.words)
        self._advice = advice_renderer
        self.application: Application | None = None  # type: ignore[type-arg]

    def build(self, service: BotService, *,
              concurrent_updates: int = 1) -> Application:  # type: ignore[type-arg]
        self.application = build_application(self.bot, service, self.actions,
                                              business=self.business, words=self.words,
                                              advice_renderer=self._advice,
                                              concurrent_updates=concurrent_updates)
        return self.application

    async def start(self, service: BotService) -> None:
        """Connect (``getMe``), then receive updates by long polling or by webhook.

        Raises :class:`TelegramStartError` (a plain ``RuntimeError``, safe to print) when the
        token is refused or Telegram cannot be reached.
        """
        app = self.application or self.build(
            service, concurrent_updates=self.config.concurrent_updates)
        try:
            await self._start(app)
        except TelegramError as exc:
            await self.stop()
            detail = str(exc).replace(self.config.token, "<token>")
            raise TelegramStartError(f"Telegram did not accept the connection: "
                                     f"{type(exc).__name__}: {detail}") from None
        log.info("telegram adapter started as @%s (%s)", app.bot.username,
                 "webhook" if self.config.uses_webhook else "polling")

    async def _start(self, app: Application) -> None:  # type: ignore[type-arg]
        await app.initialize()
        updater = app.updater
        assert updater is not None
        if self.config.uses_webhook:
            await updater.start_webhook(
                listen=self.config.webhook_listen,
                port=self.config.webhook_port,
                url_path=self.config.listen_path,
                webhook_url=self.config.webhook_url,
                secret_token=self.config.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
            )
        else:
            await updater.start_polling(
                timeout=self.config.poll_timeout_s,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
                bootstrap_retries=3,
                error_callback=_log_polling_error,
            )
        await app.start()

    async def stop(self) -> None:
        """Stop receiving, finish the update being handled, close connections."""
        app = self.application
        if app is not None:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()  # a no-op when initialisation never finished...
        # ...so close what the actions or getMe may have opened in any case (idempotent).
        await self.bot.request.shutdown()
        log.info("telegram adapter stopped")


def _log_polling_error(error: Exception) -> None:
    # Network errors while polling are retried by the library with backoff.
    log.warning("telegram polling error: %s", type(error).__name__)


class _RedactPayloads(logging.Filter):
    """python-telegram-bot logs whole updates and API parameters at DEBUG (message text
    included), the raw payload when it cannot parse one, and URLs that contain the token: keep
    the line, drop the payload and the secrets."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if args and "%(" not in str(record.msg):
            if isinstance(args, Mapping):  # logging unwraps a single mapping argument
                args = (args,)
            raw_data = "data" in str(record.msg).lower()
            record.args = tuple(self._clean(arg, raw_data) for arg in args)
        if isinstance(record.msg, str):
            record.msg = self._hide_secrets(record.msg)
        return True

    def _clean(self, arg: object, raw_data: bool) -> object:
        if raw_data or isinstance(arg, (TelegramObject, Mapping, list, tuple, bytes)):
            return "<redacted>"
        return self._hide_secrets(arg) if isinstance(arg, str) else arg

    def _hide_secrets(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return text


_PAYLOAD_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater",
                    "telegram.ext.Application")


def guard_logs(*secrets: str) -> None:
    """Keep secrets and message text out of the logs: the httpx logger prints request URLs,
    which carry the bot token, at INFO; the library logs payloads and its URLs at DEBUG."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in _PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        redactor = next((f for f in logger.filters if isinstance(f, _RedactPayloads)), None)
        if redactor is None:
            redactor = _RedactPayloads()
            logger.addFilter(redactor)
        redactor.secrets.update(s for s in secrets if s)
