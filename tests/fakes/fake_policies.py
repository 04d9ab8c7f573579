"""A working fake of the PolicyBook the pipeline uses: one threshold, fixed words.

Any label at or above ``threshold`` warns each recipient, advises them and escalates; risk is the
running maximum score. Enough to test the pipeline without the real packs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from moderation_bot.core.types import (
    Classification,
    CommunitySettings,
    Decision,
    Effect,
    EffectKind,
    IncomingMessage,
    Notice,
    RiskState,
    Severity,
)


@dataclass
class ThresholdPolicies:
    threshold: float = 0.5
    policy: str = "fake-threshold"

    def flag(self, pack: str, classification: Classification) -> tuple[bool, tuple[str, ...]]:
        labels = tuple(sorted((l for l, s in classification.scores.items() if s >= self.threshold),
                              key=lambda l: -classification.scores[l]))
        return bool(labels), labels

    def evaluate(self, settings: CommunitySettings, message: IncomingMessage,
                 classification: Classification, state: RiskState) -> Decision:
        flagged, labels = self.flag(settings.policy_pack, classification)
        if not flagged:
            return Decision(flagged=False)
        effects = [Effect(kind, self.policy, target=r, advice_topic=labels[0],
                          scores=classification.scores)
                   for r in message.recipients
                   for kind in (EffectKind.WARN_RECIPIENT, EffectKind.SEND_ADVICE)]
        effects.append(Effect(EffectKind.ESCALATE, self.policy, target=message.sender,
                              severity=Severity.HIGH, scores=classification.scores))
        if settings.shadow:
            return Decision(flagged=True, labels=labels, shadow_effects=tuple(effects))
        return Decision(flagged=True, labels=labels, effects=tuple(effects))

    def advance_risk(self, settings: CommunitySettings, previous: RiskState,
                     classification: Classification, seconds_since_conversation: float | None,
                     seconds_since_sender: float | None) -> RiskState:
        top = max(classification.scores.values())
        return replace(previous, conversation_risk=max(previous.conversation_risk, top),
                       sender_risk=max(previous.sender_risk, top),
                       message_count=previous.message_count + 1)

    def render(self, kind: EffectKind, topic: str, locale: str,
               minor: bool | None = None) -> Notice:
        return Notice(topic=topic, locale=locale, headline=f"{kind}:{topic}", body="body",
                      advice=("step",) if kind is EffectKind.SEND_ADVICE else ())

    def check_settings(self, settings: CommunitySettings) -> str | None:
        return None if settings.policy_pack == "default" else "unknown policy pack"

    def warning_cooldown_s(self, settings: CommunitySettings) -> int:
        return 3600

    def campaign_window_s(self, settings: CommunitySettings) -> int:
        return 24 * 3600

    def is_quiet(self, settings: CommunitySettings, classification: Classification) -> bool:
        return all(score <= 0.1 for score in classification.scores.values())
