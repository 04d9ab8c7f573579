"""The decision engine: a pure function from (pack, community, message, scores, risk) to effects.

No I/O, no clock, no randomness: the same inputs always give the same :class:`Decision`, so a
replay reproduces what happened and every effect can be explained by the policy and the scores
recorded on it.

Rules the engine applies on top of any pack, because no pack should be able to get them wrong:

- A message flagged as a victim disclosure is answered with support, never with punishment: its
  sender is never deleted, timed out, banned, escalated as a suspect, and nobody is warned about
  them. Only ``support_victim`` (and effects of policies written for disclosures) survive.
- Warnings and advice go to the message's recipients (one effect each, never the sender); a
  policy about a campaign also warns the people the campaign's earlier messages reached.
- The same effect for the same person appears once; the highest severity wins (then the policy
  that acts most strongly, so every effect names the policy that mattered).
- Policies marked ``shadow`` and communities in shadow mode record effects without acting.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from moderation_bot.core.types import (
    LABELS,
    Classification,
    CommunitySettings,
    Decision,
    Effect,
    EffectKind,
    IncomingMessage,
    RiskState,
    Severity,
    UserRef,
)
from policies.loader import BUILTIN_PACKS, load_pack
from policies.schema import (
    PUNITIVE_KINDS,
    EffectSpec,
    OverrideError,
    Policy,
    PolicyPack,
    did_you_mean,
)

log = logging.getLogger(__name__)

DEFAULT_PACK = "default"
OVERRIDE_KEYS = ("flag_thresholds", "min_scores", "disabled", "shadow", "risk")
_MAX_CACHED = 1024
GENERAL_TOPIC = "general"
_RECIPIENT_KINDS = frozenset({EffectKind.WARN_RECIPIENT, EffectKind.SEND_ADVICE})


def flag(pack: PolicyPack, classification: Classification) -> tuple[bool, tuple[str, ...]]:
    """Whether any label reached the pack's flag threshold, and which, highest score first."""
    scores = classification.scores
    over = [label for label in LABELS if scores[label] >= pack.flag_thresholds[label]]
    over.sort(key=lambda label: (-scores[label], LABELS.index(label)))
    return bool(over), tuple(over)


def is_disclosure(pack: PolicyPack, classification: Classification) -> bool:
    """The message reads as its sender disclosing that they are being targeted."""
    return classification.scores["victim_disclosure"] >= pack.flag_thresholds["victim_disclosure"]


@dataclass(frozen=True, slots=True)
class _Match:
    """Why a policy fired: the values its conditions looked at, and the label that drove it."""

    values: Mapping[str, float]
    topic: str


def evaluate(
    pack: PolicyPack,
    settings: CommunitySettings,
    message: IncomingMessage,
    classification: Classification,
    state: RiskState,
) -> Decision:
    """Decide what to do about one message (see the module docstring for the fixed rules)."""
    flagged, labels = flag(pack, classification)
    disclosure = is_disclosure(pack, classification)
    live: list[tuple[Effect, int]] = []
    shadow: list[tuple[Effect, int]] = []
    for policy in pack.policies:
        match = _match(policy, settings, message, classification, state)
        if match is None:
            continue
        effects = _effects(policy, match, message, state)
        if disclosure:
            effects = [e for e in effects if _allowed_for_disclosure(policy, e)]
        strength = _strength(policy)
        (shadow if policy.shadow or settings.shadow else live).extend(
            (effect, strength) for effect in effects
        )
    return Decision(
        flagged=flagged,
        labels=labels,
        effects=_dedupe(live),
        shadow_effects=_dedupe(shadow),
    )


def _allowed_for_disclosure(policy: Policy, effect: Effect) -> bool:
    if effect.kind is EffectKind.SUPPORT_VICTIM:
        return True
    if effect.kind in PUNITIVE_KINDS:
        return False
    return "victim_disclosure" in policy.when.labels


