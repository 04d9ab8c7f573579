"""The BotService a gateway hands its platform adapters.

``handle`` publishes the message to the stream and returns at once (``skipped="queued"``): the
decision is a worker's. Everything else a platform adapter asks (settings, a moderator's button,
an export, a sign-in link, a privacy deletion) is quick, rare, and goes to a real ``Pipeline`` on
the shared database, whose dispatcher sends the effects it queues (outbox leases make that safe
beside the workers' dispatchers).
"""

from __future__ import annotations

from moderation_bot.core.ports import BotService
from moderation_bot.core.types import (
    Assessment,
    CaseReport,
    CommunitySettings,
    CommunityStatus,
    EvidenceBundle,
    IncomingMessage,
    ModeratorAction,
    Outcome,
    UserRef,
)
from moderation_bot.scale.streams import StreamPublisher

QUEUED = "queued"


class StreamingService:
    """Implements ``BotService``: ``handle`` -> the stream; the rest -> ``service``."""

    def __init__(self, publisher: StreamPublisher, service: BotService) -> None:
        self._publisher = publisher
        self._service = service

    async def handle(self, message: IncomingMessage) -> Outcome:
        if not message.text.strip():
            return Outcome(message_key=message.idempotency_key, flagged=False, labels=(),
                           scores={}, skipped="empty")
        await self._publisher.publish(message)
        return Outcome(message_key=message.idempotency_key, flagged=False, labels=(), scores={},
                       skipped=QUEUED)

    # -- everything else: the shared database, through a real pipeline ---------------------

    async def assess(self, text: str, *, locale: str = "en") -> Assessment:
        return await self._service.assess(text, locale=locale)

    async def resolve(self, platform: str, community_id: str, case_id: int,
                      action: ModeratorAction, moderator: UserRef, *,
                      note: str = "") -> CaseReport | None:
        return await self._service.resolve(platform, community_id, case_id, action, moderator,
                                           note=note)

    async def record_refusal(self, platform: str, community_id: str, case_id: int,
                             actor: UserRef, action: str) -> None:
        await self._service.record_refusal(platform, community_id, case_id, actor, action)

    async def record_recipient_feedback(self, platform: str, community_id: str, case_id: int,
                                        recipient: UserRef, verdict: str = "fine") -> bool:
        return await self._service.record_recipient_feedback(platform, community_id, case_id,
                                                             recipient, verdict)

    async def case_report(self, platform: str, community_id: str,
                          case_id: int) -> CaseReport | None:
        return await self._service.case_report(platform, community_id, case_id)

    async def export_case(self, platform: str, community_id: str, case_id: int,
                          requested_by: UserRef) -> EvidenceBundle | None:
        return await self._service.export_case(platform, community_id, case_id, requested_by)

    async def get_settings(self, platform: str, community_id: str) -> CommunitySettings:
        return await self._service.get_settings(platform, community_id)

    async def save_settings(self, settings: CommunitySettings, changed_by: UserRef) -> None:
        await self._service.save_settings(settings, changed_by)

    async def status(self, platform: str, community_id: str) -> CommunityStatus:
        return await self._service.status(platform, community_id)

    async def delete_user_data(self, platform: str, user_id: str) -> int:
        return await self._service.delete_user_data(platform, user_id)

    async def report(self, message: IncomingMessage, reporter: UserRef) -> int:
        return await self._service.report(message, reporter)

    async def dashboard_link(self, platform: str, community_id: str, moderator: UserRef) -> str:
        return await self._service.dashboard_link(platform, community_id, moderator)

    async def delete_community_data(self, platform: str, community_id: str) -> int:
        return await self._service.delete_community_data(platform, community_id)
