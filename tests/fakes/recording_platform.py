"""A working fake of the PlatformActions port that records every call.

Like a real platform that honours idempotency keys (Discord's enforced nonce), a repeated call
with a key it has already seen is acknowledged without a second delivery. ``fail_next`` makes the
next calls fail, as a platform outage would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moderation_bot.core.types import CaseReport, DeliveryResult, MessageRef, Notice, UserRef


@dataclass
class Call:
    method: str
    key: str
    args: dict[str, Any]


@dataclass
class RecordingPlatform:
    platform: str = "test"
    calls: list[Call] = field(default_factory=list)
    failures_left: int = 0
    _results: dict[str, DeliveryResult] = field(default_factory=dict)
    _case_messages: int = 0

    def fail_next(self, count: int = 1) -> None:
        self.failures_left = count

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def _record(self, method: str, key: str, ref: str | None = None, **args: Any) -> DeliveryResult:
        if self.failures_left > 0:
            self.failures_left -= 1
            raise ConnectionError("platform unavailable")
        if key in self._results:
            return self._results[key]
        self.calls.append(Call(method, key, args))
        result = DeliveryResult(ok=True, ref=ref)
        self._results[key] = result
        return result

    async def send_private(self, user: UserRef, notice: Notice, *, community_id: str,
                           idempotency_key: str, channel_id: str | None = None,
                           conversation_id: str | None = None) -> DeliveryResult:
        return self._record("send_private", idempotency_key, user=user, notice=notice,
                            community_id=community_id, channel_id=channel_id,
                            conversation_id=conversation_id)

    async def delete_message(self, message: MessageRef, *, idempotency_key: str) -> DeliveryResult:
        return self._record("delete_message", idempotency_key, message=message)

    async def timeout_user(self, community_id: str, user: UserRef, seconds: int, *, reason: str,
                           idempotency_key: str) -> DeliveryResult:
        return self._record("timeout_user", idempotency_key, user=user, seconds=seconds,
                            reason=reason)

    async def lift_timeout(self, community_id: str, user: UserRef, *, reason: str,
                           idempotency_key: str) -> DeliveryResult:
        return self._record("lift_timeout", idempotency_key, user=user, reason=reason)

    async def ban_user(self, community_id: str, user: UserRef, *, reason: str,
                       idempotency_key: str) -> DeliveryResult:
        return self._record("ban_user", idempotency_key, user=user, reason=reason)

    async def post_case(self, report: CaseReport, *, channel_id: str | None,
                        existing_ref: str | None, idempotency_key: str) -> DeliveryResult:
        ref = existing_ref
        if ref is None:
            self._case_messages += 1
            ref = f"case-message-{self._case_messages}"
        return self._record("post_case", idempotency_key, ref=ref, report=report,
                            channel_id=channel_id, existing_ref=existing_ref)