def _match(
    policy: Policy,
    settings: CommunitySettings,
    message: IncomingMessage,
    classification: Classification,
    state: RiskState,
) -> _Match | None:
    """The values behind a policy's conditions if every condition holds, else ``None``."""
    when = policy.when
    scores = classification.scores
    values: dict[str, float] = {}

    if when.scores:
        hits = [c for c in when.scores if scores[c.label] >= c.min_score]
        if not hits or (when.scores_match == "all" and len(hits) != len(when.scores)):
            return None
        for c in hits:
            values[c.label] = scores[c.label]

    numeric = (
        (when.conversation_risk_min, "conversation_risk", state.conversation_risk),
        (when.sender_risk_min, "sender_risk", state.sender_risk),
        (when.distinct_signals_min, "distinct_signals", len(state.signals)),
        (when.campaign_size_min, "campaign_size", state.campaign_size),
        (when.campaign_senders_min, "campaign_senders", state.campaign_senders),
        (
            when.other_communities_flagged_min,
            "other_communities_flagged",
            state.other_communities_flagged,
        ),
    )
    for minimum, name, value in numeric:
        if minimum is None:
            continue
        if value < minimum:
            return None
        values[name] = float(value)

    if when.private is not None and message.private is not when.private:
        return None
    if (
        when.recipient_minor is not None
        and (message.recipient_is_minor is True) is not when.recipient_minor
    ):
        return None
    if (
        when.community_has_minors is not None
        and settings.has_minors is not when.community_has_minors
    ):
        return None
    for maximum, age in (
        (when.sender_account_age_max, message.sender_account_age_s),
        (when.sender_membership_age_max, message.sender_membership_age_s),
    ):
        if maximum is not None and (age is None or age > maximum):
            return None

    hit_labels = tuple(label for label in LABELS if label in values)
    return _Match(values=values, topic=_topic(policy, hit_labels, classification, state))


def _topic(
    policy: Policy, hits: tuple[str, ...], classification: Classification, state: RiskState
) -> str:
    """The label that drove the policy: its best-scoring matched score condition, its declared
    topic, the best-scoring harmful signal seen in the conversation, or ``general``."""
    scores = classification.scores
    if hits:
        return max(hits, key=lambda label: scores[label])
    if policy.topic:
        return policy.topic
    signals = [label for label in LABELS if label in state.signals and label != "victim_disclosure"]
    if signals:
        return max(signals, key=lambda label: scores[label])
    return GENERAL_TOPIC


def _effects(
    policy: Policy, match: _Match, message: IncomingMessage, state: RiskState
) -> list[Effect]:
    reached = state.campaign_recipients if policy.when.campaign else ()
    effects: list[Effect] = []
    for spec in policy.effects:
        for target in _targets(spec, message, reached):
            effects.append(
                Effect(
                    kind=spec.kind,
                    policy=policy.id,
                    target=target,
                    severity=spec.severity or Severity.LOW,
                    scores=match.values,
                    duration_s=spec.duration,
                    advice_topic=_advice_topic(spec, match),
                )
            )
    return effects


def _targets(
    spec: EffectSpec, message: IncomingMessage, reached: tuple[UserRef, ...]
) -> Iterable[UserRef]:
    """The sender, or for warnings and advice each recipient of the message and then each
    person the campaign reached earlier (``reached``), once, never the sender."""
    if spec.kind in _RECIPIENT_KINDS:
        seen: set[tuple[str, str]] = set()
        for recipient in (*message.recipients, *reached):
            key = (recipient.platform, recipient.id)
            if key in seen or key == (message.sender.platform, message.sender.id):
                continue
            seen.add(key)
            yield recipient
    else:
        yield message.sender


def _advice_topic(spec: EffectSpec, match: _Match) -> str | None:
    if spec.kind is EffectKind.SUPPORT_VICTIM:
        return "victim_disclosure"
    if spec.kind in _RECIPIENT_KINDS or spec.kind is EffectKind.ESCALATE:
        return match.topic
    return match.topic if match.topic != GENERAL_TOPIC else None


def _dedupe(effects: list[tuple[Effect, int]]) -> tuple[Effect, ...]:
    """One effect per (kind, person). The highest severity wins, then the longest timeout, then
    the effect of the policy that acts most strongly (so a campaign's warning is attributed to the
    campaign policy rather than to a milder one that fired too), then pack order."""
    best: dict[tuple[EffectKind, str | None, str | None], tuple[Effect, int]] = {}
    for effect, strength in effects:
        target = effect.target
        key = (effect.kind, target.platform if target else None, target.id if target else None)
        current = best.get(key)
        if current is None or _rank(effect, strength) > _rank(*current):
            best[key] = (effect, strength)
    return tuple(effect for effect, _ in best.values())


