"""The pipeline: steps 1-6 of DESIGN.md for one message, and the moderators' operations.

``Pipeline`` implements the ``BotService`` port that every adapter calls. For a message it
normalises the text, scores it in a micro-batch, folds it into the conversation state, asks the
policies for a decision, and stores the verdict, the case, its evidence and the effects to send
(the outbox) in ONE transaction before the dispatcher sends anything.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from classifiers.normalize import normalize
from moderation_bot.batching import MicroBatcher
from moderation_bot.clock import from_iso, utcnow
from moderation_bot.conversation import ConversationTracker
from moderation_bot.core.types import (
    Assessment,
    CaseReport,
    CaseStatus,
    Classification,
    CommunitySettings,
    CommunityStatus,
    Decision,
    Effect,
    EffectKind,
    EvidenceBundle,
    IncomingMessage,
    ModeratorAction,
    Outcome,
    RiskState,
    Severity,
    UserRef,
)
from moderation_bot.dispatch import Dispatcher
from moderation_bot.evidence import build_bundle
from moderation_bot.group_commit import QuietVerdicts
from moderation_bot.text import clean_text, sha256_hex
from moderation_bot.logs import fields
from moderation_bot.policy_book import PolicyBook
from moderation_bot import recipient_feedback
from moderation_bot.review.signin import issue_signin_link
from moderation_bot.storage import Store
from moderation_bot.storage.codec import user_to_dict
from moderation_bot.storage.state import SenderBound, WarningSent
from moderation_bot.storage.review_queries import (
    delete_review_community_data,
    delete_review_user_data,
)
from moderation_bot.storage.verdicts import StoredVerdict

log = logging.getLogger(__name__)

MODERATOR_POLICY = "moderator"
MEMBER_REPORT_POLICY = "member-report"
CONFIRMED_TIMEOUT_S = 24 * 3600
RECENT_OUTCOMES = 50_000
_WARNING_KINDS = frozenset({EffectKind.WARN_RECIPIENT, EffectKind.SEND_ADVICE})
UNBOUNDED = 1_000_000
SHARED_SETTINGS_TTL_S = 30.0  # "as many as can be" for counts the fast path does not look up
CAMPAIGN_REACHED = UserRef("", "", "")  # the fast path's stand-in for a campaign's recipients


def actor_id(user: UserRef) -> str:
    return f"{user.platform}:{user.id}"


class Pipeline:
    """Implements ``moderation_bot.core.ports.BotService``."""

    def __init__(
        self, store: Store, batcher: MicroBatcher, policies: PolicyBook, dispatcher: Dispatcher,
        *, default_policy_pack: str = "default", retention_days: int = 90,
        max_message_chars: int = 50_000, review_url: str = "http://127.0.0.1:8080/review",
        shared_store: bool = False, clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._batcher = batcher
        self._policies = policies
        self._dispatcher = dispatcher
        self._conversations = ConversationTracker(store, policies)
        self._default_pack = default_policy_pack
        self._retention = timedelta(days=retention_days)
        self._max_chars = max_message_chars
        self._review_url = review_url
        # Several processes share the store (scale-out workers): in-memory knowledge of state
        # other processes write is only a hint, and settings are re-read after a while.
        self._shared = shared_store
        self._clock = clock
        self._quiet = QuietVerdicts(store)
        self._settings: dict[tuple[str, str], tuple[CommunitySettings, float]] = {}
        self._recent: OrderedDict[str, Outcome] = OrderedDict()
        self._bounds: dict[tuple[str, str, str], SenderBound] = {}
        self.paths: Counter[str] = Counter()
        """How many messages took each path (quiet, full, duplicate, empty): for the benchmark
        and operators."""

    async def start(self) -> None:
        """Load what the fast path needs: an upper bound of each tracked sender's risk."""
        self._bounds = await self._store.state.risk_bounds()

    async def close(self) -> None:
        await self._quiet.close()

    @property
    def dispatcher(self) -> Dispatcher:
        return self._dispatcher

    @property
    def store(self) -> Store:
        return self._store

    @property
    def model_id(self) -> str:
        return self._batcher.model_id

    # -- steps 1-6 -------------------------------------------------------------------------

    async def handle(self, message: IncomingMessage) -> Outcome:
        key = message.idempotency_key
        text = clean_text(message.text, self._max_chars)
        if not text.strip():
            self.paths["empty"] += 1
            return Outcome(message_key=key, flagged=False, labels=(), scores={}, skipped="empty")
        recent = self._recent.get(key)
        if recent is not None:
            self.paths["duplicate"] += 1
            return replace(recent, duplicate=True)
        normalized = normalize(text)
        classification = await self._batcher.classify(normalized)
        settings = await self.get_settings(message.platform, message.community_id)
        now = self._clock()
        outcome = await self._decide_quietly(message, text, settings, classification, now)
        if outcome is None:
            outcome = await self._decide(message, text, normalized, settings, classification, now)
        self._remember(outcome)
        return outcome

    async def _decide_quietly(
        self, message: IncomingMessage, text: str, settings: CommunitySettings,
        classification: Classification, now: datetime,
    ) -> Outcome | None:
        """The fast path, for a message that adds nothing to any risk (every score under the
        pack's noise floor). It can only lower its sender's risk, so if no policy acts on it
        even at the highest risk its sender could have now (an upper bound kept in memory, with
        campaign and cross-community counts assumed large), it needs no state read or written:
        only its verdict, group-committed. ``None`` when the full path is needed."""
        if not self._policies.is_quiet(settings, classification):
            return None
        bound = self._bounds.get((message.platform, message.community_id, message.sender.id))
        if bound is None and self._shared and await self._store.state.sender(
            message.platform, message.community_id, message.sender.id
        ) is not None:
            return None  # another process tracks this sender: the full path reads the state
        worst = RiskState(
            conversation_risk=bound.conversation_risk if bound else 0.0,
            sender_risk=bound.sender_risk if bound else 0.0,
            signals=bound.signals if bound else frozenset(),
            campaign_size=UNBOUNDED, campaign_senders=UNBOUNDED,
            campaign_recipients=(CAMPAIGN_REACHED,), other_communities_flagged=UNBOUNDED,
        )
        decision = self._policies.evaluate(settings, message, classification, worst)
        if decision.flagged or decision.effects or decision.shadow_effects:
            return None
        await self._quiet.add((message, sha256_hex(text), classification, now))
        self.paths["quiet"] += 1
        return Outcome(message_key=message.idempotency_key, flagged=False, labels=(),
                       scores=classification.scores)

    async def _decide(
        self, message: IncomingMessage, text: str, normalized: str, settings: CommunitySettings,
        classification: Classification, now: datetime,
    ) -> Outcome:
        """Steps 2, 4 and 5 in one transaction, then hand the effects to the dispatcher."""
        key = message.idempotency_key
        self.paths["full"] += 1
        async with self._store.transaction():
            await self._store.lock_sender(message.platform, message.community_id,
                                          message.sender.id)
            previous = await self._store.verdicts.find(key)
            if previous is not None:  # a redelivery, decided before
                return _outcome_from_stored(key, previous)
            state = await self._conversations.observe(
                settings, message, classification, normalized, now
            )
            decision = self._policies.evaluate(settings, message, classification, state)
            listed = _listed_recipients(message, decision)
            decision = await self._spare_recent_recipients(
                settings, message, decision, now, several_accounts=state.campaign_senders > 1)
            case_id = await self._persist(message, text, settings, classification, decision, now,
                                          normalized=normalized, state=state, listed=listed)
        sender = (message.platform, message.community_id, message.sender.id)
        seen = SenderBound(state.conversation_risk, state.sender_risk, state.signals)
        self._bounds[sender] = self._bounds[sender].widen(seen) if sender in self._bounds else seen
        if decision.effects:
            self._dispatcher.submit()
        log.info("message decided", extra=fields(
            platform=message.platform, community=message.community_id, case_id=case_id,
            flagged=decision.flagged, labels=list(decision.labels),
            scores={k: round(v, 3) for k, v in classification.scores.items()},
            effects=[str(e.kind) for e in decision.effects],
            shadow_effects=len(decision.shadow_effects), model=classification.model_id,
        ))
        return Outcome(
            message_key=key, flagged=decision.flagged, labels=decision.labels,
            scores=classification.scores, effects=decision.effects, case_id=case_id,
        )

    async def _spare_recent_recipients(
        self, settings: CommunitySettings, message: IncomingMessage, decision: Decision,
        now: datetime, *, several_accounts: bool,
    ) -> Decision:
        """Drop warnings and advice for people already warned about this sender on the same
        topic within the pack's cooldown, unless the danger grew. For people a campaign reached
        earlier (not this message's recipients), and for everyone when several accounts send
        the message (one campaign), a warning about anyone on the same topic counts. Runs in the
        transaction."""
        cooldown = timedelta(seconds=self._policies.warning_cooldown_s(settings))
        severity = int(decision.severity)
        spared: set[str] = set()
        warned: set[str] = set()
        direct = {r.id for r in message.recipients}
        state = self._store.state
        for effect in decision.effects:
            if effect.kind not in _WARNING_KINDS or effect.target is None:
                continue
            recipient = effect.target.id
            if recipient in warned or recipient in spared:
                continue
            topic = effect.advice_topic or "general"
            if several_accounts or recipient not in direct:
                if await state.warned_since(message.platform, message.community_id, recipient,
                                            topic, severity, now - cooldown):
                    spared.add(recipient)
                    continue
            else:
                last = await state.last_warning(message.platform, message.community_id,
                                                recipient, message.sender.id)
                if (last is not None and last.topic == topic and last.severity >= severity
                        and now - last.at < cooldown):
                    spared.add(recipient)
                    continue
            warned.add(recipient)
            await state.record_warning(message.platform, message.community_id, recipient,
                                       message.sender.id, WarningSent(topic, severity, now))
        if not spared:
            return decision
        log.info("warnings spared", extra=fields(platform=message.platform,
                                                 community=message.community_id,
                                                 recipients=len(spared)))
        kept = tuple(e for e in decision.effects
                     if not (e.kind in _WARNING_KINDS and e.target and e.target.id in spared))
        return replace(decision, effects=kept)

    def _remember(self, outcome: Outcome) -> None:
        self._recent[outcome.message_key] = outcome
        if len(self._recent) > RECENT_OUTCOMES:
            self._recent.popitem(last=False)

    async def _persist(
        self, message: IncomingMessage, text: str, settings: CommunitySettings,
        classification: Classification, decision: Decision, now: datetime,
        *, normalized: str, state: RiskState, listed: tuple[UserRef, ...],
    ) -> int | None:
        """Step 5: verdict, case, evidence, audit events and outbox rows. Runs inside the
        caller's transaction. ``listed``: the people the case lists for this message."""
        case_id: int | None = None
        text_hash = sha256_hex(text)
        if decision.opens_case:
            policies = tuple(dict.fromkeys(e.policy for e in decision.effects))
            case_id, created = await self._conversations.open_case(
                settings, message, normalized, state, decision.severity, decision.labels,
                policies, listed, now,
            )
            await self._store.cases.add_evidence(
                case_id, message, text, text_hash, dict(classification.scores), now,
                now + self._retention,
            )
            await self._store.cases.add_event(
                case_id, "modbot", "opened" if created else "evidence_added", now,
                policy=policies[0], data={"message_id": message.message_id,
                                          "scores": dict(classification.scores),
                                          "effects": [str(e.kind) for e in decision.effects]},
            )
        verdict_id = await self._store.verdicts.add(
            message, text_hash, classification, decision, case_id, now
        )
        for effect in decision.effects:
            await self._store.outbox.add(
                verdict_id=verdict_id, case_id=case_id, platform=message.platform,
                community_id=message.community_id, kind=str(effect.kind), policy=effect.policy,
                target_id=_target_id(effect, message),
                payload=self._payload(effect, message, settings, case_id), now=now,
            )
        return case_id

    @staticmethod
    def _payload(
        effect: Effect, message: IncomingMessage, settings: CommunitySettings, case_id: int | None
    ) -> dict[str, object]:
        payload: dict[str, object] = {"severity": effect.severity.name.lower()}
        if effect.target is not None:
            payload["target"] = user_to_dict(effect.target)
        if effect.kind in (EffectKind.WARN_RECIPIENT, EffectKind.SEND_ADVICE,
                           EffectKind.SUPPORT_VICTIM):
            payload["topic"] = effect.advice_topic or "general"
            payload["locale"] = settings.locale
            # Known age only for the person the message was sent to; the sender (a disclosure)
            # and unknown ages get every link.
            if effect.kind is not EffectKind.SUPPORT_VICTIM:
                payload["minor"] = message.recipient_is_minor
            # Where the person was reached, for a public fallback when no DM is possible.
            payload["channel_id"] = message.channel_id
            payload["conversation_id"] = message.conversation_id
        elif effect.kind is EffectKind.DELETE_MESSAGE:
            payload["message"] = {"channel_id": message.channel_id,
                                  "message_id": message.message_id}
        elif effect.kind in (EffectKind.TIMEOUT_SENDER, EffectKind.BAN_SENDER):
            payload["target"] = user_to_dict(effect.target or message.sender)
            payload["reason"] = f"Safety bot, case {case_id}: policy {effect.policy}"
            payload["seconds"] = effect.duration_s or 3600
        return payload

    # -- asking and reporting --------------------------------------------------------------

    async def assess(self, text: str, *, locale: str = "en") -> Assessment:
        cleaned = clean_text(text, self._max_chars)
        if not cleaned.strip():
            return Assessment(flagged=False, labels=(), scores={}, notice=None)
        classification = await self._batcher.classify(normalize(cleaned))
        flagged, labels = self._policies.flag(self._default_pack, classification)
        notice = None
        if flagged:
            kind = (EffectKind.SUPPORT_VICTIM if labels[0] == "victim_disclosure"
                    else EffectKind.SEND_ADVICE)
            notice = self._policies.render(kind, labels[0], locale)
        return Assessment(flagged=flagged, labels=labels, scores=classification.scores,
                          notice=notice)

    async def report(self, message: IncomingMessage, reporter: UserRef) -> int:
        text = clean_text(message.text, self._max_chars)
        now = self._clock()
        async with self._store.transaction():
            case_id, _ = await self._store.cases.open_or_update(
                message, Severity.MEDIUM, (), (MEMBER_REPORT_POLICY,), now
            )
            await self._store.cases.add_evidence(
                case_id, message, text, sha256_hex(text), {}, now, now + self._retention
            )
            await self._store.cases.add_event(
                case_id, actor_id(reporter), "reported", now, policy=MEMBER_REPORT_POLICY,
                data={"message_id": message.message_id},
            )
            await self._queue_case_update(case_id, message.platform, message.community_id,
                                          MEMBER_REPORT_POLICY, now)
        self._dispatcher.submit()
        log.info("member report", extra=fields(platform=message.platform, case_id=case_id))
        return case_id

    # -- moderators ------------------------------------------------------------------------

    async def case_report(self, platform: str, community_id: str, case_id: int) -> CaseReport | None:
        report = await self._store.cases.report(case_id)
        if report is None or (report.platform, report.community_id) != (platform, community_id):
            return None
        return await recipient_feedback.with_answers(self._store, report)

    async def resolve(
        self, platform: str, community_id: str, case_id: int, action: ModeratorAction,
        moderator: UserRef, *, note: str = "",
    ) -> CaseReport | None:
        report = await self.case_report(platform, community_id, case_id)
        if report is None:
            return None
        now = self._clock()
        actor = actor_id(moderator)
        cases = self._store.cases
        lifted: list[str] = []
        async with self._store.transaction():
            if action is ModeratorAction.REVEAL:
                await cases.add_event(case_id, actor, "revealed", now, reason=note)
                return report
            if action is ModeratorAction.CLAIM:
                await cases.claim(case_id, actor, now)
            elif action in (ModeratorAction.CONFIRM_TIMEOUT, ModeratorAction.CONFIRM_BAN):
                await cases.set_status(case_id, CaseStatus.CONFIRMED, now)
                kind = (EffectKind.BAN_SENDER if action is ModeratorAction.CONFIRM_BAN
                        else EffectKind.TIMEOUT_SENDER)
                for sender in report.senders:  # every account of a campaign
                    await self._store.outbox.add(
                        verdict_id=None, case_id=case_id, platform=platform,
                        community_id=community_id, kind=str(kind), policy=MODERATOR_POLICY,
                        target_id=sender.id,
                        payload={"target": user_to_dict(sender), "seconds": CONFIRMED_TIMEOUT_S,
                                 "reason": f"Safety bot, case {case_id}: confirmed by a moderator"},
                        now=now,
                    )
                await self._store.feedback.add(
                    case_id=case_id, platform=platform, community_id=community_id,
                    verdict="confirmed", labels=report.labels, policies=report.policies,
                    moderator_id=moderator.id, now=now,
                )
            elif action is ModeratorAction.DISMISS:
                await cases.set_status(case_id, CaseStatus.DISMISSED, now)
                lifted = await self._queue_lifts(report, now)
                await self._store.feedback.add(
                    case_id=case_id, platform=platform, community_id=community_id,
                    verdict="false_positive", labels=report.labels, policies=report.policies,
                    moderator_id=moderator.id, now=now,
                )
            elif action is ModeratorAction.REOPEN:
                if report.status is not CaseStatus.OPEN and not await cases.has_open_case(
                    platform, community_id, report.sender.id
                ):
                    await cases.set_status(case_id, CaseStatus.OPEN, now)
            await cases.add_event(case_id, actor, str(action), now, reason=note,
                                  data={"lift_timeout": lifted} if lifted else None)
            await self._queue_case_update(case_id, platform, community_id, MODERATOR_POLICY, now)
        self._dispatcher.submit()
        log.info("moderator action", extra=fields(platform=platform, case_id=case_id,
                                                 action=str(action)))
        return await self.case_report(platform, community_id, case_id)

    async def _queue_lifts(self, report: CaseReport, now: datetime) -> list[str]:
        """On a dismiss, queue a ``LIFT_TIMEOUT`` for each sender of the case whom the bot timed
        out automatically for it (delivered, or still pending); returns their ids.

        A dismiss says the case was a false alarm, so what the bot did on its own for it is
        undone. It never undoes a person's decision: a member is not lifted while any other
        timeout of theirs in this community may still be in force (one a moderator confirmed,
        on this case before a reopen or on another case, or an automatic one of another case),
        because a platform has one timeout per member and lifting would end that one too. A lift
        ends every timeout queued before it; a member lifted once is lifted again only for
        automatic timeouts of this case decided after that lift (a reopened case).

        A timeout still pending is not cancelled (it may be in flight): the dispatcher sends the
        timeouts and lifts of one member in the order they were queued, so the lift lands after
        it. Runs in the resolve transaction."""
        senders = {s.id: s for s in report.senders}
        rows = await self._store.outbox.member_restrictions(
            report.platform, report.community_id, list(senders))
        ours: dict[str, bool] = {}  # member -> an automatic timeout of this case since a lift
        others: dict[str, bool] = {}  # member -> another timeout that may still be in force
        for row in rows:
            member = str(row.target_id)
            if row.kind == EffectKind.LIFT_TIMEOUT:
                ours[member] = others[member] = False
            elif row.case_id == report.case_id and row.policy != MODERATOR_POLICY:
                ours[member] = True
            else:
                seconds = int(row.payload.get("seconds") or 0)
                ends = from_iso(row.queued_at) + timedelta(seconds=seconds)
                others[member] = others.get(member, False) or ends > now
        lifted = [m for m, due in ours.items() if due and not others.get(m, False)]
        for member in lifted:
            await self._store.outbox.add(
                verdict_id=None, case_id=report.case_id, platform=report.platform,
                community_id=report.community_id, kind=str(EffectKind.LIFT_TIMEOUT),
                policy=MODERATOR_POLICY, target_id=member,
                payload={"target": user_to_dict(senders[member]),
                         "reason": f"Safety bot, case {report.case_id}: dismissed by a moderator"},
                now=now,
            )
        return lifted

    async def record_refusal(self, platform: str, community_id: str, case_id: int,
                             actor: UserRef, action: str) -> None:
        if await self.case_report(platform, community_id, case_id) is None:
            return
        await self._store.cases.add_event(case_id, actor_id(actor), "refused", self._clock(),
                                          reason="no moderator permission", data={"action": action})
        log.info("case action refused", extra=fields(platform=platform, case_id=case_id,
                                                    action=action))

    async def record_recipient_feedback(
        self, platform: str, community_id: str, case_id: int, recipient: UserRef,
        verdict: str = "fine",
    ) -> bool:
        recorded = await recipient_feedback.record(self._store, platform, community_id, case_id,
                                                   recipient, verdict, self._clock())
        if recorded:
            self._dispatcher.submit()
        log.info("recipient feedback", extra=fields(platform=platform, case_id=case_id,
                                                   recorded=recorded))
        return recorded

    async def _queue_case_update(
        self, case_id: int, platform: str, community_id: str, policy: str, now: datetime
    ) -> None:
        await self._store.outbox.add(
            verdict_id=None, case_id=case_id, platform=platform, community_id=community_id,
            kind=str(EffectKind.ESCALATE), policy=policy, target_id=None, payload={}, now=now,
        )

    async def export_case(
        self, platform: str, community_id: str, case_id: int, requested_by: UserRef
    ) -> EvidenceBundle | None:
        report = await self.case_report(platform, community_id, case_id)
        if report is None:
            return None
        now = self._clock()
        events = await self._store.cases.events(case_id)
        bundle = build_bundle(report, events, requested_by, now)
        await self._store.cases.add_event(case_id, actor_id(requested_by), "exported", now,
                                          data={"sha256": bundle.sha256})
        return bundle

    async def dashboard_link(self, platform: str, community_id: str, moderator: UserRef) -> str:
        link = await issue_signin_link(self._store, platform, community_id, moderator,
                                       base_url=self._review_url, clock=self._clock)
        log.info("review sign-in link issued", extra=fields(
            platform=platform, community=community_id, moderator=actor_id(moderator)))
        return link

    # -- communities and privacy -----------------------------------------------------------

    async def get_settings(self, platform: str, community_id: str) -> CommunitySettings:
        cached = self._settings.get((platform, community_id))
        if cached is not None and (not self._shared or time.monotonic() < cached[1]):
            return cached[0]
        stored = await self._store.communities.get(platform, community_id)
        settings = stored or CommunitySettings(platform, community_id,
                                               policy_pack=self._default_pack)
        self._settings[(platform, community_id)] = (settings,
                                                    time.monotonic() + SHARED_SETTINGS_TTL_S)
        return settings

    async def save_settings(self, settings: CommunitySettings, changed_by: UserRef) -> None:
        """Store a community's settings; ``ValueError`` (a line with a hint, safe to show the
        admin) when the pack is unknown or the overrides do not fit it."""
        problem = self._policies.check_settings(settings)
        if problem:
            raise ValueError(problem)
        await self._store.communities.save(settings)
        self._settings[(settings.platform, settings.community_id)] = (
            settings, time.monotonic() + SHARED_SETTINGS_TTL_S)
        log.info("community settings saved", extra=fields(
            platform=settings.platform, community=settings.community_id,
            pack=settings.policy_pack, shadow=settings.shadow, changed_by=actor_id(changed_by)))

    async def status(self, platform: str, community_id: str) -> CommunityStatus:
        since = self._clock() - timedelta(days=7)
        open_cases, recent_cases = await self._store.cases.counts(platform, community_id, since)
        checked, flagged = await self._store.verdicts.counts_since(platform, community_id, since)
        return CommunityStatus(
            settings=await self.get_settings(platform, community_id), open_cases=open_cases,
            cases_last_7_days=recent_cases, flagged_last_7_days=flagged,
            messages_checked_last_7_days=checked,
        )

    async def _forget_cached_state(self) -> None:
        self._recent.clear()
        self._bounds = await self._store.state.risk_bounds()

    async def purge_expired(self) -> int:
        """Retention: blank evidence text past its period and forget old campaign hashes."""
        now = self._clock()
        await self._store.state.forget_texts_before(now - timedelta(days=2))
        return await self._store.purge_expired_text(now)

    async def delete_user_data(self, platform: str, user_id: str) -> int:
        removed = await self._store.delete_user_data(platform, user_id)
        removed += await delete_review_user_data(self._store.db, platform, user_id)
        await self._forget_cached_state()
        log.info("user data deleted", extra=fields(platform=platform, rows=removed))
        return removed

    async def delete_community_data(self, platform: str, community_id: str) -> int:
        removed = await self._store.delete_community_data(platform, community_id)
        removed += await delete_review_community_data(self._store.db, platform, community_id)
        self._settings.pop((platform, community_id), None)
        await self._forget_cached_state()
        log.info("community data deleted", extra=fields(platform=platform, rows=removed))
        return removed


def _listed_recipients(message: IncomingMessage, decision: Decision) -> tuple[UserRef, ...]:
    """The people a case lists for this message: its recipients and everyone the decision warns
    (a campaign's earlier recipients too), whether or not the cooldown spares them."""
    warned = (e.target for e in decision.effects if e.kind in _WARNING_KINDS and e.target)
    return (*message.recipients, *warned)


def _target_id(effect: Effect, message: IncomingMessage) -> str | None:
    """Who an outbox row is about; a timeout or ban without a target is about the sender (as
    its payload says), so a later lift can find it."""
    if effect.target is not None:
        return effect.target.id
    if effect.kind in (EffectKind.TIMEOUT_SENDER, EffectKind.BAN_SENDER):
        return message.sender.id
    return None


def _outcome_from_stored(key: str, stored: StoredVerdict) -> Outcome:
    effects = tuple(Effect(kind=EffectKind(e["kind"]), policy=e["policy"]) for e in stored.effects)
    return Outcome(message_key=key, flagged=stored.flagged, labels=stored.labels,
                   scores=stored.scores, effects=effects, case_id=stored.case_id, duplicate=True)
