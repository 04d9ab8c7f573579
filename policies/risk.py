"""Risk over time: how a sender's behaviour in a conversation adds up, message by message.

Grooming rarely shows in one line. It builds over many (age questions, secrecy, "send a pic"), so
the engine looks at a decaying risk per sender per conversation (and one per sender across the
community) next to the scores of the current message.

The update, for one message with scores ``s[label]``::

    decay    r <- r * 0.5 ** (seconds_since / half_life)            (conversation and sender alike)
    evidence e[label] = weight[label] * clip((s - noise_floor) / (1 - noise_floor))
                        * repeat_factor, if the label is already a signal in this conversation
                        * (1 - disclosure_damping * clip-scaled victim_disclosure score)
    bonus    b = distinct_signal_bonus for each NEW kind of signal, once two or more kinds are seen
    combine  r <- 1 - (1 - r) * prod(1 - e[label]) * (1 - b)        (a noisy-OR: stays in [0, 1])

So one ambiguous line adds a little, the same hint repeated adds less each time, and a new kind of
signal (asking for secrecy after asking someone's age, then asking for a picture) adds the most.
A message that reads as a victim's disclosure adds almost nothing to its sender's risk. When the
decayed conversation risk falls below ``forget_below`` the conversation has gone cold and its
signals are forgotten. Everything here is a pure function of its arguments.
"""

from __future__ import annotations

import dataclasses
import math

from moderation_bot.core.types import Classification, RiskState
from policies.schema import RiskParams


def decay(value: float, seconds: float | None, half_life_s: float) -> float:
    """``value`` after ``seconds`` of exponential decay. ``None`` (no earlier message) keeps it,
    as does a negative or unreadable gap (a clock that went backwards never adds risk)."""
    if seconds is None or math.isnan(seconds) or seconds <= 0:
        return value
    if math.isinf(seconds):
        return 0.0
    return float(value * 0.5 ** (seconds / half_life_s))


def evidence(score: float, weight: float, noise_floor: float) -> float:
    """How much one label's score says, after ignoring scores at or below the noise floor."""
    if not math.isfinite(score):
        return 0.0
    scaled = (score - noise_floor) / (1.0 - noise_floor)
    return weight * min(1.0, max(0.0, scaled))


def advance(
    prev: RiskState,
    classification: Classification,
    *,
    seconds_since_conversation: float | None,
    seconds_since_sender: float | None,
    params: RiskParams,
) -> RiskState:
    """The sender's risk state after one more message from them (see the module docstring).

    ``seconds_since_*`` is the time since the sender's previous message in this conversation and
    anywhere in the community (``None`` when there was none). Risks stay in ``[0, 1]``. Fields the
    conversation module fills (the campaign, other communities) are carried through unchanged.
    """
    conversation = decay(
        prev.conversation_risk, seconds_since_conversation, params.conversation_half_life
    )
    sender = decay(prev.sender_risk, seconds_since_sender, params.sender_half_life)
    seen = prev.signals if conversation >= params.forget_below else frozenset()

    scores = classification.scores
    disclosure = evidence(scores.get("victim_disclosure", 0.0), 1.0, params.noise_floor)
    damping = 1.0 - params.disclosure_damping * disclosure

    keep = 1.0  # product of (1 - evidence) over labels: the chance this message is innocent
    new_kinds: list[str] = []
    for label, weight in params.weights.items():
        if weight <= 0.0:
            continue
        score = scores.get(label, 0.0)
        e = evidence(score, weight, params.noise_floor) * damping
        if label in seen:
            e *= params.repeat_factor
        elif score >= params.signal_min_score and damping > 0.5:
            new_kinds.append(label)
        keep *= 1.0 - e

    signals = seen | frozenset(new_kinds)
    counted_new = min(len(new_kinds), len(signals) - 1)  # the first kind gets no bonus
    bonus_keep = (1.0 - params.distinct_signal_bonus) ** max(0, counted_new)

    return dataclasses.replace(
        prev,
        conversation_risk=_clip(1.0 - (1.0 - conversation) * keep * bonus_keep),
        sender_risk=_clip(1.0 - (1.0 - sender) * keep * bonus_keep),
        signals=signals,
        message_count=prev.message_count + 1,
    )


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))