def _rank(effect: Effect, strength: int) -> tuple[int, int, int]:
    return int(effect.severity), effect.duration_s or 0, strength


def _strength(policy: Policy) -> int:
    """How strongly a policy acts: its highest severity, plus one for each punitive effect."""
    severity = max(int(spec.severity or Severity.LOW) for spec in policy.effects)
    return severity * 10 + sum(spec.kind in PUNITIVE_KINDS for spec in policy.effects)


def check_overrides(pack: PolicyPack, overrides: Mapping[str, Any]) -> str | None:
    """Why ``overrides`` do not fit ``pack`` (one readable line with a hint), or ``None``."""
    unknown = sorted(set(overrides) - set(OVERRIDE_KEYS))
    if unknown:
        return f"unknown override {unknown[0]!r} (hint: {did_you_mean(unknown[0], OVERRIDE_KEYS)})"
    try:
        pack.with_overrides(**overrides)
    except OverrideError as exc:
        return str(exc)
    except (TypeError, AttributeError, ValueError) as exc:  # wrong shapes, e.g. a list for a map
        return f"overrides have the wrong shape ({exc})"
    return None


class PackPolicyEngine:
    """The :class:`~moderation_bot.core.ports.PolicyEngine` port: picks each community's pack by
    name and evaluates it.

    Built-in packs load on first use and are cached; ``extra_packs`` adds packs the operator
    loaded (e.g. a community's own file). Names come from community settings, so they never name
    a path: an unknown name falls back to ``default``, which :meth:`resolve_pack` makes visible.
    """

    def __init__(self, extra_packs: Mapping[str, PolicyPack] | None = None) -> None:
        self._packs: dict[str, PolicyPack] = dict(extra_packs or {})
        self._overridden: dict[tuple[str, str], PolicyPack] = {}
        self._warned: set[str] = set()

    @property
    def pack_names(self) -> tuple[str, ...]:
        return tuple(sorted({*BUILTIN_PACKS, *self._packs}))

    def resolve_pack(self, name: str, overrides: Mapping[str, Any] | None = None) -> PolicyPack:
        """The pack named ``name``, or ``default`` when there is none (check ``.name``).

        ``overrides`` are a community's own settings as plain data, the keyword arguments of
        :meth:`PolicyPack.with_overrides` (``flag_thresholds``, ``min_scores``, ``disabled``,
        ``shadow``, ``risk``). Overrides that do not fit the pack are ignored with a warning:
        check them with :func:`check_overrides` when an admin saves them.
        """
        pack = self._base_pack(name)
        if not overrides:
            return pack
        key = (pack.name, json.dumps(overrides, sort_keys=True, default=str))
        cached = self._overridden.get(key)
        if cached is None:
            problem = check_overrides(pack, overrides)
            if problem:
                log.warning("ignoring overrides for policy pack %r: %s", pack.name, problem)
                cached = pack
            else:
                cached = pack.with_overrides(**overrides)
            if len(self._overridden) >= _MAX_CACHED:
                self._overridden.clear()
            self._overridden[key] = cached
        return cached

    def _base_pack(self, name: str) -> PolicyPack:
        if name in self._packs:
            return self._packs[name]
        if name in BUILTIN_PACKS:
            pack = load_pack(name)
            self._packs[name] = pack
            return pack
        if name not in self._warned and len(self._warned) < _MAX_CACHED:
            self._warned.add(name)
            log.warning("unknown policy pack %r, using %r", name[:64], DEFAULT_PACK)
        return self._base_pack(DEFAULT_PACK)

    def evaluate(
        self,
        settings: CommunitySettings,
        message: IncomingMessage,
        classification: Classification,
        state: RiskState,
    ) -> Decision:
        return evaluate(
            self.resolve_pack(settings.policy_pack), settings, message, classification, state
        )
