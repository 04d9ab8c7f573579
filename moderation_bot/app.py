"""The composition root: builds the store, classifier, policies, dispatcher and pipeline, and
runs the adapters that have credentials (or the local sandbox when none do) beside the web server.

This module and ``cli.py`` are the only places in ``moderation_bot`` that import adapters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount, Route

from classifiers.baseline import BaselineClassifier
from moderation_bot.batching import MicroBatcher
from moderation_bot.clock import utcnow
from moderation_bot.core.ports import Classifier, PlatformActions
from moderation_bot.core.types import EffectKind
from moderation_bot.dispatch import Dispatcher
from moderation_bot.logs import fields
from moderation_bot.pipeline import Pipeline
from moderation_bot.review import build_review_app
from moderation_bot.policy_book import PackPolicyBook, PolicyBook
from moderation_bot.settings import Settings, SettingsError
from moderation_bot.storage import open_store

log = logging.getLogger(__name__)


def load_classifier(choice: str) -> Classifier:
    """``model``: the shipped trained model (fails if absent); ``baseline``: the keyword rules;
    ``auto``: the model when it is shipped and loads, else the baseline (logged)."""
    if choice == "baseline":
        return BaselineClassifier()
    try:
        from classifiers.onnx_model import ModelLoadError, load_default_classifier
    except ImportError as error:
        if choice == "model":
            raise
        log.warning("trained model unavailable, using the keyword baseline",
                    extra=fields(reason=type(error).__name__))
        return BaselineClassifier()
    try:
        return load_default_classifier()
    except (ModelLoadError, OSError) as error:
        if choice == "model":
            raise
        log.warning("trained model failed to load, using the keyword baseline",
                    extra=fields(reason=type(error).__name__))
        return BaselineClassifier()


@asynccontextmanager
async def open_service(
    settings: Settings, actions: Mapping[str, PlatformActions] | None = None, *,
    classifier: Classifier | None = None, policies: PolicyBook | None = None,
) -> AsyncIterator[Pipeline]:
    """Open everything one process needs to decide messages; close it all on exit."""
    async with open_store(settings.database_url) as store:
        batcher = MicroBatcher(
            classifier or load_classifier(settings.classifier),
            max_batch=settings.batch_max_size, max_wait_s=settings.batch_max_wait_ms / 1000,
        )
        book = policies or PackPolicyBook()
        dispatcher = Dispatcher(store, actions or {}, book.render,
                                max_attempts=settings.dispatch_max_attempts)
        pipeline = Pipeline(
            store, batcher, book, dispatcher, default_policy_pack=settings.default_policy_pack,
            retention_days=settings.evidence_retention_days,
            max_message_chars=settings.max_message_chars,
            review_url=f"{settings.web_url}/review",
        )
        await pipeline.start()
        log.info("service ready", extra=fields(model=batcher.model_id))
        try:
            yield pipeline
        finally:
            await pipeline.close()
            await dispatcher.drain()
            await batcher.close()


async def _retention_loop(pipeline: Pipeline, interval_s: float) -> None:
    while True:
        purged = await pipeline.purge_expired()
        if purged:
            log.info("evidence text purged", extra=fields(rows=purged))
        await asyncio.sleep(interval_s)


def _health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


class PlatformRunner(Protocol):
    """A connected platform adapter: started after the service is ready, closed before it."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class StartupError(RuntimeError):
    """A platform could not be started; the message is safe to show."""


def _discord(settings: Settings, actions: dict[str, PlatformActions]
             ) -> Callable[[Pipeline], PlatformRunner] | None:
    if settings.discord_token is None:
        return None
    from adapters.discord import DiscordActions, DiscordAdapter, DiscordConfig

    config = DiscordConfig(
        token=settings.discord_token.get_secret_value(),
        sharded=settings.discord_sharded,
        shard_count=settings.discord_shard_count,
        shard_ids=Settings.ids(settings.discord_shard_ids) or None,
        moderator_role_ids=frozenset(Settings.ids(settings.discord_moderator_role_ids)),
        sync_commands=settings.discord_sync_commands,
    )
    discord_actions = DiscordActions(moderator_locale=config.moderator_locale)
    actions[discord_actions.platform] = discord_actions
    return lambda service: DiscordAdapter(service, config, actions=discord_actions)


