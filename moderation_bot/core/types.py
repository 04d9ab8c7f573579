"""Platform-neutral core types shared by every package.

Everything that crosses a package boundary is one of these frozen values: adapters translate
platform payloads into an :class:`IncomingMessage` at the edge, classifiers return a
:class:`Classification`, the policy engine returns a :class:`Decision` made of :class:`Effect`
values, and the dispatcher turns effects into port calls. No platform SDK type appears here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

LABELS: tuple[str, ...] = ("sextortion", "image_request", "grooming", "victim_disclosure")
"""The detector's labels, as defined in DESIGN.md. Scores are calibrated probabilities."""


def _frozen_scores(scores: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType({label: float(scores.get(label, 0.0)) for label in LABELS})


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person on one platform. ``id`` is the platform's stable id, ``name`` a display name."""

    platform: str
    id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where a message lives, enough for an adapter to delete it or link to it."""

    platform: str
    community_id: str
    channel_id: str
    message_id: str


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One message as the pipeline sees it, whatever platform it came from.

    ``conversation_id`` groups messages whose context belongs together (a channel, a thread or a
    private chat). ``recipients`` are the people the message is aimed at: mentioned, replied to, or
    the other side of a private chat. Ages are in seconds and ``None`` when unknown.
    """

    platform: str
    community_id: str
    channel_id: str
    conversation_id: str
    message_id: str
    sender: UserRef
    text: str
    sent_at: datetime
    private: bool = False
    recipients: tuple[UserRef, ...] = ()
    reply_to_message_id: str | None = None
    edited_at: datetime | None = None
    sender_account_age_s: float | None = None
    sender_membership_age_s: float | None = None
    recipient_is_minor: bool | None = None

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.platform, self.community_id, self.channel_id, self.message_id)

    @property
    def idempotency_key(self) -> str:
        """A platform message delivered twice is decided once; an edit is a new decision."""
        edit = f"@{self.edited_at.isoformat()}" if self.edited_at else ""
        return f"{self.platform}:{self.community_id}:{self.message_id}{edit}"


@dataclass(frozen=True, slots=True)
class Classification:
    """Per-label scores for one message, from one model."""

    scores: Mapping[str, float]
    model_id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "scores", _frozen_scores(self.scores))

    def top(self) -> tuple[str, float]:
        label = max(LABELS, key=lambda name: self.scores[name])
        return label, self.scores[label]


@dataclass(frozen=True, slots=True)
class RiskState:
    """What the conversation state knows when a decision is made (after this message).

    ``conversation_risk`` is the sender's decaying risk in this conversation, ``sender_risk`` the
    sender's risk across the community; ``signals`` the distinct labels seen from this sender in
    this conversation; ``message_count`` how many messages the sender has sent here.
    ``campaign_size`` counts the distinct conversations where this sender recently sent the same
    or near-same text; ``campaign_senders`` the distinct senders (this one included) who recently
    sent it in this community, and ``campaign_recipients`` the people those earlier messages
    reached (a campaign policy warns them too); ``other_communities_flagged`` the other
    communities where this sender has an open case.
    """

    conversation_risk: float = 0.0
    sender_risk: float = 0.0
    signals: frozenset[str] = frozenset()
    message_count: int = 0
    campaign_size: int = 1
    campaign_senders: int = 1
    campaign_recipients: tuple[UserRef, ...] = ()
    other_communities_flagged: int = 0


class EffectKind(enum.StrEnum):
    """The closed set of things the bot can do. Policies choose among these; adapters perform them."""

    WARN_RECIPIENT = "warn_recipient"
    SEND_ADVICE = "send_advice"
    SUPPORT_VICTIM = "support_victim"
    ESCALATE = "escalate"
    DELETE_MESSAGE = "delete_message"
    TIMEOUT_SENDER = "timeout_sender"
    BAN_SENDER = "ban_sender"
    LIFT_TIMEOUT = "lift_timeout"
    """Undo an automatic ``TIMEOUT_SENDER`` when moderators dismiss its case. Only the pipeline
    queues it (``BotService.resolve``); it is not meant for policy packs."""


