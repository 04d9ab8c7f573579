"""Scoring texts outside a community: the ``classify`` command.

A text is flagged when a label crosses the pack's flag threshold, or when the pack's policies
would act on it given its conversation context (e.g. "send more" after a threat). Per-message
scores are the message's own; context only informs the decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from classifiers.normalize import normalize
from moderation_bot.core.ports import Classifier
from moderation_bot.core.types import (
    Classification,
    CommunitySettings,
    IncomingMessage,
    RiskState,
    UserRef,
)
from moderation_bot.text import clean_text
from moderation_bot.policy_book import PolicyBook

_PLATFORM = "cli"
_SENDER = UserRef(_PLATFORM, "sender")
_RECIPIENT = UserRef(_PLATFORM, "recipient")
_CONTEXT_GAP_S = 60.0


class TextChecker:
    def __init__(self, classifier: Classifier, policies: PolicyBook, pack: str,
                 max_chars: int = 50_000) -> None:
        self._classifier = classifier
        self._policies = policies
        self._settings = CommunitySettings(_PLATFORM, "classify", policy_pack=pack)
        self._max_chars = max_chars

    def check_batch(self, items: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, Any]]:
        """One result per (text, context) item: flagged, labels and the text's scores."""
        texts: list[str] = []
        for text, context in items:
            texts.extend(normalize(clean_text(t, self._max_chars)) for t in (*context, text))
        scored = iter(self._classifier.classify_batch(texts) if texts else [])
        results = []
        for text, context in items:
            context_scores = [next(scored) for _ in context]
            own = next(scored)
            results.append(self._result(text, context_scores, own))
        return results

    def _result(self, text: str, context: list[Classification], own: Classification) -> dict[str, Any]:
        flagged, labels = self._policies.flag(self._settings.policy_pack, own)
        if text.strip():
            state = RiskState()
            for number, classification in enumerate((*context, own)):
                state = self._policies.advance_risk(
                    self._settings, state, classification,
                    _CONTEXT_GAP_S if number else None, _CONTEXT_GAP_S if number else None,
                )
            message = IncomingMessage(
                platform=_PLATFORM, community_id="classify", channel_id="classify",
                conversation_id="classify", message_id="text", sender=_SENDER, text=text,
                sent_at=datetime.now(UTC), private=True, recipients=(_RECIPIENT,),
            )
            decision = self._policies.evaluate(self._settings, message, own, state)
            if decision.effects and not flagged:
                flagged = True
                labels = tuple(sorted(state.signals, key=lambda label: -own.scores[label]))
        return {
            "flagged": flagged,
            "labels": list(labels),
            "scores": {label: round(score, 4) for label, score in own.scores.items()},
        }