class _TelegramRunner:
    """The Telegram adapter starts with the service it feeds and stops on its own."""

    def __init__(self, adapter: Any, service: Pipeline) -> None:
        self._adapter = adapter
        self._service = service

    async def start(self) -> None:
        await self._adapter.start(self._service)

    async def close(self) -> None:
        await self._adapter.stop()


def _telegram(settings: Settings, actions: dict[str, PlatformActions]
              ) -> Callable[[Pipeline], PlatformRunner] | None:
    if settings.telegram_token is None:
        return None
    from adapters.telegram import TelegramAdapter, TelegramConfig
    from policies.catalog import render

    secret = settings.telegram_webhook_secret
    try:
        config = TelegramConfig(
            token=settings.telegram_token.get_secret_value(),
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=secret.get_secret_value() if secret else None,
            webhook_listen=settings.telegram_webhook_listen,
            webhook_port=settings.telegram_webhook_port,
            concurrent_updates=settings.telegram_concurrent_updates,
        )
    except ValueError as error:
        raise SettingsError(f"invalid Telegram configuration: {error}") from None
    adapter = TelegramAdapter(
        config, advice_renderer=lambda topic, locale: render(EffectKind.SEND_ADVICE, topic, locale))
    actions[adapter.actions.platform] = adapter.actions
    return lambda service: _TelegramRunner(adapter, service)


async def run(settings: Settings) -> None:
    """Run the bot until Ctrl-C (SIGINT) or SIGTERM."""
    from adapters.sandbox.actions import SandboxActions
    from adapters.sandbox.web import SandboxAdapter

    actions: dict[str, PlatformActions] = {}
    routes: list[Route | Mount] = [Route("/healthz", _health)]
    platforms = [factory for factory in (_discord(settings, actions), _telegram(settings, actions))
                 if factory is not None]
    sandbox: SandboxAdapter | None = None
    if not settings.has_platform_tokens:
        sandbox_actions = SandboxActions()
        actions[sandbox_actions.platform] = sandbox_actions
        sandbox = SandboxAdapter(sandbox_actions)
    async with open_service(settings, actions) as pipeline, contextlib.AsyncExitStack() as stack:
        for factory in platforms:
            runner = factory(pipeline)
            try:
                await runner.start()
            except Exception as error:  # noqa: BLE001 - reported to the person starting the bot
                raise StartupError(f"{type(runner).__name__} could not start: "
                                   f"{type(error).__name__}: {error}") from error
            stack.push_async_callback(runner.close)
        background = [
            asyncio.create_task(pipeline.dispatcher.run_forever(settings.dispatch_poll_s)),
            asyncio.create_task(_retention_loop(pipeline, settings.retention_interval_s)),
        ]
        secret = (settings.review_secret.get_secret_value().encode() if settings.review_secret
                  else secrets.token_bytes(32))
        review = build_review_app(pipeline, pipeline.store, secret=secret,
                                  base_url=f"{settings.web_url}/review")
        # Without the slash, the sandbox's catch-all mount would answer /review.
        routes.append(Route("/review", lambda request: RedirectResponse("/review/")))
        routes.append(Mount("/review", app=review))
        if sandbox is not None:
            sandbox.attach(pipeline)
            await sandbox.startup()
            routes.append(Mount("/", app=sandbox.asgi_app()))
        server = uvicorn.Server(uvicorn.Config(
            Starlette(routes=routes), host=settings.host, port=settings.port,
            log_config=None, access_log=False, lifespan="off",
            # The sandbox page holds a long-poll open; Ctrl-C should not wait for it.
            timeout_graceful_shutdown=1,
        ))
        url = f"http://{settings.host}:{settings.port}"
        if sandbox is not None:
            print(f"Sandbox running: open {url} in your browser. Press Ctrl-C to stop.",
                  flush=True)
        else:
            print(f"Bot running ({', '.join(sorted(actions))}); health check at {url}/healthz. "
                  "Press Ctrl-C to stop.", flush=True)
        print(f"Moderators' review UI: {settings.web_url}/review (sign in with a link from "
              "/modbot dashboard)", flush=True)
        try:
            await server.serve()
        finally:
            if sandbox is not None:
                await sandbox.shutdown()
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    log.info("stopped", extra=fields(at=utcnow().isoformat()))
