"""Conversation context: the sender's risk in this conversation and across the community.

Called inside the pipeline's transaction, so the state read, the decision made from it and the
state written back are atomic. The risk arithmetic itself is policy data (``PolicyBook``); this
module only loads, assembles and saves the state, and adds what needs the store: whether the same
or near-same text went to many conversations or came from many accounts here (a campaign), and
how many other communities have an open case on the sender.

A campaign is recognised by a fingerprint of the text (:func:`campaign_bands`), never the text:
names, numbers, amounts, handles, links, emoji and punctuation may differ from one copy to the
next. A campaign sent by several accounts is one case (:meth:`ConversationTracker.open_case`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime, timedelta

from moderation_bot.core.types import (
    Classification,
    CommunitySettings,
    IncomingMessage,
    RiskState,
    Severity,
    UserRef,
)
from moderation_bot.policy_book import PolicyBook
from moderation_bot.storage import Store
from moderation_bot.storage.state import ConversationRow, SenderRow

CAMPAIGN_MIN_CHARS = 16  # "hi" and "lol" are sent to many people without being a campaign
CAMPAIGN_MIN_WORDS = 3  # different words: "lol lol lol lol" is not a campaign either
CAMPAIGN_REACHED_MAX = 200
"""At most this many earlier recipients of a campaign are warned on one message."""

# MinHash over word pairs, cut into bands (locality-sensitive hashing): two texts share a band
# with probability 1 - (1 - J**ROWS)**BANDS for a word-pair overlap (Jaccard) J. With 6 bands
# of 3, copies that differ in a name or two (J about 0.8) share one 98% of the time, texts with
# 30% of their word pairs in common 15% of the time.
_BANDS = 6
_ROWS = 3
_PRIME = (1 << 61) - 1
_SEEDS = tuple(
    (int.from_bytes(hashlib.blake2b(f"campaign-{i}".encode(), digest_size=8).digest()) % _PRIME,
     int.from_bytes(hashlib.blake2b(f"offset-{i}".encode(), digest_size=8).digest()) % _PRIME)
    for i in range(_BANDS * _ROWS)
)
_MASKS = (
    (re.compile(r"\S+@\S+\.\w+"), " email "),
    (re.compile(r"\b(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|net|org|me|io|gg|ly|app)\S*"),
     " link "),
    (re.compile(r"@\w+"), " someone "),
    (re.compile(r"\d+(?:[.,:]\d+)*"), " number "),
)
_WORD = re.compile(r"[^\W\d_]+")


def campaign_bands(normalized: str) -> tuple[str, ...]:
    """The fingerprint of a normalised text as band keys: copies of one message that differ in
    names, numbers, amounts, handles, links, emoji or punctuation share at least one band (with
    high probability), unrelated texts rarely do. Empty for texts too short to tell.

    Deterministic, cheap (a few dozen hashes), and the keys say nothing about the words.
    """
    if len(normalized) < CAMPAIGN_MIN_CHARS:
        return ()
    masked = normalized
    for pattern, replacement in _MASKS:
        masked = pattern.sub(replacement, masked)
    words = _WORD.findall(masked)
    if len(set(words)) < CAMPAIGN_MIN_WORDS:
        return ()
    pairs = {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    hashes = [int.from_bytes(hashlib.blake2b(p.encode(), digest_size=8).digest()) for p in pairs]
    signature = [min((a * h + b) % _PRIME for h in hashes) for a, b in _SEEDS]
    return tuple(
        hashlib.blake2b(
            f"{band}:{signature[band * _ROWS:(band + 1) * _ROWS]}".encode(), digest_size=12
        ).hexdigest()
        for band in range(_BANDS)
    )


class ConversationTracker:
    def __init__(self, store: Store, policies: PolicyBook) -> None:
        self._store = store
        self._policies = policies

    async def observe(
        self, settings: CommunitySettings, message: IncomingMessage,
        classification: Classification, normalized: str, now: datetime,
    ) -> RiskState:
        """Fold this message into the sender's state and return the state after it."""
        state = self._store.state
        conversation = await state.conversation(
            message.platform, message.community_id, message.conversation_id, message.sender.id
        )
        sender = await state.sender(message.platform, message.community_id, message.sender.id)
        campaign = RiskState()  # no campaign: one conversation, one sender, nobody reached
        bands = campaign_bands(normalized)
        if bands:
            await self._store.lock_campaign(message.platform, message.community_id, bands)
            seen = await state.record_campaign(
                message.platform, message.community_id, message.sender.id,
                message.conversation_id, message.recipients, bands, now,
                self._window(settings), reached_max=CAMPAIGN_REACHED_MAX,
            )
            campaign = RiskState(campaign_size=seen.conversations, campaign_senders=seen.senders,
                                 campaign_recipients=seen.reached)
        elsewhere = await self._store.cases.open_elsewhere(
            message.platform, message.sender.id, message.community_id
        )
        previous = RiskState(
            conversation_risk=conversation.risk if conversation else 0.0,
            sender_risk=sender.risk if sender else 0.0,
            signals=conversation.signals if conversation else frozenset(),
            message_count=conversation.message_count if conversation else 0,
        )
        after = self._policies.advance_risk(
            settings, previous, classification,
            _seconds_between(conversation.updated_at if conversation else None, now),
            _seconds_between(sender.updated_at if sender else None, now),
        )
        after = replace(
            after, campaign_size=campaign.campaign_size,
            campaign_senders=campaign.campaign_senders,
            campaign_recipients=campaign.campaign_recipients, other_communities_flagged=elsewhere,
        )
        await state.save_conversation(
            message.platform, message.community_id, message.conversation_id, message.sender.id,
            ConversationRow(after.conversation_risk, after.signals, after.message_count, now),
        )
        await state.save_sender(
            message.platform, message.community_id, message.sender.id,
            SenderRow(after.sender_risk, now),
        )
        return after

    async def open_case(
        self, settings: CommunitySettings, message: IncomingMessage, normalized: str,
        state: RiskState, severity: Severity, labels: tuple[str, ...],
        policies: tuple[str, ...], recipients: tuple[UserRef, ...], now: datetime,
    ) -> tuple[int, bool]:
        """The case for a message that escalates: (case id, created).

        When another account recently sent the same or near-same text here and it is in an open
        case, the message joins that case (one case for a campaign, whoever sent it); otherwise
        the sender's own open case, or a new one. Runs after :meth:`observe`, in its
        transaction (and under its campaign lock)."""
        cases, store_state = self._store.cases, self._store.state
        bands = campaign_bands(normalized)
        if bands and state.campaign_senders > 1:
            campaign_case = await store_state.campaign_case(
                message.platform, message.community_id, bands, now - self._window(settings)
            )
            if campaign_case is not None and await cases.join(
                campaign_case, message, severity, labels, policies, recipients, now
            ):
                await self._link(message, bands, campaign_case)
                return campaign_case, False
        case_id, created = await cases.open_or_update(
            message, severity, labels, policies, now, recipients=recipients
        )
        await self._link(message, bands, case_id)
        return case_id, created

    async def _link(self, message: IncomingMessage, bands: tuple[str, ...], case_id: int) -> None:
        if bands:
            await self._store.state.link_campaign_case(
                message.platform, message.community_id, message.sender.id,
                message.conversation_id, bands, case_id,
            )

    def _window(self, settings: CommunitySettings) -> timedelta:
        return timedelta(seconds=self._policies.campaign_window_s(settings))


def _seconds_between(earlier: datetime | None, later: datetime) -> float | None:
    return None if earlier is None else max(0.0, (later - earlier).total_seconds())
