"""The ports: small Protocols that the pipeline depends on, implemented at the edges.

A classifier scores text and decides nothing. A policy engine decides and does no I/O. Platform
actions perform effects on one platform. Every port has a working fake in ``tests/fakes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from moderation_bot.core.types import (
    Assessment,
    CommunityStatus,
    EvidenceBundle,
    ModeratorAction,
    Outcome,
    CaseReport,
    Classification,
    CommunitySettings,
    Decision,
    DeliveryResult,
    IncomingMessage,
    MessageRef,
    Notice,
    RiskState,
    UserRef,
)


@runtime_checkable
class Classifier(Protocol):
    """Scores messages for every label. Synchronous and CPU-bound: callers run it off the loop."""

    @property
    def model_id(self) -> str: ...

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        """Return one Classification per text, in order. Texts are already normalised."""
        ...


class PolicyEngine(Protocol):
    """Decides what to do about one message. Pure: same inputs, same decision, no I/O."""

    def evaluate(
        self,
        settings: CommunitySettings,
        message: IncomingMessage,
        classification: Classification,
        state: RiskState,
    ) -> Decision: ...


class PlatformActions(Protocol):
    """What the dispatcher can ask of one platform.

    Every call carries an ``idempotency_key``; an adapter passes it on where the platform can
    deduplicate (Discord's message nonce) and the dispatcher never repeats a call it recorded done.
    A failure worth retrying (network, rate limit) raises or answers ``ok=False`` with a
    ``detail`` starting ``transient:``; any other ``ok=False`` is a refusal for good, recorded on
    the case and not retried.
    """

    @property
    def platform(self) -> str: ...

    async def send_private(
        self, user: UserRef, notice: Notice, *, community_id: str, idempotency_key: str,
        channel_id: str | None = None, conversation_id: str | None = None,
    ) -> DeliveryResult:
        """Tell one person something privately (a DM, or the best private channel there is).

        ``channel_id`` and ``conversation_id`` name where the message that caused the notice was
        sent. They are a hint used only when no private channel exists, for a short public notice
        that mentions the person there; that notice never repeats anything about the message.
        ``None`` (rows queued before the hint existed) means no hint.
        """
        ...

    async def delete_message(self, message: MessageRef, *, idempotency_key: str) -> DeliveryResult:
        ...

    async def timeout_user(
        self, community_id: str, user: UserRef, seconds: int, *, reason: str, idempotency_key: str
    ) -> DeliveryResult: ...

    async def lift_timeout(
        self, community_id: str, user: UserRef, *, reason: str, idempotency_key: str
    ) -> DeliveryResult:
        """End a timeout early: the member may write again at once, with the community's usual
        rights. Lifting where no timeout is in force succeeds and changes nothing."""
        ...

    async def ban_user(
        self, community_id: str, user: UserRef, *, reason: str, idempotency_key: str
    ) -> DeliveryResult: ...

    async def post_case(
        self, report: CaseReport, *, channel_id: str | None, existing_ref: str | None,
        idempotency_key: str,
    ) -> DeliveryResult:
        """Post the case to the moderators, or update the message at ``existing_ref``.

        Returns the platform reference of the case message, which the store keeps so later
        evidence updates the same message instead of posting a new one.
        """
        ...


class BotService(Protocol):
    """What adapters call: the pipeline and the moderators' operations, platform-neutral.

    Adapters check platform permissions (server roles, chat admins) before calling the
    moderator operations; the service checks that a case belongs to the community named.
    """

    async def handle(self, message: IncomingMessage) -> Outcome:
        """Run steps 1-6 for one message. A redelivered message is decided once."""
        ...

    async def assess(self, text: str, *, locale: str = "en") -> Assessment:
        """Score a message someone received and asks about (forwarded, pasted, "check this")."""
        ...

    async def resolve(
        self, platform: str, community_id: str, case_id: int, action: ModeratorAction,
        moderator: UserRef, *, note: str = "",
    ) -> CaseReport | None:
        """Apply a moderator's action to a case: audited, effects queued and dispatched, and a
        confirm or dismiss becomes a feedback label. A dismiss also lifts the timeouts the bot
        applied automatically for this case (never one a moderator confirmed).
        ``None`` when no such case in that community."""
        ...

    async def record_refusal(self, platform: str, community_id: str, case_id: int,
                             actor: UserRef, action: str) -> None:
        """Someone without permission pressed a case button: audited on the case (when it is in
        that community), and nothing else happens."""
        ...

    async def record_recipient_feedback(
        self, platform: str, community_id: str, case_id: int, recipient: UserRef,
        verdict: str = "fine",
    ) -> bool:
        """A person warned on a case answers the warning ("this was fine"). Recorded once per
        person and case, audited on the case and counted per policy for the moderators; it never
        closes the case nor stops later warnings. ``False`` (nothing recorded) when ``recipient``
        was not warned on that case in that community."""
        ...

    async def case_report(self, platform: str, community_id: str, case_id: int) -> CaseReport | None:
        ...

    async def export_case(self, platform: str, community_id: str, case_id: int,
                          requested_by: UserRef) -> EvidenceBundle | None:
        """The evidence bundle for a case (audited), or ``None`` when not in that community."""
        ...

    async def get_settings(self, platform: str, community_id: str) -> CommunitySettings:
        """The community's settings, or the defaults when it has none yet."""
        ...

    async def save_settings(self, settings: CommunitySettings, changed_by: UserRef) -> None:
        ...

    async def status(self, platform: str, community_id: str) -> CommunityStatus:
        ...

    async def delete_user_data(self, platform: str, user_id: str) -> int:
        """Remove everything stored about one user; returns how many rows were removed."""
        ...

    async def report(self, message: IncomingMessage, reporter: UserRef) -> int:
        """A member reports a message to the moderators: opens (or adds to) a case on the
        message's sender with the reporter recorded, and escalates it. Returns the case id."""
        ...

    async def dashboard_link(self, platform: str, community_id: str, moderator: UserRef) -> str:
        """A one-time, short-lived sign-in link to the review web UI, bound to this moderator and
        this community. Adapters hand it out privately, to moderators only."""
        ...

    async def delete_community_data(self, platform: str, community_id: str) -> int:
        """Remove everything stored for one community (a bot removed, a business connection
        revoked); returns how many rows were removed."""
        ...
