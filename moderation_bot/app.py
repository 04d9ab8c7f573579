"""The composition root: builds the store, classifier, policies, dispatcher and pipeline, and
runs the adapters that have credentials (or the local sandbox when none do) beside the web server.

This module and ``cli.py`` are the only places in ``moderation_bot`` that import adapters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount, Route

from classifiers.baseline import BaselineClassifier
from classifiers.multilingual import MultilingualClassifier
from moderation_bot.batching import MicroBatcher
from moderation_bot.clock import utcnow
from moderation_bot.core.ports import BotService, Classifier, PlatformActions
from moderation_bot.core.types import EffectKind
from moderation_bot.dispatch import Dispatcher
from moderation_bot.logs import fields
from moderation_bot.pipeline import Pipeline
from moderation_bot.review import build_review_app
from moderation_bot.policy_book import PackPolicyBook, PolicyBook
from moderation_bot.settings import Settings, SettingsError
from moderation_bot.storage import open_store

log = logging.getLogger(__name__)


def load_classifier(choice: str, threads: int = 1) -> Classifier:
    """``model``: the shipped trained model (fails if absent); ``baseline``: the English keyword
    rules alone; ``auto``: the model when it is shipped and loads, else the baseline (logged).
    With ``model`` and ``auto``, non-English messages also go through the multilingual keyword
    rules (``classifiers.multilingual``), since the model is English-only."""
    if choice == "baseline":
        return BaselineClassifier()
    return MultilingualClassifier(_english_classifier(choice, threads))


def _english_classifier(choice: str, threads: int) -> Classifier:
    try:
        from classifiers.onnx_model import ModelLoadError, load_default_classifier
    except ImportError as error:
        if choice == "model":
            raise
        log.warning("trained model unavailable, using the keyword baseline",
                    extra=fields(reason=type(error).__name__))
        return BaselineClassifier()
    try:
        # The event loop shares the cores: pool threads that spin would take its time.
        return load_default_classifier(intra_op_num_threads=threads, spin=False)
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
    async with open_store(settings.database_url, pool_size=settings.database_pool_size) as store:
        batcher = MicroBatcher(
            classifier or load_classifier(settings.classifier, settings.classifier_threads),
            max_batch=settings.batch_max_size, max_wait_s=settings.batch_max_wait_ms / 1000,
        )
        book = policies or PackPolicyBook.with_folder(
            Path(settings.policy_dir) if settings.policy_dir else None)
        dispatcher = Dispatcher(store, actions or {}, book.render,
                                max_attempts=settings.dispatch_max_attempts,
                                name=consumer_name(settings), lease_s=settings.dispatch_lease_s,
                                only_own_platforms=settings.role != "all")
        pipeline = Pipeline(
            store, batcher, book, dispatcher, default_policy_pack=settings.default_policy_pack,
            retention_days=settings.evidence_retention_days,
            max_message_chars=settings.max_message_chars,
            review_url=f"{settings.web_url}/review",
            shared_store=settings.role != "all",
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


def _discord_config(settings: Settings, *, sync_commands: bool | None = None) -> Any:
    from adapters.discord import DiscordConfig

    assert settings.discord_token is not None
    return DiscordConfig(
        token=settings.discord_token.get_secret_value(),
        sharded=settings.discord_sharded,
        shard_count=settings.discord_shard_count,
        shard_ids=Settings.ids(settings.discord_shard_ids) or None,
        moderator_role_ids=frozenset(Settings.ids(settings.discord_moderator_role_ids)),
        sync_commands=settings.discord_sync_commands if sync_commands is None else sync_commands,
    )


def _discord(settings: Settings, actions: dict[str, PlatformActions]
             ) -> Callable[[BotService], PlatformRunner] | None:
    if settings.discord_token is None:
        return None
    from adapters.discord import DiscordActions, DiscordAdapter

    config = _discord_config(settings)
    discord_actions = DiscordActions(moderator_locale=config.moderator_locale)
    actions[discord_actions.platform] = discord_actions
    return lambda service: DiscordAdapter(service, config, actions=discord_actions)


class DiscordRestRunner:
    """Discord for a worker or the web role: the REST API only, no gateway connection.

    ``login`` opens discord.py's HTTP client without connecting to the gateway, so the actions
    reach Discord through REST: DMs (``create_dm``), partial channels and messages, and guilds
    and members fetched rather than cached. Events (messages, button clicks) keep arriving at
    the gateway processes; commands are synced there, not here.
    """

    def __init__(self, settings: Settings, actions: Any) -> None:
        self._config = _discord_config(settings, sync_commands=False)
        self._actions = actions
        self._client: Any = None

    def attach(self, service: BotService) -> None:
        from adapters.discord import build_client

        self._client = build_client(service, self._actions, config=self._config)

    async def start(self) -> None:
        await self._client.login(self._config.token)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


class _TelegramRunner:
    """The Telegram adapter starts with the service it feeds and stops on its own."""

    def __init__(self, adapter: Any, service: BotService) -> None:
        self._adapter = adapter
        self._service = service

    async def start(self) -> None:
        await self._adapter.start(self._service)

    async def close(self) -> None:
        await self._adapter.stop()


def _telegram(settings: Settings, actions: dict[str, PlatformActions]
              ) -> Callable[[BotService], PlatformRunner] | None:
    adapter = _telegram_adapter(settings)
    if adapter is None:
        return None
    actions[adapter.actions.platform] = adapter.actions
    return lambda service: _TelegramRunner(adapter, service)


def _telegram_adapter(settings: Settings) -> Any:
    """The Telegram adapter (not started), or ``None`` without a token. Its ``actions`` call
    the Bot API over HTTPS and need no update connection, so workers use them as they are."""
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
    return TelegramAdapter(
        config, advice_renderer=lambda topic, locale: render(EffectKind.SEND_ADVICE, topic, locale))


async def _announce_when_listening(server: uvicorn.Server, settings: Settings, sandbox: bool,
                                   platforms: list[str]) -> None:
    """Tell the person who started the bot where to look, once the server really listens."""
    while not server.started:
        await asyncio.sleep(0.05)
    url = f"http://{settings.host}:{settings.port}"
    if sandbox:
        print(f"Sandbox running: open {url} in your browser. Press Ctrl-C to stop.", flush=True)
    else:
        print(f"Bot running ({', '.join(platforms)}); health check at {url}/healthz. "
              "Press Ctrl-C to stop.", flush=True)
    print(f"Moderators' review UI: {settings.web_url}/review (sign in with a link from "
          "/modbot dashboard)", flush=True)


async def run(settings: Settings) -> None:
    """Run the bot until Ctrl-C (SIGINT) or SIGTERM, in the role the settings name: ``all``
    (one process, the default), or ``gateway``, ``worker`` or ``web`` (docs/scaling.md)."""
    from moderation_bot.scale.streams import StreamUnavailable

    try:
        if settings.role == "gateway":
            await run_gateway(settings)
        elif settings.role == "worker":
            await run_worker(settings)
        elif settings.role == "web":
            await run_web(settings)
        else:
            await _run_all(settings)
    except StreamUnavailable as error:
        raise StartupError(str(error)) from None


async def _run_all(settings: Settings) -> None:
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
        banner = asyncio.create_task(_announce_when_listening(
            server, settings, sandbox is not None, sorted(actions)))
        try:
            await server.serve()
        except SystemExit:  # uvicorn exits when it cannot listen; it logged the reason
            raise StartupError(f"could not listen on {settings.host}:{settings.port} (is the "
                               "port in use? set MODBOT_PORT)") from None
        finally:
            banner.cancel()
            if sandbox is not None:
                await sandbox.shutdown()
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    log.info("stopped", extra=fields(at=utcnow().isoformat()))


# -- scale-out roles (docs/scaling.md) ---------------------------------------------------------

def _stream_config(settings: Settings) -> Any:
    from moderation_bot.scale.streams import StreamConfig

    return StreamConfig(url=settings.redis_url, stream=settings.stream_name,
                        group=settings.stream_group, maxlen=settings.stream_maxlen,
                        claim_idle_s=settings.stream_claim_idle_s)


def consumer_name(settings: Settings) -> str:
    """This process's name in the consumer group and on its outbox leases: the setting, else
    the host name (unique per container), with the role for gateways and web processes so that
    they do not share a name with a worker on the same host."""
    import socket

    if settings.consumer_name:
        return settings.consumer_name
    host = socket.gethostname()
    return host if settings.role in ("all", "worker") else f"{host}-{settings.role}"


async def _start_all(stack: contextlib.AsyncExitStack, runners: list[PlatformRunner]) -> None:
    for runner in runners:
        try:
            await runner.start()
        except Exception as error:  # noqa: BLE001 - reported to the person starting the bot
            raise StartupError(f"{type(runner).__name__} could not start: "
                               f"{type(error).__name__}: {error}") from error
        stack.push_async_callback(runner.close)


async def _serve(settings: Settings, routes: list[Route | Mount], banner: str,
                 watch: asyncio.Task[Any] | None = None) -> None:
    """The role's web server (at least /healthz for the orchestrator) until SIGINT/SIGTERM, or
    until ``watch`` ends: its failure then stops the process instead of leaving it "healthy"."""
    server = uvicorn.Server(uvicorn.Config(
        Starlette(routes=[Route("/healthz", _health), *routes]), host=settings.host,
        port=settings.port, log_config=None, access_log=False, lifespan="off",
        timeout_graceful_shutdown=1,
    ))
    print(banner, flush=True)
    with _signals_end_serving():
        serving = asyncio.create_task(server.serve(), name="modbot-web")
        await asyncio.wait([serving] if watch is None else [serving, watch],
                           return_when=asyncio.FIRST_COMPLETED)
        if not serving.done():
            server.should_exit = True
        await serving
    if watch is not None and watch.done() and not watch.cancelled():
        watch.result()  # re-raise what stopped it


@contextlib.contextmanager
def _signals_end_serving() -> Iterator[None]:
    """uvicorn stops serving on SIGINT/SIGTERM, then raises the signal again for the handler
    it found. Finding this no-op one, the role's shutdown continues: work in hand is finished
    and acknowledged before the process exits."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda number, frame: None) for sig in handled}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


