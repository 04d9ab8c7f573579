"""What Discord shows in its command picker, in the viewer's language.

Commands mark their words with :func:`catalog_str` (the English text of a ``strings.yaml`` key,
with the key attached); :class:`CatalogTranslator`, set on the command tree before it syncs, fills
``description_localizations`` and ``name_localizations`` from the same catalog. Discord shows the
English default to any language the catalog lacks.

Command and option names are never translated (they carry no key): moderators and the docs share
``/modbot policy threshold label:grooming`` across languages. Context-menu names are translated:
they are the words a member reads in the right-click menu.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation, TranslationContextTypes, locale_str

from adapters.discord.catalog import DEFAULT_LOCALE, Strings, normalise_locale, packaged_strings

log = logging.getLogger(__name__)

KEY = "key"
"""The ``locale_str`` extra that names a ``strings.yaml`` key."""

MAX_DESCRIPTION = 100
"""Discord's limit for a description and a choice name (at least 1 character)."""
MAX_MENU_NAME = 32
"""Discord's limit for a context-menu name (at least 1 character)."""


def catalog_str(key: str) -> locale_str:
    """The English text of ``key`` (the default Discord shows), marked for translation."""
    return locale_str(packaged_strings().text(key), **{KEY: key})


def limit_for(location: TranslationContextLocation) -> int:
    """How many characters Discord accepts at ``location``."""
    if location in (TranslationContextLocation.command_name,
                    TranslationContextLocation.group_name,
                    TranslationContextLocation.parameter_name):
        return MAX_MENU_NAME
    return MAX_DESCRIPTION


class CatalogTranslator(app_commands.Translator):
    """Translates :func:`catalog_str` strings from a :class:`Strings` catalog.

    Returns ``None`` (Discord then shows the English default) for English, for a language the
    catalog lacks, for a key that language lacks, and for a string without a key.
    """

    def __init__(self, strings: Strings | None = None) -> None:
        self._strings = strings or packaged_strings()

    async def translate(self, string: locale_str, locale: discord.Locale,
                        context: TranslationContextTypes) -> str | None:
        key = string.extras.get(KEY)
        language = normalise_locale(locale)  # pt-BR -> pt, es-ES and es-419 -> es
        if key is None or language == DEFAULT_LOCALE:
            return None
        text = (self._strings.by_locale.get(language) or {}).get(key)
        if not text:
            return None
        if len(text) > limit_for(context.location):
            # Discord refuses the whole sync for one long text; English beats no commands.
            log.warning("translation too long for Discord",
                        extra={"key": key, "locale": language, "length": len(text)})
            return None
        return text