class Severity(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


@dataclass(frozen=True, slots=True)
class Effect:
    """One action decided by one policy. ``target`` is who it is about or for.

    ``scores`` records the scores that produced it, so anyone can see afterwards why it happened.
    """

    kind: EffectKind
    policy: str
    target: UserRef | None = None
    severity: Severity = Severity.LOW
    scores: Mapping[str, float] = field(default_factory=dict)
    duration_s: int | None = None
    advice_topic: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy engine decided for one message.

    ``flagged`` is true when any label crossed its flag threshold; ``shadow_effects`` are what
    policies in shadow mode would have done (recorded, never sent).
    """

    flagged: bool
    labels: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()
    shadow_effects: tuple[Effect, ...] = ()

    @property
    def opens_case(self) -> bool:
        return any(e.kind is EffectKind.ESCALATE for e in self.effects)

    @property
    def severity(self) -> Severity:
        return max((e.severity for e in self.effects), default=Severity.LOW)


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class ModeratorAction(enum.StrEnum):
    """What a moderator can do with a case from a chat button or the review UI."""

    CLAIM = "claim"
    CONFIRM_TIMEOUT = "confirm_timeout"
    CONFIRM_BAN = "confirm_ban"
    DISMISS = "dismiss"
    REOPEN = "reopen"
    REVEAL = "reveal"


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    """Per-community configuration chosen by its admins.

    ``policy_overrides`` are the community's changes to its pack as plain data (``flag_thresholds``,
    ``min_scores``, ``disabled``, ``shadow``, ``risk``); ``moderator_role_id`` names the role
    whose members may act on cases, where the platform has roles.
    """

    platform: str
    community_id: str
    policy_pack: str = "default"
    locale: str = "en"
    has_minors: bool = False
    shadow: bool = False
    moderator_channel_id: str | None = None
    policy_overrides: Mapping[str, Any] = field(default_factory=dict)
    moderator_role_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "policy_overrides", MappingProxyType(dict(self.policy_overrides)))


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One message kept as evidence of a case. ``text`` is ``None`` once retention purged it."""

    message: MessageRef
    sender: UserRef
    recipients: tuple[UserRef, ...]
    text: str | None
    text_sha256: str
    scores: Mapping[str, float]
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class CaseReport:
    """What moderators are shown about a case. Adapters render it; evidence stays hidden until a
    moderator chooses to reveal it. ``other_senders`` are further accounts whose near-same
    messages joined this case (one case for a campaign). ``said_fine`` are the recipients who
    answered a warning on this case with "this was fine": their word for the moderators, never a
    decision (someone being groomed may defend the groomer)."""

    case_id: int
    platform: str
    community_id: str
    status: CaseStatus
    severity: Severity
    labels: tuple[str, ...]
    policies: tuple[str, ...]
    sender: UserRef
    recipients: tuple[UserRef, ...]
    evidence: tuple[EvidenceItem, ...]
    opened_at: datetime
    updated_at: datetime
    sender_account_age_s: float | None = None
    sender_membership_age_s: float | None = None
    claimed_by: str | None = None
    said_fine: tuple[UserRef, ...] = ()
    other_senders: tuple[UserRef, ...] = ()
    other_sender_ages: tuple[tuple[str, float | None, float | None], ...] = ()
    """(sender id, account age, membership age) of each of ``other_senders``, as the platform
    told them with their first message in the case."""

    @property
    def senders(self) -> tuple[UserRef, ...]:
        """Everyone whose messages are in this case: ``sender`` (who opened it) first, then the
        other accounts of a campaign sent by several accounts, in the order they joined it."""
        return (self.sender, *self.other_senders)

    def ages(self, user: UserRef) -> tuple[float | None, float | None]:
        """(account age, membership age) in seconds of one of :attr:`senders`; ``None`` where
        the platform did not say."""
        if user.id == self.sender.id:
            return self.sender_account_age_s, self.sender_membership_age_s
        for sender_id, account, membership in self.other_sender_ages:
            if sender_id == user.id:
                return account, membership
        return None, None


@dataclass(frozen=True, slots=True)
class AdviceLink:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Words for one person, already chosen from a catalog in their locale.

    ``topic`` names the catalog entry (e.g. ``sextortion``), so adapters can offer "more advice"
    buttons without knowing the words. ``case_id`` is set on a warning that belongs to a case,
    so adapters can offer its recipient a "this was fine" button; ``None`` otherwise.
    """

    topic: str
    locale: str
    headline: str
    body: str
    advice: tuple[str, ...] = ()
    links: tuple[AdviceLink, ...] = ()
    case_id: int | None = None


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What a platform call achieved. ``ref`` is a platform id for what was created, if any."""

    ok: bool
    ref: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the pipeline did with one message, returned to the adapter that handed it in.

    ``duplicate`` is true when the message was already decided (a redelivery): nothing new was done.
    """

    message_key: str
    flagged: bool
    labels: tuple[str, ...]
    scores: Mapping[str, float]
    effects: tuple[Effect, ...] = ()
    case_id: int | None = None
    duplicate: bool = False
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """The answer to "is this message dangerous?" when a person asks the bot privately."""

    flagged: bool
    labels: tuple[str, ...]
    scores: Mapping[str, float]
    notice: Notice | None


@dataclass(frozen=True, slots=True)
class CommunityStatus:
    """Recent counts for ``/modbot status``."""

    settings: CommunitySettings
    open_cases: int
    cases_last_7_days: int
    flagged_last_7_days: int
    messages_checked_last_7_days: int


@dataclass(frozen=True, slots=True)
class EvidenceBundle:
    """An exported case: JSON bytes whose SHA-256 is given, for a police or CEOP report."""

    case_id: int
    filename: str
    content: bytes
    sha256: str
