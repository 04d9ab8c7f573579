"""A community's changes to its policy pack, edited one admin command at a time.

Both chat adapters offer the same commands (a label's threshold, a policy switched off, on or to
shadow mode, the list, a reset); these pure functions turn one command into the new
``CommunitySettings.policy_overrides``. They check only the command's own shape: the service
checks the result against the pack when it is saved (``BotService.save_settings`` raises
``ValueError`` with a hint), so nothing invalid is ever stored.
"""

from __future__ import annotations

import copy
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Overrides = dict[str, Any]


class PolicyMode(enum.StrEnum):
    """What one policy of the pack does in this community."""

    ON = "on"
    SHADOW = "shadow"
    OFF = "off"


def parse_score(text: str) -> float:
    """A threshold typed by an admin (``0.8``, ``.8``, ``0,8``); ``ValueError`` when it is not a
    number. Whether it is between 0 and 1 is the pack's check, with its hint."""
    value = float(text.strip().replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _copy(overrides: Mapping[str, Any]) -> Overrides:
    return {key: copy.deepcopy(value) for key, value in overrides.items()}


def _tidy(overrides: Overrides) -> Overrides:
    """Drop what has become empty, so "no changes" is ``{}``."""
    if "min_scores" in overrides:
        overrides["min_scores"] = {p: s for p, s in overrides["min_scores"].items() if s}
    return {key: value for key, value in overrides.items() if value}


def with_threshold(overrides: Mapping[str, Any], label: str, value: float,
                   policy: str | None = None) -> Overrides:
    """The pack's flag threshold for ``label``, or with ``policy`` the score from which that
    policy acts on ``label``."""
    changed = _copy(overrides)
    if policy is None:
        changed.setdefault("flag_thresholds", {})[label] = value
    else:
        changed.setdefault("min_scores", {}).setdefault(policy, {})[label] = value
    return _tidy(changed)


def with_mode(overrides: Mapping[str, Any], policy: str, mode: PolicyMode) -> Overrides:
    """``policy`` on as the pack has it, in shadow mode (decides and records, does nothing), or
    off."""
    changed = _copy(overrides)
    for key in ("disabled", "shadow"):
        changed[key] = [p for p in changed.get(key, []) if p != policy]
    if mode is PolicyMode.OFF:
        changed["disabled"].append(policy)
    elif mode is PolicyMode.SHADOW:
        changed["shadow"].append(policy)
    return _tidy(changed)


def without(overrides: Mapping[str, Any], policy: str | None = None) -> Overrides:
    """Every change undone, or with ``policy`` only that policy's (its scores and its mode)."""
    if policy is None:
        return {}
    changed = with_mode(overrides, policy, PolicyMode.ON)
    changed.get("min_scores", {}).pop(policy, None)
    return _tidy(changed)


@dataclass(frozen=True, slots=True)
class Change:
    """One line of the list: ``kind`` is ``flag_threshold`` (label, value), ``min_score``
    (policy, label, value), ``off`` or ``shadow`` (policy), or ``risk`` (label names the risk
    setting)."""

    kind: str
    policy: str = ""
    label: str = ""
    value: str = ""


def changes(overrides: Mapping[str, Any]) -> list[Change]:
    """The overrides as a list an admin can read, in a stable order."""
    found: list[Change] = []
    for label, value in sorted(dict(overrides.get("flag_thresholds") or {}).items()):
        found.append(Change("flag_threshold", label=label, value=_shown(value)))
    for policy, scores in sorted(dict(overrides.get("min_scores") or {}).items()):
        for label, value in sorted(dict(scores).items()):
            found.append(Change("min_score", policy=policy, label=label, value=_shown(value)))
    found += [Change("off", policy=p) for p in sorted(overrides.get("disabled") or [])]
    found += [Change("shadow", policy=p) for p in sorted(overrides.get("shadow") or [])]
    for name, value in sorted(dict(overrides.get("risk") or {}).items()):
        found.append(Change("risk", label=name, value=_shown(value)))
    return found


def _shown(value: object) -> str:
    return f"{value:g}" if isinstance(value, float | int) else str(value)