async def _stop(tasks: list[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _rest_platforms(settings: Settings, actions: dict[str, PlatformActions]
                    ) -> tuple[list[DiscordRestRunner], list[Any]]:
    """Platform actions for a process without platform connections (worker, web): Discord
    through a REST-only client, Telegram through the Bot API."""
    discord_runners: list[DiscordRestRunner] = []
    telegram = _telegram_adapter(settings)
    if telegram is not None:
        actions[telegram.actions.platform] = telegram.actions
    if settings.discord_token is not None:
        from adapters.discord import DiscordActions

        discord_actions = DiscordActions()
        actions[discord_actions.platform] = discord_actions
        discord_runners.append(DiscordRestRunner(settings, discord_actions))
    return discord_runners, [telegram] if telegram is not None else []


async def run_gateway(settings: Settings, *, classifier: Classifier | None = None) -> None:
    """Platform connections only: every message goes to the stream for the workers.

    Discord shards by ``MODBOT_DISCORD_SHARD_IDS``/``_SHARD_COUNT`` (one gateway process per
    group of shards); Telegram by webhook (replicas behind one HTTPS endpoint). Moderators'
    buttons and commands are answered here, on the shared database.
    """
    from moderation_bot.scale.gateway import StreamingService
    from moderation_bot.scale.streams import StreamPublisher, open_redis

    chosen = set(settings.gateway_platforms.split(",")) - {""} or {"discord", "telegram"}
    actions: dict[str, PlatformActions] = {}
    builders = {"discord": _discord, "telegram": _telegram}
    platforms = [factory for name in sorted(chosen)
                 if (factory := builders[name](settings, actions)) is not None]
    if not platforms:
        raise StartupError("a gateway needs MODBOT_DISCORD_TOKEN or MODBOT_TELEGRAM_TOKEN "
                           "(for the platforms in MODBOT_GATEWAY_PLATFORMS)")
    config = _stream_config(settings)
    async with contextlib.AsyncExitStack() as stack:
        redis = await stack.enter_async_context(open_redis(config.url))
        pipeline = await stack.enter_async_context(
            open_service(settings, actions, classifier=classifier))
        service = StreamingService(StreamPublisher(redis, config), pipeline)
        await _start_all(stack, [factory(service) for factory in platforms])
        await _serve(settings, [], f"Gateway running ({', '.join(sorted(actions))}) -> stream "
                     f"{config.stream}. Press Ctrl-C to stop.")
    log.info("stopped", extra=fields(role="gateway"))


async def run_worker(
    settings: Settings, actions: Mapping[str, PlatformActions] | None = None, *,
    classifier: Classifier | None = None,
) -> None:
    """Decide the stream's messages (steps 1-6) and send the effects through the platforms'
    REST APIs. ``actions`` replaces the platforms built from the settings (tests)."""
    from moderation_bot.scale.streams import StreamConsumer, open_redis
    from moderation_bot.scale.worker import StreamWorker

    platform_actions: dict[str, PlatformActions] = dict(actions or {})
    discord_runners, telegram = ([], []) if actions is not None else _rest_platforms(
        settings, platform_actions)
    config = _stream_config(settings)
    name = consumer_name(settings)
    async with contextlib.AsyncExitStack() as stack:
        for adapter in telegram:
            stack.push_async_callback(adapter.stop)
        redis = await stack.enter_async_context(open_redis(config.url))
        pipeline = await stack.enter_async_context(
            open_service(settings, platform_actions, classifier=classifier))
        for runner in discord_runners:
            runner.attach(pipeline)
        await _start_all(stack, list(discord_runners))

        async def decided(key: str) -> bool:
            return await pipeline.store.verdicts.find(key) is not None

        worker = StreamWorker(pipeline, StreamConsumer(redis, config, name), decided=decided,
                              concurrency=settings.worker_concurrency,
                              claim_every_s=max(0.5, settings.stream_claim_idle_s / 2))
        consuming = asyncio.create_task(worker.run(), name="modbot-worker")
        background = [
            asyncio.create_task(pipeline.dispatcher.run_forever(settings.dispatch_poll_s)),
            asyncio.create_task(_retention_loop(pipeline, settings.retention_interval_s)),
        ]
        try:
            await _serve(settings, [], f"Worker {name} running: stream {config.stream}, group "
                         f"{config.group}. Press Ctrl-C to stop.", watch=consuming)
        finally:
            worker.stop()
            # Entries in hand are finished and acknowledged; a worker killed instead leaves
            # them pending, and another takes them over.
            with contextlib.suppress(asyncio.CancelledError):
                await consuming
            await _stop(background)
    log.info("stopped", extra=fields(role="worker", consumer=name))


async def run_web(settings: Settings) -> None:
    """The moderators' review UI only. Its decisions' effects are sent from here through the
    platforms' REST APIs (and by the workers, should this process stop first)."""
    actions: dict[str, PlatformActions] = {}
    discord_runners, telegram = _rest_platforms(settings, actions)
    async with contextlib.AsyncExitStack() as stack:
        for adapter in telegram:
            stack.push_async_callback(adapter.stop)
        pipeline = await stack.enter_async_context(open_service(settings, actions))
        for runner in discord_runners:
            runner.attach(pipeline)
        await _start_all(stack, list(discord_runners))
        await _serve(settings, _review_routes(settings, pipeline),
                     f"Review UI running at {settings.web_url}/review. Press Ctrl-C to stop.")
    log.info("stopped", extra=fields(role="web"))


def _review_routes(settings: Settings, pipeline: Pipeline) -> list[Route | Mount]:
    if settings.review_secret is None:
        log.warning("MODBOT_REVIEW_SECRET is unset: with several web replicas, set it so that "
                    "every replica accepts the forms of the others")
    secret = (settings.review_secret.get_secret_value().encode() if settings.review_secret
              else secrets.token_bytes(32))
    review = build_review_app(pipeline, pipeline.store, secret=secret,
                              base_url=f"{settings.web_url}/review")
    return [Route("/review", lambda request: RedirectResponse("/review/")),
            Mount("/review", app=review)]
