"""The policy pack schema: what an admin may write in a policy YAML file, and nothing more.

A pack is data, never code. Conditions and effects are small closed sets, every model forbids
unknown keys, and cross-field rules (a ban needs ``allow_automatic_ban``, a victim disclosure is
never punished, every policy needs a real trigger) are checked when the pack is loaded, so a broken
pack fails before the bot runs rather than while it decides about a message.

Validation errors carry a ``hint`` in their context where one helps; :mod:`policies.loader` turns
them into readable ``file:line: key: message (hint: ...)`` problems.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from moderation_bot.core.types import LABELS, EffectKind, Severity

PUNITIVE_KINDS: frozenset[EffectKind] = frozenset(
    {EffectKind.DELETE_MESSAGE, EffectKind.TIMEOUT_SENDER, EffectKind.BAN_SENDER}
)
"""Effects that act against the sender. A victim disclosure never produces one of these."""

MAX_TIMEOUT_S = 28 * 24 * 3600
"""The longest timeout any platform we support accepts (Discord: 28 days)."""

MAX_CAMPAIGN_WINDOW_S = 48 * 3600
"""The longest a campaign can be looked for: fingerprints of messages are kept no longer."""

SEVERITY_NAMES: dict[str, Severity] = {s.name.lower(): s for s in Severity}

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_POLICY_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    """A hint naming the closest valid choice, or listing the choices when none is close."""
    options = sorted(choices)
    close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "expected one of: " + ", ".join(options)


def _unknown(kind: str, value: object, choices: Iterable[str]) -> PydanticCustomError:
    return PydanticCustomError(
        "unknown_" + kind.replace(" ", "_"),
        "unknown {kind} {value}",
        {"kind": kind, "value": repr(value), "hint": did_you_mean(value, choices)},
    )


def _check_label(value: object) -> str:
    if not isinstance(value, str) or value not in LABELS:
        raise _unknown("label", value, LABELS)
    return value


def parse_duration(value: object) -> int:
    """Seconds from an int/float of seconds or a string such as ``"90s"``, ``"10m"``, ``"7d"``."""
    if isinstance(value, bool):
        raise PydanticCustomError(
            "duration", "expected a duration", {"hint": "e.g. 600, '10m', '1h', '7d'"}
        )
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        match = _DURATION_RE.match(value)
        if not match:
            raise PydanticCustomError(
                "duration",
                "cannot read {value} as a duration",
                {
                    "value": repr(value),
                    "hint": "write seconds or a number with s, m, h, d or w: '10m', '1h', '7d'",
                },
            )
        seconds = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    else:
        raise PydanticCustomError(
            "duration", "expected a duration", {"hint": "e.g. 600, '10m', '1h', '7d'"}
        )
    if seconds <= 0:
        raise PydanticCustomError("duration", "a duration must be positive", {"hint": "e.g. '10m'"})
    return round(seconds)


Label = Annotated[str, BeforeValidator(_check_label)]
Score = Annotated[float, Field(ge=0.0, le=1.0, strict=True)]
Flag = Annotated[bool, Field(strict=True)]
Duration = Annotated[int, BeforeValidator(parse_duration)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class ScoreCondition(_Frozen):
    """``label`` scored at least ``min_score`` on this message."""

    label: Label
    min_score: Score


class Conditions(_Frozen):
    """When a policy applies. Every condition written must hold (AND); omitted ones are ignored.

    ``scores`` holds when ANY listed label reaches its ``min_score`` (or ALL of them with
    ``scores_match: all``). Age conditions hold only when the age is known. ``recipient_minor``
    reads the message's ``recipient_is_minor`` flag; unknown counts as not flagged.
    ``campaign_size_min`` counts the conversations this sender sent the same or near-same text
    to, ``campaign_senders_min`` the accounts that sent it in the community (within the pack's
    ``campaign_window``). A policy with either warns everyone the campaign reached.
    """

    scores: tuple[ScoreCondition, ...] = ()
    scores_match: Literal["any", "all"] = "any"
    conversation_risk_min: Score | None = None
    sender_risk_min: Score | None = None
    distinct_signals_min: Annotated[int, Field(ge=1, le=len(LABELS), strict=True)] | None = None
    private: Flag | None = None
    recipient_minor: Flag | None = None
    community_has_minors: Flag | None = None
    sender_account_age_max: Duration | None = None
    sender_membership_age_max: Duration | None = None
    other_communities_flagged_min: Annotated[int, Field(ge=1, strict=True)] | None = None
    campaign_size_min: Annotated[int, Field(ge=2, strict=True)] | None = None
    campaign_senders_min: Annotated[int, Field(ge=2, strict=True)] | None = None

    @model_validator(mode="after")
    def _has_a_trigger(self) -> Conditions:
        triggers = (
            self.scores,
            self.conversation_risk_min,
            self.sender_risk_min,
            self.distinct_signals_min,
            self.other_communities_flagged_min,
            self.campaign_size_min,
            self.campaign_senders_min,
        )
        if not any(t not in (None, ()) for t in triggers):
            raise PydanticCustomError(
                "no_trigger",
                "a policy needs at least one trigger, or it would fire on every message",
                {
                    "hint": "add 'scores', 'conversation_risk_min', 'sender_risk_min', "
                    "'distinct_signals_min', 'campaign_size_min', 'campaign_senders_min' or "
                    "'other_communities_flagged_min'"
                },
            )
        return self

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.scores)

    @property
    def campaign(self) -> bool:
        """The policy is about a campaign (the same text to many people, or from many)."""
        return self.campaign_size_min is not None or self.campaign_senders_min is not None


def _effect_shorthand(value: Any) -> Any:
    """``- warn_recipient`` is short for ``- kind: warn_recipient``."""
    if isinstance(value, str):
        return {"kind": value}
    return value


# Effects only a moderator's action produces (a dismiss lifts the bot's own timeouts); a policy
# cannot choose them.
MODERATOR_ONLY_KINDS: frozenset[EffectKind] = frozenset({EffectKind.LIFT_TIMEOUT})


def _check_kind(value: object) -> EffectKind:
    if isinstance(value, str) and value in EffectKind._value2member_map_:
        value = EffectKind(value)
    if isinstance(value, EffectKind):
        if value in MODERATOR_ONLY_KINDS:
            raise PydanticCustomError(
                "moderator_only_effect",
                "{value} is not an effect a policy can choose",
                {"value": repr(value.value),
                 "hint": "the bot does it itself when a moderator dismisses a case"},
            )
        return value
    raise _unknown("effect", value, (k.value for k in EffectKind if k not in MODERATOR_ONLY_KINDS))


def _check_severity(value: object) -> Severity:
    if isinstance(value, Severity):
        return value
    if isinstance(value, str) and value.lower() in SEVERITY_NAMES:
        return SEVERITY_NAMES[value.lower()]
    raise _unknown("severity", value, SEVERITY_NAMES)


class EffectSpec(_Frozen):
    """One thing a policy does: ``kind`` from the closed set, with its severity or duration."""

    kind: Annotated[EffectKind, BeforeValidator(_check_kind)]
    severity: Annotated[Severity, BeforeValidator(_check_severity)] | None = None
    duration: Annotated[Duration, Field(le=MAX_TIMEOUT_S)] | None = None

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> EffectSpec:
        if self.kind is EffectKind.ESCALATE and self.severity is None:
            raise PydanticCustomError(
                "missing_severity",
                "escalate needs a severity",
                {"hint": "add 'severity: low', 'medium', 'high' or 'critical'"},
            )
        if self.kind is EffectKind.TIMEOUT_SENDER and self.duration is None:
            raise PydanticCustomError(
                "missing_duration",
                "timeout_sender needs a duration",
                {"hint": "add e.g. 'duration: 1h'"},
            )
        if self.kind is not EffectKind.TIMEOUT_SENDER and self.duration is not None:
            raise PydanticCustomError(
                "stray_duration",
                "only timeout_sender takes a duration",
                {"hint": "remove 'duration' from this effect"},
            )
        return self


class Policy(_Frozen):
    """A named rule: when its conditions hold, it produces its effects.

    ``shadow: true`` records what it would do without doing it. ``topic`` names the advice topic
    when no score condition names one (risk-only policies).
    """

    id: str
    description: str = ""
    shadow: Flag = False
    topic: Label | None = None
    when: Conditions
    effects: tuple[Annotated[EffectSpec, BeforeValidator(_effect_shorthand)], ...] = Field(
        min_length=1
    )

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not _POLICY_ID_RE.match(value):
            raise PydanticCustomError(
                "policy_id",
                "policy id {value} is not a short lower-case name",
                {
                    "value": repr(value),
                    "hint": "use letters, digits, '-', '_' or '.', e.g. 'sextortion-clear'",
                },
            )
        return value

    @model_validator(mode="after")
    def _disclosure_is_never_punished(self) -> Policy:
        if "victim_disclosure" in self.when.labels:
            punitive = sorted(e.kind.value for e in self.effects if e.kind in PUNITIVE_KINDS)
            if punitive:
                raise PydanticCustomError(
                    "punishes_victim",
                    "a victim disclosure must never be punished ({effects})",
                    {
                        "effects": ", ".join(punitive),
                        "hint": "use support_victim for people who disclose; remove "
                        + ", ".join(punitive),
                    },
                )
        return self


class RiskParams(_Frozen):
    """How risk builds up over a conversation (see :mod:`policies.risk` for the formula).

    Half-lives are durations. ``weights`` say how much a confident score of each label adds
    (victim_disclosure should be 0: disclosing adds no risk to the person disclosing).
    ``signal_min_score`` is the score at which a label counts as a signal seen in the
    conversation; ``distinct_signal_bonus`` is added (as a probability) for each new kind of
    signal after the first; ``repeat_factor`` scales evidence for a kind already seen.
    """

    conversation_half_life: Duration = 6 * 3600
    sender_half_life: Duration = 7 * 86400
    weights: dict[Label, Score]
    noise_floor: Annotated[float, Field(ge=0.0, lt=1.0, strict=True)] = 0.1
    signal_min_score: Score = 0.5
    distinct_signal_bonus: Score = 0.25
    repeat_factor: Score = 0.5
    disclosure_damping: Score = 1.0
    forget_below: Score = 0.01

    @field_validator("weights")
    @classmethod
    def _every_label(cls, value: dict[str, float]) -> dict[str, float]:
        return _require_every_label(value, "weights", "0.0 for labels that should add no risk")


def _require_every_label(value: Mapping[str, float], what: str, example: str) -> dict[str, float]:
    missing = [label for label in LABELS if label not in value]
    if missing:
        raise PydanticCustomError(
            "missing_labels",
            "{what} is missing {missing}",
            {
                "what": what,
                "missing": ", ".join(missing),
                "hint": f"give every label a value, e.g. {example}",
            },
        )
    return {label: value[label] for label in LABELS}


class PolicyPack(_Frozen):
    """A named, versioned set of policies with its flag thresholds and risk parameters."""

    name: str = Field(min_length=1, max_length=64)
    version: str = Field(min_length=1, max_length=32)
    description: str = ""
    allow_automatic_ban: Flag = False
    # The same person is warned about the same sender at most once per this long, unless the
    # topic changes or the danger grows: never spam a frightened person.
    warning_cooldown: Duration = 6 * 3600
    # How far back the same or near-same text counts towards a campaign (at most 48 hours).
    campaign_window: Duration = 24 * 3600
    flag_thresholds: dict[Label, Score]
    risk: RiskParams
    policies: tuple[Policy, ...] = Field(min_length=1)

    @field_validator("flag_thresholds")
    @classmethod
    def _every_threshold(cls, value: dict[str, float]) -> dict[str, float]:
        return _require_every_label(value, "flag_thresholds", "'victim_disclosure: 0.6'")

    @field_validator("campaign_window")
    @classmethod
    def _window_within_retention(cls, value: int) -> int:
        if value > MAX_CAMPAIGN_WINDOW_S:
            raise PydanticCustomError(
                "campaign_window",
                "a campaign window of {hours} hours is longer than fingerprints are kept",
                {"hours": f"{value / 3600:g}", "hint": "use at most '48h'"},
            )
        return value

    @model_validator(mode="after")
    def _pack_rules(self) -> PolicyPack:
        seen: set[str] = set()
        for index, policy in enumerate(self.policies):
            # "at" lets the loader point at the policy's line rather than the top of the file.
            if policy.id in seen:
                raise PydanticCustomError(
                    "duplicate_policy",
                    "policy id {id} is used twice",
                    {
                        "id": repr(policy.id),
                        "hint": "give every policy its own id",
                        "at": ("policies", index, "id"),
                    },
                )
            seen.add(policy.id)
            if not self.allow_automatic_ban and any(
                e.kind is EffectKind.BAN_SENDER for e in policy.effects
            ):
                raise PydanticCustomError(
                    "automatic_ban",
                    "policy {id} bans automatically but the pack does not allow automatic bans",
                    {
                        "id": repr(policy.id),
                        "hint": "escalate instead (a moderator confirms the ban), or set "
                        "'allow_automatic_ban: true' at the top of the pack",
                        "at": ("policies", index),
                    },
                )
        return self

    def policy(self, policy_id: str) -> Policy:
        for policy in self.policies:
            if policy.id == policy_id:
                return policy
        raise KeyError(policy_id)

    def with_overrides(
        self,
        *,
        flag_thresholds: Mapping[str, float] | None = None,
        min_scores: Mapping[str, Mapping[str, float]] | None = None,
        disabled: Iterable[str] = (),
        shadow: Iterable[str] = (),
        risk: Mapping[str, Any] | None = None,
    ) -> PolicyPack:
        """This pack with a community's own settings, validated like a pack file.

        ``flag_thresholds`` replaces the named labels' thresholds; ``min_scores`` maps a policy id
        to ``{label: min_score}`` for its score conditions; ``disabled`` removes policies;
        ``shadow`` puts policies in shadow mode; ``risk`` replaces risk parameters by name.
        Raises :class:`OverrideError` naming the key and with a hint when something does not fit.
        """
        for name, value in (("disabled", disabled), ("shadow", shadow)):
            if isinstance(value, str):
                raise OverrideError(f"{name} must be a list of policy ids", f"write [{value!r}]")
        data = self.model_dump(mode="python")
        ids = [p.id for p in self.policies]
        for policy_id in (*disabled, *shadow, *(min_scores or {})):
            if policy_id not in ids:
                raise OverrideError(f"unknown policy {policy_id!r}", did_you_mean(policy_id, ids))
        if flag_thresholds:
            data["flag_thresholds"] = {**data["flag_thresholds"], **flag_thresholds}
        if risk:
            data["risk"] = {**data["risk"], **risk}
        disabled_ids, shadow_ids = set(disabled), set(shadow)
        policies = []
        for policy in data["policies"]:
            if policy["id"] in disabled_ids:
                continue
            if policy["id"] in shadow_ids:
                policy["shadow"] = True
            new_scores = (min_scores or {}).get(policy["id"], {})
            known = {c["label"] for c in policy["when"]["scores"]}
            for label in new_scores:
                if label not in known:
                    raise OverrideError(
                        f"policy {policy['id']!r} has no score condition for {label!r}",
                        did_you_mean(label, known)
                        if known
                        else "this policy has no score conditions",
                    )
            policy["when"]["scores"] = [
                {**c, "min_score": new_scores.get(c["label"], c["min_score"])}
                for c in policy["when"]["scores"]
            ]
            policies.append(policy)
        data["policies"] = policies
        try:
            return PolicyPack.model_validate(data)
        except ValidationError as exc:
            from policies.loader import validation_problems  # the loader imports this module

            first = validation_problems("overrides", exc)[0]
            raise OverrideError(f"{first.key}: {first.message}", first.hint) from None


class OverrideError(ValueError):
    """A community override that does not fit the pack; ``hint`` says what would."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(f"{message} (hint: {hint})" if hint else message)
        self.hint = hint
