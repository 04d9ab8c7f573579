"""A working fake of the :class:`BotService` port, for adapter tests and local previews.

It really does what the port promises, in memory and with a keyword "classifier" instead of a
model: a message is decided once (redeliveries are marked ``duplicate``); a flagged message warns
the people it targets, escalates to the moderators and, for sextortion, removes the message and
times the sender out; there is one open case per sender per community and new evidence updates it
(and its card, through ``post_case`` with the stored ref); moderators' actions are audited;
a warning names its case, and only the person warned on a case may answer it ("this was fine"),
once; exports are JSON bundles with their SHA-256. Effects are performed at once on the
:class:`PlatformActions` given, so a test sees them without a dispatcher.

The keyword rules are test scaffolding, not the bot's policy: tests write texts that contain
the trigger words below.

Dismissing a case lifts the timeouts the fake applied automatically for it (``lift_timeout``);
a confirmed timeout is never lifted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from moderation_bot.core.ports import PlatformActions
from moderation_bot.core.types import (
    LABELS,
    AdviceLink,
    Assessment,
    CaseReport,
    CaseStatus,
    CommunitySettings,
    CommunityStatus,
    Effect,
    EffectKind,
    EvidenceBundle,
    EvidenceItem,
    IncomingMessage,
    ModeratorAction,
    Notice,
    Outcome,
    Severity,
    UserRef,
)

TRIGGERS: dict[str, tuple[str, ...]] = {
    "sextortion": ("or i send", "or everyone sees", "pay me"),
    "image_request": ("send a pic", "send me a pic", "send a photo"),
    "grooming": ("how old are you", "don't tell your parents", "our secret"),
    "victim_disclosure": ("blackmailing me", "i'm scared", "threatening to share"),
}
"""Lower-case phrases that make the fake score a label 0.9 (others score 0.02)."""

FLAG_THRESHOLD = 0.5
TIMEOUT_S = 3600
MODEL_ID = "fake-keywords-v0"


def fake_notice(topic: str, locale: str = "en") -> Notice:
    """Short, kind test words (the real ones come from the policies' catalogs)."""
    if topic == "victim_disclosure":
        return Notice(
            topic=topic, locale=locale, headline="You are not alone",
            body="What is happening is not your fault, and there is help.",
            advice=("Don't pay.", "Keep the messages.", "Tell someone you trust."),
            links=(AdviceLink("Take It Down", "https://takeitdown.ncmec.org/"),),
        )
    return Notice(
        topic=topic, locale=locale, headline="Be careful with this person",
        body="A message sent to you looks like it could be a trick to get pictures or money.",
        advice=("Stop replying and block them.", "Don't send pictures or money.",
                "Keep the messages as evidence.", "Tell a moderator or someone you trust."),
        links=(AdviceLink("CEOP", "https://www.ceop.police.uk/safety-centre/"),
               AdviceLink("StopNCII", "https://stopncii.org/")),
    )


def score_text(text: str) -> dict[str, float]:
    lowered = text.lower()
    return {
        label: 0.9 if any(phrase in lowered for phrase in TRIGGERS[label]) else 0.02
        for label in LABELS
    }


@dataclass
class AuditEntry:
    case_id: int
    action: str
    actor: UserRef
    note: str
    at: datetime


@dataclass
class _Case:
    case_id: int
    platform: str
    community_id: str
    sender: UserRef
    opened_at: datetime
    updated_at: datetime
    status: CaseStatus = CaseStatus.OPEN
    severity: Severity = Severity.LOW
    labels: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    recipients: list[UserRef] = field(default_factory=list)
    evidence: list[EvidenceItem] = field(default_factory=list)
    sender_account_age_s: float | None = None
    sender_membership_age_s: float | None = None
    claimed_by: str | None = None
    card_ref: str | None = None
    warned: set[str] = field(default_factory=set)
    said_fine: list[UserRef] = field(default_factory=list)
    timed_out: list[UserRef] = field(default_factory=list)
    """Senders the fake timed out automatically for this case and has not lifted yet."""

    def report(self) -> CaseReport:
        return CaseReport(
            case_id=self.case_id, platform=self.platform, community_id=self.community_id,
            status=self.status, severity=self.severity, labels=tuple(self.labels),
            policies=tuple(self.policies), sender=self.sender, recipients=tuple(self.recipients),
            evidence=tuple(self.evidence), opened_at=self.opened_at, updated_at=self.updated_at,
            sender_account_age_s=self.sender_account_age_s,
            sender_membership_age_s=self.sender_membership_age_s, claimed_by=self.claimed_by,
            said_fine=tuple(self.said_fine),
        )


class FakeBotService:
    """An in-memory :class:`BotService` that performs its effects on ``actions`` directly."""

    def __init__(self, actions: PlatformActions | None = None) -> None:
        self.links_issued: list[tuple[str, str, UserRef]] = []
        self.actions = actions
        self.settings: dict[tuple[str, str], CommunitySettings] = {}
        self.settings_changes: list[tuple[CommunitySettings, UserRef]] = []
        self.cases: dict[int, _Case] = {}
        self.audit: list[AuditEntry] = []
        self.refusals: list[tuple[int, str, UserRef]] = []
        self.feedback: list[tuple[int, str]] = []
        self.recipient_feedback: list[tuple[int, str, str]] = []
        self.handled: dict[str, Outcome] = {}
        self.messages_checked: list[str] = []

    # --- the pipeline -----------------------------------------------------------------------

    async def handle(self, message: IncomingMessage) -> Outcome:
        key = message.idempotency_key
        if key in self.handled:
            return replace(self.handled[key], duplicate=True)
        self.messages_checked.append(key)
        if not message.text.strip():
            outcome = Outcome(key, False, (), {}, skipped="empty")
            self.handled[key] = outcome
            return outcome
        scores = score_text(message.text)
        labels = tuple(label for label in LABELS if scores[label] >= FLAG_THRESHOLD)
        effects = self._decide(message, labels, scores)
        case_id = None
        if any(effect.kind is EffectKind.ESCALATE for effect in effects):
            case = self._record_case(message, labels, scores, effects)
            case.warned.update(effect.target.id for effect in effects
                               if effect.kind is EffectKind.WARN_RECIPIENT and effect.target)
            case_id = case.case_id
        outcome = Outcome(key, bool(labels), labels, scores, tuple(effects), case_id)
        self.handled[key] = outcome
        await self._perform(message, effects, case_id)
        return outcome

    async def report(self, message: IncomingMessage, reporter: UserRef) -> int:
        """A member's report: opens or grows the sender's case, records the reporter, escalates."""
        scores = score_text(message.text)
        escalate = Effect(EffectKind.ESCALATE, "fake.member_report", message.sender,
                          Severity.MEDIUM, scores)
        case = self._record_case(message, (), scores, [escalate])
        self.audit.append(AuditEntry(case.case_id, "report", reporter, "", _now()))
        await self._post_case(case, f"report:{message.idempotency_key}:{reporter.id}")
        return case.case_id

    async def assess(self, text: str, *, locale: str = "en") -> Assessment:
        scores = score_text(text)
        labels = tuple(label for label in LABELS if scores[label] >= FLAG_THRESHOLD)
        notice = fake_notice(labels[0], locale) if labels else None
        return Assessment(bool(labels), labels, scores, notice)

    # --- moderators -------------------------------------------------------------------------

    async def resolve(
        self, platform: str, community_id: str, case_id: int, action: ModeratorAction,
        moderator: UserRef, *, note: str = "",
    ) -> CaseReport | None:
        case = self._case(platform, community_id, case_id)
        if case is None:
            return None
        self.audit.append(AuditEntry(case_id, action.value, moderator, note, _now()))
        if action is ModeratorAction.REVEAL:
            return case.report()
        key = f"case:{case_id}:{action.value}:{len(self.audit)}"
        if action is ModeratorAction.CLAIM:
            case.claimed_by = moderator.name or moderator.id
        elif action is ModeratorAction.CONFIRM_TIMEOUT:
            case.status = CaseStatus.CONFIRMED
            case.timed_out = []  # a moderator's timeout now: a later dismiss keeps it
            self.feedback.append((case_id, "confirmed"))
            if self.actions is not None:
                await self.actions.timeout_user(
                    community_id, case.sender, TIMEOUT_S, reason="confirmed by a moderator",
                    idempotency_key=key,
                )
        elif action is ModeratorAction.CONFIRM_BAN:
            case.status = CaseStatus.CONFIRMED
            self.feedback.append((case_id, "confirmed"))
            if self.actions is not None:
                await self.actions.ban_user(
                    community_id, case.sender, reason="confirmed by a moderator",
                    idempotency_key=key,
                )
        elif action is ModeratorAction.DISMISS:
            case.status = CaseStatus.DISMISSED
            self.feedback.append((case_id, "dismissed"))
            lifted, case.timed_out = case.timed_out, []
            if self.actions is not None:
                for person in lifted:
                    await self.actions.lift_timeout(
                        community_id, person, reason="dismissed by a moderator",
                        idempotency_key=f"{key}:lift:{person.id}")
        elif action is ModeratorAction.REOPEN:
            case.status = CaseStatus.OPEN
        case.updated_at = _now()
        await self._post_case(case, f"{key}:card")
        return case.report()

    async def record_refusal(self, platform: str, community_id: str, case_id: int,
                             actor: UserRef, action: str) -> None:
        if self._case(platform, community_id, case_id) is not None:
            self.refusals.append((case_id, action, actor))

    async def record_recipient_feedback(
        self, platform: str, community_id: str, case_id: int, recipient: UserRef,
        verdict: str = "fine",
    ) -> bool:
        case = self._case(platform, community_id, case_id)
        if case is None or recipient.id not in case.warned:
            return False
        if all(person.id != recipient.id for person in case.said_fine):
            case.said_fine.append(recipient)
            self.recipient_feedback.append((case_id, recipient.id, verdict))
            self.audit.append(AuditEntry(case_id, "recipient_said_fine", recipient, "", _now()))
            await self._post_case(case, f"case:{case_id}:fine:{recipient.id}")
        return True

    async def case_report(
        self, platform: str, community_id: str, case_id: int
    ) -> CaseReport | None:
        case = self._case(platform, community_id, case_id)
        return case.report() if case else None

    async def export_case(self, platform: str, community_id: str, case_id: int,
                          requested_by: UserRef) -> EvidenceBundle | None:
        case = self._case(platform, community_id, case_id)
        if case is None:
            return None
        self.audit.append(AuditEntry(case_id, "export", requested_by, "", _now()))
        report = case.report()
        content = json.dumps({
            "case_id": case_id,
            "platform": platform,
            "community_id": community_id,
            "labels": list(report.labels),
            "sender": report.sender.id,
            "evidence": [
                {"message_id": item.message.message_id, "sender": item.sender.id,
                 "text": item.text, "text_sha256": item.text_sha256,
                 "sent_at": item.sent_at.isoformat()}
                for item in report.evidence
            ],
        }, indent=2).encode("utf-8")
        return EvidenceBundle(case_id, f"case-{case_id}-evidence.json", content,
                              hashlib.sha256(content).hexdigest())

    # --- settings and data ------------------------------------------------------------------

    async def get_settings(self, platform: str, community_id: str) -> CommunitySettings:
        return self.settings.get((platform, community_id),
                                 CommunitySettings(platform=platform, community_id=community_id))

    async def save_settings(self, settings: CommunitySettings, changed_by: UserRef) -> None:
        self.settings[(settings.platform, settings.community_id)] = settings
        self.settings_changes.append((settings, changed_by))

    async def status(self, platform: str, community_id: str) -> CommunityStatus:
        cases = [c for c in self.cases.values()
                 if (c.platform, c.community_id) == (platform, community_id)]
        week_ago = _now() - timedelta(days=7)
        prefix = f"{platform}:{community_id}:"
        checked = [key for key in self.messages_checked if key.startswith(prefix)]
        return CommunityStatus(
            settings=await self.get_settings(platform, community_id),
            open_cases=sum(c.status is CaseStatus.OPEN for c in cases),
            cases_last_7_days=sum(c.opened_at >= week_ago for c in cases),
            flagged_last_7_days=sum(self.handled[key].flagged for key in checked),
            messages_checked_last_7_days=len(checked),
        )

    async def delete_user_data(self, platform: str, user_id: str) -> int:
        doomed = [case_id for case_id, case in self.cases.items()
                  if case.platform == platform and case.sender.id == user_id]
        for case_id in doomed:
            del self.cases[case_id]
        return len(doomed)

    async def dashboard_link(self, platform: str, community_id: str, moderator: UserRef) -> str:
        self.links_issued.append((platform, community_id, moderator))
        return f"http://127.0.0.1/review/signin/fake-{len(self.links_issued)}"

    async def delete_community_data(self, platform: str, community_id: str) -> int:
        doomed = [case_id for case_id, case in self.cases.items()
                  if (case.platform, case.community_id) == (platform, community_id)]
        for case_id in doomed:
            del self.cases[case_id]
        removed = len(doomed)
        if self.settings.pop((platform, community_id), None) is not None:
            removed += 1
        return removed

    # --- internals --------------------------------------------------------------------------

    def _decide(self, message: IncomingMessage, labels: tuple[str, ...],
                scores: dict[str, float]) -> list[Effect]:
        effects: list[Effect] = []
        if "victim_disclosure" in labels:
            effects.append(Effect(EffectKind.SUPPORT_VICTIM, "fake.support", message.sender,
                                  Severity.MEDIUM, scores, advice_topic="victim_disclosure"))
        harmful = [label for label in labels if label != "victim_disclosure"]
        if not harmful:
            return effects
        severity = Severity.CRITICAL if "sextortion" in harmful else Severity.HIGH
        policy = f"fake.{harmful[0]}"
        for recipient in message.recipients:
            effects.append(Effect(EffectKind.WARN_RECIPIENT, policy, recipient, severity, scores,
                                  advice_topic=harmful[0]))
        effects.append(Effect(EffectKind.ESCALATE, policy, message.sender, severity, scores))
        if "sextortion" in harmful:
            effects.append(Effect(EffectKind.DELETE_MESSAGE, policy, message.sender, severity,
                                  scores))
            effects.append(Effect(EffectKind.TIMEOUT_SENDER, policy, message.sender, severity,
                                  scores, duration_s=TIMEOUT_S))
        return effects

    def _record_case(self, message: IncomingMessage, labels: tuple[str, ...],
                     scores: dict[str, float], effects: list[Effect]) -> _Case:
        case = next((c for c in self.cases.values()
                     if (c.platform, c.community_id, c.sender.id)
                     == (message.platform, message.community_id, message.sender.id)
                     and c.status is CaseStatus.OPEN), None)
        now = _now()
        if case is None:
            case = _Case(len(self.cases) + 1, message.platform, message.community_id,
                         message.sender, now, now)
            self.cases[case.case_id] = case
        case.updated_at = now
        case.severity = max(case.severity, max(effect.severity for effect in effects))
        case.labels = list(dict.fromkeys([*case.labels, *labels]))
        case.policies = list(dict.fromkeys([*case.policies, *(e.policy for e in effects)]))
        case.recipients = list(dict.fromkeys([*case.recipients, *message.recipients]))
        case.sender_account_age_s = message.sender_account_age_s
        case.sender_membership_age_s = message.sender_membership_age_s
        case.evidence.append(EvidenceItem(
            message=message.ref, sender=message.sender, recipients=message.recipients,
            text=message.text, text_sha256=hashlib.sha256(message.text.encode()).hexdigest(),
            scores=scores, sent_at=message.sent_at,
        ))
        return case

    async def _perform(self, message: IncomingMessage, effects: list[Effect],
                       case_id: int | None) -> None:
        if self.actions is None:
            return
        key = message.idempotency_key
        for number, effect in enumerate(effects):
            effect_key = f"{key}:{number}:{effect.kind.value}"
            if effect.kind is EffectKind.WARN_RECIPIENT and effect.target is not None:
                notice = replace(fake_notice(effect.advice_topic or "grooming"), case_id=case_id)
                await self.actions.send_private(
                    effect.target, notice, community_id=message.community_id,
                    idempotency_key=effect_key, channel_id=message.channel_id,
                    conversation_id=message.conversation_id,
                )
            elif effect.kind is EffectKind.SUPPORT_VICTIM and effect.target is not None:
                await self.actions.send_private(
                    effect.target, fake_notice("victim_disclosure"),
                    community_id=message.community_id, idempotency_key=effect_key,
                    channel_id=message.channel_id, conversation_id=message.conversation_id,
                )
            elif effect.kind is EffectKind.DELETE_MESSAGE:
                await self.actions.delete_message(message.ref, idempotency_key=effect_key)
            elif effect.kind is EffectKind.TIMEOUT_SENDER:
                await self.actions.timeout_user(
                    message.community_id, message.sender, effect.duration_s or TIMEOUT_S,
                    reason=effect.policy, idempotency_key=effect_key,
                )
                if case_id is not None and message.sender not in self.cases[case_id].timed_out:
                    self.cases[case_id].timed_out.append(message.sender)
            elif effect.kind is EffectKind.ESCALATE and case_id is not None:
                await self._post_case(self.cases[case_id], effect_key)

    async def _post_case(self, case: _Case, idempotency_key: str) -> None:
        if self.actions is None:
            return
        settings = await self.get_settings(case.platform, case.community_id)
        result = await self.actions.post_case(
            case.report(), channel_id=settings.moderator_channel_id, existing_ref=case.card_ref,
            idempotency_key=idempotency_key,
        )
        if result.ok and result.ref:
            case.card_ref = result.ref

    def _case(self, platform: str, community_id: str, case_id: int) -> _Case | None:
        case = self.cases.get(case_id)
        if case is None or (case.platform, case.community_id) != (platform, community_id):
            return None
        return case


def _now() -> datetime:
    return datetime.now(UTC)
