"""The dispatcher: the one place where decided effects become platform calls.

It reads due rows from the outbox, calls the platform's port with the row's idempotency key,
and marks the row done only after the call succeeded. A failed call is retried with exponential
backoff until ``max_attempts``; a crash between "stored" and "sent" leaves the row pending, so
the next start sends it (once: rows are marked done as they succeed, and the key lets the
platform drop a repeat of a call whose success was not recorded).

A platform that answers ``ok=False`` has refused for good (missing rights, DMs closed, unknown
chat) unless its ``detail`` starts with ``transient:``; an exception is always worth retrying.

A warning and the advice for the same person about the same message are merged into one private
message: one calm message is kinder than two. A warning names its case (``Notice.case_id``), so
the person can answer it ("this was fine"); support for someone who disclosed does not.

Timeouts and lifts of one member in one community are sent in the order they were queued: a row
waits (without counting an attempt) while an earlier one for that member is pending, so a lift
queued by a dismiss always lands after the timeout it undoes, even one still being retried.

Several dispatchers (one per worker process) may share one outbox: each sends only the rows it
has leased (``OutboxRepository.claim_due``), renews its leases while it works, and releases a
row when it is done, retried or failed. Rows merged into one call (warning + advice, the pending
escalations of one case) are leased together; when another dispatcher holds part of a case's
escalations, this one steps back for a moment instead of posting the case twice. ``name`` must
be unique among live dispatchers (the worker's consumer name); a restarted dispatcher with the
same name takes back at once the rows its killed predecessor held.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import replace
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
from moderation_bot.recipient_feedback import with_answers
from moderation_bot.storage import Store
from moderation_bot.storage.codec import user_from_dict
from moderation_bot.storage.outbox import Claimant, OutboxRow

log = logging.getLogger(__name__)

Renderer = Callable[[EffectKind, str, str, bool | None], Notice]

MAX_BACKOFF_S = 300.0
DEFAULT_LEASE_S = 60.0
STEP_BACK_S = 1.0


class DispatchError(RuntimeError):
    """A platform call could not be made (no adapter, or the adapter reported failure)."""


class RefusedForGood(DispatchError):
    """The platform refused in a way retrying cannot fix (missing rights, unknown chat)."""


class NotYet(Exception):
    """An earlier timeout or lift for the same member is still pending: try again shortly."""


class HeldElsewhere(Exception):
    """Another dispatcher is sending part of what this row would cover: try again shortly."""

    def __init__(self, held: set[int]) -> None:
        super().__init__("held by another dispatcher")
        self.held = held


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
        case_id=warning.case_id,
    )


class Dispatcher:
    def __init__(
        self, store: Store, actions: Mapping[str, PlatformActions], render: Renderer, *,
        max_attempts: int = 8, clock: Callable[[], datetime] = utcnow, name: str | None = None,
        lease_s: float = DEFAULT_LEASE_S, only_own_platforms: bool = False,
    ) -> None:
        self._store = store
        self._actions = dict(actions)
        self._render = render
        self._max_attempts = max_attempts
        self._clock = clock
        self._claimant = Claimant(name or socket.gethostname(), secrets.token_hex(8))
        self._lease = timedelta(seconds=lease_s)
        self._previous_runs_released = False
        # Scale-out: a process leases only rows of the platforms it can reach, and leaves the
        # others to the processes that can (instead of counting a failed attempt).
        self._only_own_platforms = only_own_platforms
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[int]] = set()

    @property
    def claimant(self) -> Claimant:
        return self._claimant

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
        """Lease and process every due row once; returns how many rows were completed."""
        outbox = self._store.outbox
        async with self._lock:
            if not self._previous_runs_released:
                released = await outbox.release_previous_runs(self._claimant)
                self._previous_runs_released = True
                if released:
                    log.info("outbox rows of a previous run taken back", extra=fields(
                        dispatcher=self._claimant.name, rows=released))
            completed = 0
            handled: set[int] = set()
            claimed: set[int] = set()
            renewer = asyncio.create_task(self._renew_leases(), name="modbot-dispatch-leases")
            try:
                while True:
                    now = self._clock()
                    platforms = sorted(self._actions) if self._only_own_platforms else None
                    rows = [r for r in await outbox.claim_due(self._claimant, now,
                                                              now + self._lease,
                                                              platforms=platforms)
                            if r.id not in handled]
                    if not rows:
                        return completed
                    claimed.update(r.id for r in rows)
                    for row in rows:
                        if row.id in handled:
                            continue
                        handled.add(row.id)
                        completed += await self._run_row(row, handled)
            finally:
                renewer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewer
                if claimed - handled:  # an error stopped the pass: give the rest back
                    await self._give_back(sorted(claimed - handled))

    async def _give_back(self, ids: list[int]) -> None:
        try:
            await self._store.outbox.release(ids, self._claimant)
        except Exception:  # noqa: BLE001 - best effort: the leases run out by themselves
            log.warning("outbox leases not released; they expire", extra=fields(rows=len(ids)))

    async def _renew_leases(self) -> None:
        """Keep this run's leases alive while a slow platform call is in flight."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            try:
                await self._store.outbox.renew(self._claimant, self._clock() + self._lease)
            except Exception as error:  # noqa: BLE001 - tried again at the next beat
                log.warning("outbox leases not renewed", extra=fields(
                    dispatcher=self._claimant.name, error=type(error).__name__))

    async def _run_row(self, row: OutboxRow, handled: set[int]) -> int:
        try:
            done_ids, result = await self._send(row)
        except HeldElsewhere as busy:
            await self._store.outbox.release(
                [row.id, *sorted(busy.held)], self._claimant,
                self._clock() + timedelta(seconds=STEP_BACK_S * random.uniform(0.5, 1.5)))
            handled.update(busy.held)
            log.info("effect postponed: another dispatcher is sending this case", extra=fields(
                outbox_id=row.id, kind=row.kind, case_id=row.case_id))
            return 0
        except NotYet:
            await self._store.outbox.release(
                [row.id], self._claimant,
                self._clock() + timedelta(seconds=STEP_BACK_S * random.uniform(0.5, 1.5)))
            log.info("effect postponed: an earlier one for this member is pending", extra=fields(
                outbox_id=row.id, kind=row.kind, case_id=row.case_id))
            return 0
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
            # Merged advice concerns the same message, so this row's hint stands for all of them;
            # rows queued before the hint existed carry none.
            result = await actions.send_private(
                user_from_dict(payload["target"]), notice, community_id=row.community_id,
                idempotency_key=key, channel_id=payload.get("channel_id"),
                conversation_id=payload.get("conversation_id"),
            )
        elif kind is EffectKind.DELETE_MESSAGE:
            message = payload["message"]
            result = await actions.delete_message(
                MessageRef(row.platform, row.community_id, message["channel_id"],
                           message["message_id"]),
                idempotency_key=key,
            )
        elif kind is EffectKind.TIMEOUT_SENDER:
            await self._after_earlier_member_rows(row)
            result = await actions.timeout_user(
                row.community_id, user_from_dict(payload["target"]), int(payload["seconds"]),
                reason=payload["reason"], idempotency_key=key,
            )
        elif kind is EffectKind.LIFT_TIMEOUT:
            await self._after_earlier_member_rows(row)
            result = await actions.lift_timeout(
                row.community_id, user_from_dict(payload["target"]), reason=payload["reason"],
                idempotency_key=key,
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

    async def _after_earlier_member_rows(self, row: OutboxRow) -> None:
        """Raise ``NotYet`` while a timeout or lift queued earlier for the same member of the
        same community is pending (sent last, it would undo this one)."""
        if await self._store.outbox.earlier_member_restriction_pending(row):
            raise NotYet

    async def _notice_for(self, row: OutboxRow, kind: EffectKind) -> tuple[Notice, list[int]]:
        topic, locale = row.payload["topic"], row.payload["locale"]
        minor = row.payload.get("minor")
        notice = self._render(kind, topic, locale, minor)
        if kind is EffectKind.SUPPORT_VICTIM:
            return notice, []
        notice = replace(notice, case_id=row.case_id)
        if kind is not EffectKind.WARN_RECIPIENT or row.verdict_id is None:
            return notice, []
        candidates = [
            r for r in await self._store.outbox.pending_for_verdict(row.verdict_id)
            if r.kind == EffectKind.SEND_ADVICE and r.target_id == row.target_id
        ]
        # Only advice this dispatcher could lease is merged; advice held by another is sent there.
        held = await self._claim([r.id for r in candidates])
        siblings = [r for r in candidates if r.id in held]
        if not siblings:
            return notice, []
        advice = self._render(EffectKind.SEND_ADVICE, siblings[0].payload["topic"], locale, minor)
        return merge_notices(notice, advice), [r.id for r in siblings]

    async def _claim(self, ids: list[int]) -> set[int]:
        now = self._clock()
        return await self._store.outbox.claim(ids, self._claimant, now, now + self._lease)

    async def _post_case(
        self, row: OutboxRow, actions: PlatformActions
    ) -> tuple[DeliveryResult, list[int]]:
        assert row.case_id is not None, "an escalation always names its case"
        # Rows pending before the report is read are covered by it: it holds their evidence.
        covered = [r.id for r in await self._store.outbox.pending_escalations(row.case_id)
                   if r.id != row.id]
        held = await self._claim(covered)
        if held != set(covered):  # another dispatcher is posting this case right now
            raise HeldElsewhere(held)
        report = await self._store.cases.report(row.case_id)
        if report is None:  # the case was deleted (a user's data removed): nothing to post
            return DeliveryResult(ok=True, detail="case no longer exists"), covered
        report = await with_answers(self._store, report)
        settings = await self._store.communities.get(row.platform, row.community_id)
        existing = await self._store.cases.moderator_ref(row.case_id)
        result = await actions.post_case(
            report, channel_id=settings.moderator_channel_id if settings else None,
            existing_ref=existing, idempotency_key=row.idempotency_key,
        )
        return result, covered
