"""Conversation context: the sender's risk in this conversation and across the community.

Called inside the pipeline's transaction, so the state read, the decision made from it and the
state written back are atomic. The risk arithmetic itself is policy data (``PolicyBook``); this
module only loads, assembles and saves the state, and adds what needs the store: how many
conversations got the same text from this sender (a campaign), and how many other communities
have an open case on them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from moderation_bot.core.types import Classification, CommunitySettings, IncomingMessage, RiskState
from moderation_bot.policy_book import PolicyBook
from moderation_bot.storage import Store
from moderation_bot.storage.state import ConversationRow, SenderRow

CAMPAIGN_WINDOW = timedelta(hours=24)
CAMPAIGN_MIN_CHARS = 16  # "hi" and "lol" are sent to many people without being a campaign


class ConversationTracker:
    def __init__(self, store: Store, policies: PolicyBook) -> None:
        self._store = store
        self._policies = policies

    async def observe(
        self, settings: CommunitySettings, message: IncomingMessage,
        classification: Classification, normalized: str, normalized_sha256: str, now: datetime,
    ) -> RiskState:
        """Fold this message into the sender's state and return the state after it."""
        state = self._store.state
        conversation = await state.conversation(
            message.platform, message.community_id, message.conversation_id, message.sender.id
        )
        sender = await state.sender(message.platform, message.community_id, message.sender.id)
        campaign = 1
        if len(normalized) >= CAMPAIGN_MIN_CHARS:
            campaign = await state.record_text(
                message.platform, message.community_id, message.sender.id, normalized_sha256,
                message.conversation_id, now, CAMPAIGN_WINDOW,
            )
        elsewhere = await self._store.cases.open_elsewhere(
            message.platform, message.sender.id, message.community_id
        )
        previous = RiskState(
            conversation_risk=conversation.risk if conversation else 0.0,
            sender_risk=sender.risk if sender else 0.0,
            signals=conversation.signals if conversation else frozenset(),
            message_count=conversation.message_count if conversation else 0,
            campaign_size=campaign,
            other_communities_flagged=elsewhere,
        )
        after = self._policies.advance_risk(
            settings, previous, classification,
            _seconds_between(conversation.updated_at if conversation else None, now),
            _seconds_between(sender.updated_at if sender else None, now),
        )
        after = replace(after, campaign_size=campaign, other_communities_flagged=elsewhere)
        await state.save_conversation(
            message.platform, message.community_id, message.conversation_id, message.sender.id,
            ConversationRow(after.conversation_risk, after.signals, after.message_count, now),
        )
        await state.save_sender(
            message.platform, message.community_id, message.sender.id,
            SenderRow(after.sender_risk, now),
        )
        return after


def _seconds_between(earlier: datetime | None, later: datetime) -> float | None:
    return None if earlier is None else max(0.0, (later - earlier).total_seconds())
