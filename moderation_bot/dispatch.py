"""The dispatcher: the one place where decided effects become platform calls.

It reads due rows from the outbox, calls the platform's port with the row's idempotency key,
and marks the row done only after the call succeeded. A failed call is retried with exponential
backoff until ``max_attempts``; a crash between "stored" and "sent" leaves the row pending, so
the next start sends it (once: rows are marked done as they succeed, and the key lets the
platform drop a repeat of a call whose success was not recorded).

A platform that answers ``ok=False`` has refused for good (missing rights, DMs closed, unknown
chat) unless its ``detail`` starts with ``transient:``; an exception is always worth retrying.

A warning and the advice for the same person about the same message are merged into one private
message: one calm message is kinder than two.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from moderation_bot.clock import utcnow
from moderation_bot.core.ports import PlatformActions
from moderation_bot.core.types import (
    DeliveryResult,
    EffectKind,
    MessageRef,
    Notice,
)
from moderation_bot.logs import fields
from moderation_bot.storage import Store
from moderation_bot.storage.codec import user_from_dict
from moderation_bot.storage.outbox import OutboxRow

log = logging.getLogger(__name__)

Renderer = Callable[[EffectKind, str, str, bool | None], Notice]

MAX_BACKOFF_S = 300.0


class DispatchError(RuntimeError):
    """A platform call could not be made (no adapter, or the adapter reported failure)."""


class RefusedForGood(DispatchError):
    """The platform refused in a way retrying cannot fix (missing rights, unknown chat)."""


TRANSIENT_PREFIX = "transient:"


def backoff_seconds(attempts: int) -> float:
    """1 s, 2 s, 4 s ... capped at five minutes, with jitter so retries do not stampede."""
    base: float = min(MAX_BACKOFF_S, 2.0 ** max(0, attempts))
    return base * random.uniform(0.8, 1.2)


def merge_notices(warning: Notice, advice: Notice) -> Notice:
    return Notice(
        topic=warning.topic,
        locale=warning.locale,
        headline=warning.headline,
        body=warning.body,
        advice=advice.advice or warning.advice,
        links=advice.links or warning.links,
    )


class Dispatcher:
    def __init__(
        self, store: Store, actions: Mapping[str, PlatformActions], render: Renderer, *,
        max_attempts: int = 8, clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._actions = dict(actions)
        self._render = render
        self._max_attempts = max_attempts
        self._clock = clock
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[int]] = set()

    def add_actions(self, actions: PlatformActions) -> None:
        self._actions[actions.platform] = actions

    def submit(self) -> None:
        """Send what is due soon, without making the caller wait for the platforms."""
        task = asyncio.create_task(self.run_due(), name="modbot-dispatch")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every submitted pass to finish (tests, replay, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def run_forever(self, poll_s: float) -> None:
        """Retry due rows and pick up rows left by a crash, every ``poll_s`` seconds."""
        while True:
            await self.run_due()
            await asyncio.sleep(poll_s)

    async def run_due(self) -> int:
        """Process every due row once; returns how many rows were completed."""
        async with self._lock:
            completed = 0
            handled: set[int] = set()
            while True:
                rows = [r for r in await self._store.outbox.due(self._clock()) if r.id not in handled]
                if not rows:
                    return completed
                for row in rows:
                    if row.id in handled:
                        continue
                    handled.add(row.id)
                    completed += await self._run_row(row, handled)

    async def _run_row(self, row: OutboxRow, handled: set[int]) -> int:
        try:
            done_ids, result = await self._send(row)
        except Exception as error:  # noqa: BLE001 - any platform failure is retried, then recorded
            await self._record_failure(row, error)
            return 0
        handled.update(done_ids)
        async with self._store.transaction():
            await self._store.outbox.mark_done(done_ids, self._clock(), result.ref)
            if row.kind == EffectKind.ESCALATE and row.case_id is not None and result.ref:
                await self._store.cases.set_moderator_ref(row.case_id, result.ref)
        log.info("effect sent", extra=fields(outbox_id=row.id, kind=row.kind, case_id=row.case_id,
                                             policy=row.policy, merged=len(done_ids) - 1))
        return len(done_ids)

    async def _record_failure(self, row: OutboxRow, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"
        now = self._clock()
        if isinstance(error, RefusedForGood) or row.attempts + 1 >= self._max_attempts:
            await self._store.outbox.mark_failed(row.id, reason, now)
            if row.case_id is not None:
                await self._store.cases.add_event(
                    row.case_id, "modbot", "effect_failed", now, reason=reason, policy=row.policy,
                    data={"kind": row.kind, "outbox_id": row.id},
                )
            log.error("effect failed for good", extra=fields(
                outbox_id=row.id, kind=row.kind, case_id=row.case_id, error=type(error).__name__))
            return
        delay = backoff_seconds(row.attempts)
        await self._store.outbox.mark_retry(row.id, reason, now + timedelta(seconds=delay))
        log.warning("effect will be retried", extra=fields(
            outbox_id=row.id, kind=row.kind, attempts=row.attempts + 1, retry_in_s=round(delay, 1),
            error=type(error).__name__))

    async def _send(self, row: OutboxRow) -> tuple[list[int], DeliveryResult]:
        actions = self._actions.get(row.platform)
        if actions is None:
            raise DispatchError(f"no adapter is running for platform '{row.platform}'")
        kind = EffectKind(row.kind)
        payload = row.payload
        key = row.idempotency_key
        done = [row.id]
        if kind in (EffectKind.WARN_RECIPIENT, EffectKind.SEND_ADVICE, EffectKind.SUPPORT_VICTIM):
            notice, merged = await self._notice_for(row, kind)
            done += merged
            result = await actions.send_private(
                user_from_dict(payload["target"]), notice, community_id=row.community_id,
                idempotency_key=key,
            )
        elif kind is EffectKind.DELETE_MESSAGE:
            message = payload["message"]
            result = await actions.delete_message(
                MessageRef(row.platform, row.community_id, message["channel_id"],
                           message["message_id"]),
                idempotency_key=key,
            )
        elif kind is EffectKind.TIMEOUT_SENDER:
            result = await actions.timeout_user(
                row.community_id, user_from_dict(payload["target"]), int(payload["seconds"]),
                reason=payload["reason"], idempotency_key=key,
            )
        elif kind is EffectKind.BAN_SENDER:
            result = await actions.ban_user(
                row.community_id, user_from_dict(payload["target"]), reason=payload["reason"],
                idempotency_key=key,
            )
        else:
            result, merged = await self._post_case(row, actions)
            done += merged
        if not result.ok:
            detail = result.detail or "the platform refused the call"
            if detail.startswith(TRANSIENT_PREFIX):
                raise DispatchError(detail)
            raise RefusedForGood(detail)
        return done, result

    async def _notice_for(self, row: OutboxRow, kind: EffectKind) -> tuple[Notice, list[int]]:
        topic, locale = row.payload["topic"], row.payload["locale"]
        minor = row.payload.get("minor")
        notice = self._render(kind, topic, locale, minor)
        if kind is not EffectKind.WARN_RECIPIENT or row.verdict_id is None:
            return notice, []
        siblings = [
            r for r in await self._store.outbox.pending_for_verdict(row.verdict_id)
            if r.kind == EffectKind.SEND_ADVICE and r.target_id == row.target_id
        ]
        if not siblings:
            return notice, []
        advice = self._render(EffectKind.SEND_ADVICE, siblings[0].payload["topic"], locale, minor)
        return merge_notices(notice, advice), [r.id for r in siblings]

    async def _post_case(
        self, row: OutboxRow, actions: PlatformActions
    ) -> tuple[DeliveryResult, list[int]]:
        assert row.case_id is not None, "an escalation always names its case"
        # Rows pending before the report is read are covered by it: it holds their evidence.
        covered = [r.id for r in await self._store.outbox.pending_escalations(row.case_id)
                   if r.id != row.id]
        report = await self._store.cases.report(row.case_id)
        if report is None:  # the case was deleted (a user's data removed): nothing to post
            return DeliveryResult(ok=True, detail="case no longer exists"), covered
        settings = await self._store.communities.get(row.platform, row.community_id)
        existing = await self._store.cases.moderator_ref(row.case_id)
        result = await actions.post_case(
            report, channel_id=settings.moderator_channel_id if settings else None,
            existing_ref=existing, idempotency_key=row.idempotency_key,
        )
        return result, covered
