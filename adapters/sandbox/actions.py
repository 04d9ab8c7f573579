"""The sandbox platform: :class:`PlatformActions` that record what they did instead of calling out.

Used by the local web page (``moderation-bot run`` with no credentials) and by
``moderation-bot replay`` (no web server at all). Every call becomes an event in a
:class:`~adapters.sandbox.feed.SandboxFeed`; nothing leaves the process.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from adapters.sandbox.feed import SandboxFeed
from adapters.sandbox.serialize import (
    case_json,
    message_ref_json,
    notice_json,
    user_json,
)
from moderation_bot.core.types import (
    CaseReport,
    DeliveryResult,
    IncomingMessage,
    MessageRef,
    Notice,
    UserRef,
)

PLATFORM = "sandbox"
_MAX_REMEMBERED_KEYS = 10_000


def case_card_ref(case_id: int) -> str:
    """The stable reference of a case's card in the moderators' channel."""
    return f"sandbox-case-{case_id}"


class SandboxActions:
    """Records sends, deletions, timeouts (and their lifting), bans and case cards as feed events.

    A call repeated with the same ``idempotency_key`` returns the first result and records
    nothing new. Results for the most recent keys are remembered (bounded).
    """

    def __init__(self, feed: SandboxFeed | None = None) -> None:
        self.feed = feed if feed is not None else SandboxFeed()
        self._results: OrderedDict[str, DeliveryResult] = OrderedDict()
        self._notice_count = 0

    @property
    def platform(self) -> str:
        return PLATFORM

    async def send_private(
        self, user: UserRef, notice: Notice, *, community_id: str, idempotency_key: str,
        channel_id: str | None = None, conversation_id: str | None = None,
    ) -> DeliveryResult:
        def record() -> DeliveryResult:
            self._notice_count += 1
            ref = f"sandbox-notice-{self._notice_count}"
            self.feed.publish(
                "private_notice",
                {
                    "ref": ref,
                    "community_id": community_id,
                    "user": user_json(user),
                    "notice": notice_json(notice),
                },
            )
            return DeliveryResult(ok=True, ref=ref)

        return self._once(idempotency_key, record)

    async def delete_message(self, message: MessageRef, *, idempotency_key: str) -> DeliveryResult:
        def record() -> DeliveryResult:
            self.feed.publish("message_removed", {"message": message_ref_json(message)})
            return DeliveryResult(ok=True, ref=message.message_id)

        return self._once(idempotency_key, record)

    async def timeout_user(
        self, community_id: str, user: UserRef, seconds: int, *, reason: str, idempotency_key: str
    ) -> DeliveryResult:
        def record() -> DeliveryResult:
            self.feed.publish(
                "timeout",
                {
                    "community_id": community_id,
                    "user": user_json(user),
                    "seconds": int(seconds),
                    "reason": reason,
                },
            )
            return DeliveryResult(ok=True)

        return self._once(idempotency_key, record)

    async def lift_timeout(
        self, community_id: str, user: UserRef, *, reason: str, idempotency_key: str
    ) -> DeliveryResult:
        def record() -> DeliveryResult:
            self.feed.publish(
                "timeout_lifted",
                {"community_id": community_id, "user": user_json(user), "reason": reason},
            )
            return DeliveryResult(ok=True)

        return self._once(idempotency_key, record)

    async def ban_user(
        self, community_id: str, user: UserRef, *, reason: str, idempotency_key: str
    ) -> DeliveryResult:
        def record() -> DeliveryResult:
            self.feed.publish(
                "ban",
                {"community_id": community_id, "user": user_json(user), "reason": reason},
            )
            return DeliveryResult(ok=True)

        return self._once(idempotency_key, record)

    async def post_case(
        self, report: CaseReport, *, channel_id: str | None, existing_ref: str | None,
        idempotency_key: str,
    ) -> DeliveryResult:
        """Show the case card; with ``existing_ref`` the card at that ref is replaced in place."""

        def record() -> DeliveryResult:
            ref = existing_ref or case_card_ref(report.case_id)
            self._publish_card(report, ref=ref, channel_id=channel_id)
            return DeliveryResult(ok=True, ref=ref)

        return self._once(idempotency_key, record)

    def refresh_case(self, report: CaseReport) -> bool:
        """Replace the card of ``report``'s case with its new state, if the feed shows one.

        Used after a moderator's action so the card shows the new status at once. Returns whether
        a card was found. Evidence text is never put in the feed.
        """
        for event in self.feed.events():
            if event.kind == "case" and event.data.get("case", {}).get("case_id") == report.case_id:
                self._publish_card(
                    report, ref=event.key or case_card_ref(report.case_id),
                    channel_id=event.data.get("channel_id"),
                )
                return True
        return False

    def record_message(self, message: IncomingMessage, *, mentions: tuple[str, ...] = ()) -> None:
        """Show a message someone posted (the web page's own messages; not a platform call).

        ``mentions`` are the ids of the people @mentioned, for the page to show.
        """
        data = message_json(message)
        data["mentions"] = list(mentions)
        self.feed.publish("message", data)

    def record_case_action(self, case_id: int, action: str, moderator: UserRef) -> None:
        """Show that a moderator acted on a case (who, what; the service keeps the audit)."""
        self.feed.publish(
            "case_action", {"case_id": case_id, "action": action, "moderator": user_json(moderator)}
        )

    def record_answer(self, case_id: int, user: UserRef) -> None:
        """Show that a warned person said the warning on a case was fine (the service keeps it)."""
        self.feed.publish("recipient_feedback", {"case_id": case_id, "user": user_json(user)})

    def reset(self) -> None:
        """Clear what the page shows. The bot's database (cases, audit) is not touched."""
        self.feed.clear()

    def _publish_card(self, report: CaseReport, *, ref: str, channel_id: str | None) -> None:
        self.feed.publish(
            "case",
            {"ref": ref, "channel_id": channel_id, "case": case_json(report, with_text=False)},
            key=ref,
        )

    def _once(
        self, idempotency_key: str, record: Callable[[], DeliveryResult]
    ) -> DeliveryResult:
        previous = self._results.get(idempotency_key)
        if previous is not None:
            self._results.move_to_end(idempotency_key)
            return previous
        result = record()
        self._results[idempotency_key] = result
        if len(self._results) > _MAX_REMEMBERED_KEYS:
            self._results.popitem(last=False)
        return result


def message_json(message: IncomingMessage) -> dict[str, Any]:
    """A posted message as the page shows it (the text stays in memory, never in logs)."""
    return {
        "message_id": message.message_id,
        "community_id": message.community_id,
        "channel_id": message.channel_id,
        "conversation_id": message.conversation_id,
        "private": message.private,
        "sender": user_json(message.sender),
        "recipients": [user_json(user) for user in message.recipients],
        "reply_to": message.reply_to_message_id,
        "text": message.text,
        "sent_at": message.sent_at.isoformat(),
    }
