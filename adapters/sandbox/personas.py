"""The simulated community of the local sandbox: "Maple Hollow" and the people in it.

Ages are what a real platform would tell the bot: how old the account is and how long the person
has been in this community, in seconds. A new account that just joined and writes to a teenager
is exactly the pattern the policies look for, so the sandbox lets a new user try it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from moderation_bot.core.types import UserRef

PLATFORM = "sandbox"
COMMUNITY_ID = "maple-hollow"
COMMUNITY_NAME = "Maple Hollow"
MODERATOR_CHANNEL_ID = "moderators"
CHANNELS: tuple[str, ...] = ("general",)
"""The public channels a persona can write in."""

_HOUR = 3600
_DAY = 24 * _HOUR
_YEAR = 365 * _DAY


@dataclass(frozen=True, slots=True)
class Persona:
    """Someone in the sandbox community. ``id`` is their platform user id; ``role`` describes
    them in the persona picker, ``short_role`` next to their name."""

    id: str
    name: str
    role: str
    short_role: str
    account_age_s: float
    membership_age_s: float
    is_minor: bool = False
    is_moderator: bool = False

    @property
    def user(self) -> UserRef:
        return UserRef(PLATFORM, self.id, self.name)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "short_role": self.short_role,
            "account_age_s": self.account_age_s,
            "membership_age_s": self.membership_age_s,
            "is_minor": self.is_minor,
            "is_moderator": self.is_moderator,
        }


PERSONAS: Mapping[str, Persona] = MappingProxyType({
    persona.id: persona
    for persona in (
        Persona("alex", "Alex", "new member", "new member", account_age_s=2 * _YEAR,
                membership_age_s=3 * _DAY),
        Persona("sam", "Sam", "teen member (15)", "teen member, 15", account_age_s=1 * _YEAR,
                membership_age_s=240 * _DAY, is_minor=True),
        Persona("jordan", "Jordan", "stranger (account 2 days old, just joined)",
                "stranger", account_age_s=2 * _DAY, membership_age_s=1 * _HOUR),
        Persona("kim", "Kim", "moderator", "moderator", account_age_s=6 * _YEAR,
                membership_age_s=3 * _YEAR, is_moderator=True),
    )
})


def find_persona(persona_id: str) -> Persona | None:
    """The persona with this id (case-insensitive), or ``None``."""
    return PERSONAS.get(persona_id.strip().lower())


def default_moderator() -> Persona:
    return next(persona for persona in PERSONAS.values() if persona.is_moderator)


def dm_conversation_id(first: str, second: str) -> str:
    """The conversation id of the private chat between two personas (order does not matter)."""
    low, high = sorted((first, second))
    return f"dm:{low}:{high}"
