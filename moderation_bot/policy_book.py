"""The pipeline's view of the policies package: decisions, flags, risk and words.

``PolicyBook`` is what the pipeline calls; ``PackPolicyBook`` binds it to the declarative packs
and catalogs in ``policies/``. Tests may pass any object with these methods.
"""

from __future__ import annotations

from pathlib import Path
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
from policies.engine import PackPolicyEngine, check_overrides, evaluate, flag
from policies.loader import PolicyError, check_policies, load_pack
from policies.risk import advance
from policies.schema import PolicyPack


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

    def check_settings(self, settings: CommunitySettings) -> str | None:
        """Why a community's settings cannot be used (one line with a hint), or ``None``."""
        ...

    def is_quiet(self, settings: CommunitySettings, classification: Classification) -> bool:
        """No label is above the pack's noise floor: the message adds nothing to any risk."""
        ...

    def warning_cooldown_s(self, settings: CommunitySettings) -> int:
        """How long one person is not warned again about the same sender and topic."""
        ...

    def campaign_window_s(self, settings: CommunitySettings) -> int:
        """How far back the same or near-same text counts towards a campaign."""
        ...


class PackPolicyBook:
    """The policy packs shipped in ``policies/packs``, plus any the operator adds, with each
    community's own overrides applied."""

    def __init__(self, engine: PackPolicyEngine | None = None) -> None:
        self._engine = engine or PackPolicyEngine()

    @classmethod
    def with_folder(cls, folder: Path | None) -> PackPolicyBook:
        """Also offer every pack in ``folder`` (``*.yaml``) by its name; a broken file stops
        start-up with the problems listed."""
        extra = {}
        if folder is not None:
            problems = check_policies(folder)
            if problems:
                raise PolicyError(problems)
            for path in sorted(folder.glob("*.yaml")):
                pack = load_pack(path)
                extra[pack.name] = pack
        return cls(PackPolicyEngine(extra))

    def pack(self, settings: CommunitySettings) -> PolicyPack:
        return self._engine.resolve_pack(settings.policy_pack, settings.policy_overrides)

    def check_settings(self, settings: CommunitySettings) -> str | None:
        """Why these settings cannot be used (one line with a hint), or ``None``."""
        if settings.policy_pack not in self._engine.pack_names:
            return (f"unknown policy pack {settings.policy_pack!r} "
                    f"(hint: choose one of {', '.join(self._engine.pack_names)})")
        if settings.policy_overrides:
            base = self._engine.resolve_pack(settings.policy_pack)
            return check_overrides(base, settings.policy_overrides)
        return None

    def evaluate(self, settings: CommunitySettings, message: IncomingMessage,
                 classification: Classification, state: RiskState) -> Decision:
        return evaluate(self.pack(settings), settings, message, classification, state)

    def flag(self, pack: str, classification: Classification) -> tuple[bool, tuple[str, ...]]:
        return flag(self._engine.resolve_pack(pack), classification)

    def advance_risk(self, settings: CommunitySettings, previous: RiskState,
                     classification: Classification, seconds_since_conversation: float | None,
                     seconds_since_sender: float | None) -> RiskState:
        return advance(previous, classification,
                       seconds_since_conversation=seconds_since_conversation,
                       seconds_since_sender=seconds_since_sender,
                       params=self.pack(settings).risk)

    def render(self, kind: EffectKind, topic: str, locale: str,
               minor: bool | None = None) -> Notice:
        return render(kind, topic, locale, minor=minor)

    def warning_cooldown_s(self, settings: CommunitySettings) -> int:
        return int(self.pack(settings).warning_cooldown)

    def campaign_window_s(self, settings: CommunitySettings) -> int:
        return int(self.pack(settings).campaign_window)

    def is_quiet(self, settings: CommunitySettings, classification: Classification) -> bool:
        floor = self.pack(settings).risk.noise_floor
        return all(score <= floor for score in classification.scores.values())
