"""The words the Discord adapter shows to people, from ``strings.yaml``, by locale.

Safety advice itself arrives as a :class:`~moderation_bot.core.types.Notice` chosen by the
pipeline; this catalog only holds the frame around it (button labels, refusals, fallbacks, case
cards). A missing locale or key falls back to English, so a partial translation never breaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

import yaml

DEFAULT_LOCALE = "en"


@dataclass(frozen=True, slots=True)
class Strings:
    """A read-only catalog: ``strings.text("case_title", "en", case_id=3)``."""

    by_locale: Mapping[str, Mapping[str, str]]

    @classmethod
    def load(cls) -> Strings:
        raw = yaml.safe_load(
            resources.files(__package__).joinpath("strings.yaml").read_text(encoding="utf-8")
        )
        if not isinstance(raw, dict) or DEFAULT_LOCALE not in raw:
            raise ValueError("adapters/discord/strings.yaml must map locales to strings")
        return cls(MappingProxyType({
            str(locale): MappingProxyType({str(k): str(v) for k, v in entries.items()})
            for locale, entries in raw.items()
        }))

    def text(self, key: str, locale: object = DEFAULT_LOCALE, /, **values: object) -> str:
        """``locale`` may be ours (``en``) or Discord's (``en-US``, a ``discord.Locale``)."""
        entries = self.by_locale.get(normalise_locale(locale)) or {}
        template = entries.get(key) or self.by_locale[DEFAULT_LOCALE][key]
        return template.format(**values) if values else template


@cache
def packaged_strings() -> Strings:
    """The catalog shipped with the adapter, loaded once (for words fixed at import time)."""
    return Strings.load()


def normalise_locale(locale: object) -> str:
    """Discord's ``en-US``/``pt-BR`` (or a Locale enum) to our catalog keys (``en``, ``pt``)."""
    text = str(getattr(locale, "value", locale) or DEFAULT_LOCALE)
    return text.split("-")[0].lower() or DEFAULT_LOCALE
