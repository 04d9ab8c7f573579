"""The sandbox's in-memory event feed: what the local web page (and a replay) shows happened.

Every platform call the sandbox performs becomes one :class:`FeedEvent` with an increasing
sequence number. The feed is bounded (old events fall off), lives only in this process, and lets
readers wait for new events without polling hot: :meth:`SandboxFeed.wait_after` returns as soon as
something newer than a given sequence number is published.

A case card is kept once: publishing a card under a ``key`` that is already present removes the
older event, so the feed never shows the same case twice.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

DEFAULT_MAX_EVENTS = 1000


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One thing that happened in the sandbox.

    ``kind`` is one of ``message``, ``private_notice``, ``message_removed``, ``timeout``,
    ``timeout_lifted``, ``ban``, ``case``, ``case_action``, ``recipient_feedback`` or ``reset``.
    ``key`` identifies an event that later events replace (a case card's ref); ``data`` is
    JSON-ready.
    """

    seq: int
    kind: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    key: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: ``{"seq", "kind", "at", "key", "data"}``."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "key": self.key,
            "data": dict(self.data),
        }


class SandboxFeed:
    """A bounded, ordered, in-memory list of :class:`FeedEvent` with waiters for live updates.

    Not thread-safe: use it from one event loop (or from plain synchronous code, e.g. a replay).
    """

    def __init__(self, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        if max_events < 1:
            raise ValueError("max_events must be at least 1")
        self._events: deque[FeedEvent] = deque(maxlen=max_events)
        self._seq = 0
        self._waiters: set[asyncio.Future[None]] = set()
        self._closed = False
        self.epoch = uuid.uuid4().hex[:12]
        """Identifies this feed: a reader that sees it change knows the process restarted."""

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest event ever published (0 when none)."""
        return self._seq

    def publish(
        self, kind: str, data: Mapping[str, Any], *, key: str | None = None
    ) -> FeedEvent:
        """Append an event (replacing any earlier one with the same ``key``) and wake waiters."""
        if key is not None:
            self._drop_key(key)
        self._seq += 1
        event = FeedEvent(seq=self._seq, kind=kind, at=datetime.now(UTC), data=data, key=key)
        self._events.append(event)
        self._wake()
        return event

    def find(self, key: str) -> FeedEvent | None:
        """The current event stored under ``key``, if it is still in the feed."""
        for event in self._events:
            if event.key == key:
                return event
        return None

    def events(self, after: int = 0) -> list[FeedEvent]:
        """Events with a sequence number greater than ``after``, oldest first."""
        return [event for event in self._events if event.seq > after]

    def clear(self) -> FeedEvent:
        """Forget every event and publish a single ``reset`` event (sequence numbers go on)."""
        self._events.clear()
        return self.publish("reset", {})

    async def wait_after(self, after: int, timeout: float) -> list[FeedEvent]:
        """Events newer than ``after``; waits up to ``timeout`` seconds when there are none yet.

        Returns an empty list on timeout or once the feed is closed.
        """
        pending = self.events(after)
        if pending or self._closed or timeout <= 0:
            return pending
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)
        return self.events(after)

    def close(self) -> None:
        """Wake every waiter now and stop waiting from here on (at shutdown)."""
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        for waiter in list(self._waiters):
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    def _drop_key(self, key: str) -> None:
        kept = [event for event in self._events if event.key != key]
        if len(kept) != len(self._events):
            self._events.clear()
            self._events.extend(kept)
