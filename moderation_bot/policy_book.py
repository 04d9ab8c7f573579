"""The pipeline's view of the policies package: decisions, flags, risk and words.

``PolicyBook`` is what the pipeline calls; ``PackPolicyBook`` binds it to the declarative packs
and catalogs in ``policies/``. Tests may pass any object with these methods.
"""

from __future__ import annotations

from typing import Protocol

from moderation_bot.core.types import (
    Classification,
    CommunitySettings,
    Decision,
    EffectKind,
    IncomingMessage,
    Notice,
    RiskState,
)
from policies.catalog import render
from policies.engine import PackPolicyEngine, flag
from policies.risk import advance


class PolicyBook(Protocol):
    def evaluate(self, settings: CommunitySettings, message: IncomingMessage,
                 classification: Classification, state: RiskState) -> Decision: ...

    def flag(self, pack: str, classification: Classification) -> tuple[bool, tuple[str, ...]]: ...

    def advance_risk(self, settings: CommunitySettings, previous: RiskState,
                     classification: Classification, seconds_since_conversation: float | None,
                     seconds_since_sender: float | None) -> RiskState: ...

    def render(self, kind: EffectKind, topic: str, locale: str,
               minor: bool | None = None) -> Notice:
        """Words for one person; ``minor`` (when known) leaves out links not meant for them."""
        ...

    def is_quiet(self, settings: CommunitySettings, classification: Classification) -> bool:
        """No label is above the pack's noise floor: the message adds nothing to any risk."""
        ...

    def warning_cooldown_s(self, settings: CommunitySettings) -> int:
        """How long one person is not warned again about the same sender and topic."""
        ...


class PackPolicyBook:
    """The policy packs shipped in ``policies/packs`` (plus any extra packs given by name)."""

    def __init__(self, engine: PackPolicyEngine | None = None) -> None:
        self._engine = engine or PackPolicyEngine()

    def evaluate(self, settings: CommunitySettings, message: IncomingMessage,
                 classification: Classification, state: RiskState) -> Decision:
        return self._engine.evaluate(settings, message, classification, state)

    def flag(self, pack: str, classification: Classification) -> tuple[bool, tuple[str, ...]]:
        return flag(self._engine.resolve_pack(pack), classification)

    def advance_risk(self, settings: CommunitySettings, previous: RiskState,
                     classification: Classification, seconds_since_conversation: float | None,
                     seconds_since_sender: float | None) -> RiskState:
        pack = self._engine.resolve_pack(settings.policy_pack)
        return advance(previous, classification,
                       seconds_since_conversation=seconds_since_conversation,
                       seconds_since_sender=seconds_since_sender, params=pack.risk)

    def render(self, kind: EffectKind, topic: str, locale: str,
               minor: bool | None = None) -> Notice:
        return render(kind, topic, locale, minor=minor)

    def warning_cooldown_s(self, settings: CommunitySettings) -> int:
        return int(self._engine.resolve_pack(settings.policy_pack).warning_cooldown)

    def is_quiet(self, settings: CommunitySettings, classification: Classification) -> bool:
        floor = self._engine.resolve_pack(settings.policy_pack).risk.noise_floor
        return all(score <= floor for score in classification.scores.values())
