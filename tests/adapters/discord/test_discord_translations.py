"""The command picker in the viewer's language: the catalog's translations, Discord's limits, the
translator, and what the real client syncs to the fake Discord."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.app_commands import TranslationContext, TranslationContextLocation, locale_str

from adapters.discord.catalog import DEFAULT_LOCALE, Strings
from adapters.discord.commands import register_commands
from adapters.discord.translator import (
    KEY,
    MAX_DESCRIPTION,
    MAX_MENU_NAME,
    CatalogTranslator,
    catalog_str,
)
from tests.adapters.discord.harness import World

STRINGS = Strings.load()
PICKER_PREFIXES = ("command_", "option_", "choice_", "menu_")
TRANSLATED = ("de", "es", "fr", "pt", "ru")
DISCORD_LOCALES = ("de", "es-ES", "fr", "pt-BR", "ru")
DESCRIPTION = TranslationContext(TranslationContextLocation.command_description, None)
MENU_NAME = TranslationContext(TranslationContextLocation.command_name, None)


def _picker_keys() -> list[str]:
    return [key for key in STRINGS.by_locale[DEFAULT_LOCALE] if key.startswith(PICKER_PREFIXES)]


async def _translate(translator: CatalogTranslator, string: locale_str, locale: str,
                     context: Any = DESCRIPTION) -> str | None:
    return await translator.translate(string, discord.Locale(locale), context)


# -- the catalog ------------------------------------------------------------------------------

def test_every_picker_text_fits_discords_limits_in_every_language():
    keys = _picker_keys()
    assert len(keys) >= 30
    for locale, entries in STRINGS.by_locale.items():
        for key in keys:
            if key not in entries:
                continue
            limit = MAX_MENU_NAME if key.startswith("menu_") else MAX_DESCRIPTION
            assert 1 <= len(entries[key].strip()) and len(entries[key]) <= limit, (locale, key)


def test_every_language_translates_the_whole_picker():
    for locale in TRANSLATED:
        missing = set(_picker_keys()) - set(STRINGS.by_locale[locale])
        assert not missing, (locale, sorted(missing))
        same = [k for k in _picker_keys()
                if STRINGS.by_locale[locale][k] == STRINGS.by_locale[DEFAULT_LOCALE][k]]
        assert not same, (locale, same)  # an untranslated copy would hide the English fallback


class _Recorder(app_commands.Translator):
    """Records every string discord.py asks to translate, and translates none."""

    def __init__(self) -> None:
        self.asked: list[tuple[Any, locale_str]] = []

    async def translate(self, string: locale_str, locale: discord.Locale,
                        context: Any) -> str | None:
        self.asked.append((context, string))
        return None


async def test_every_word_in_the_picker_comes_from_the_catalog():
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(
        discord.Client(intents=discord.Intents.none()))
    register_commands(tree)
    recorder = _Recorder()
    for command in tree.get_commands():
        await command.get_translated_payload(tree, recorder)
    names = {TranslationContextLocation.command_name, TranslationContextLocation.group_name,
             TranslationContextLocation.parameter_name}
    keys = set()
    for context, string in recorder.asked:
        if context.location in names and not isinstance(context.data, app_commands.ContextMenu):
            assert KEY not in string.extras, string  # slash command and option names stay English
        else:
            assert KEY in string.extras, (context.location, string)  # no literal left in code
            keys.add(string.extras[KEY])
    assert keys == set(_picker_keys())  # and no key unused in the catalog
    assert {c.name for c in tree.get_commands()} == {
        "modbot", "Report to moderators", "Check this message"}


# -- the translator ---------------------------------------------------------------------------

async def test_the_translator_answers_from_the_catalog_and_none_otherwise():
    translator = CatalogTranslator(STRINGS)
    group = catalog_str("command_group")
    assert group.message == "Moderation bot settings and cases"
    assert await _translate(translator, group, "de") == STRINGS.by_locale["de"]["command_group"]
    assert await _translate(translator, group, "pt-BR") == STRINGS.by_locale["pt"]["command_group"]
    assert await _translate(translator, group, "es-419") == STRINGS.by_locale["es"]["command_group"]
    # Discord shows the English default for these:
    assert await _translate(translator, group, "ja") is None  # a language the catalog lacks
    assert await _translate(translator, group, "en-US") is None
    assert await _translate(translator, group, "en-GB") is None
    assert await _translate(translator, locale_str("modbot"), "de") is None  # names have no key
    assert await _translate(translator, locale_str("x", key="no_such_key"), "fr") is None


async def test_a_missing_or_too_long_translation_falls_back_to_english():
    strings = Strings({"en": {"menu_report": "Report", "command_group": "Group"},
                       "de": {"menu_report": "M" * (MAX_MENU_NAME + 1),
                              "command_group": "G" * MAX_DESCRIPTION},
                       "fr": {}})
    translator = CatalogTranslator(strings)
    menu, group = locale_str("Report", key="menu_report"), locale_str("Group", key="command_group")
    assert await _translate(translator, menu, "de", MENU_NAME) is None
    assert await _translate(translator, group, "de") == "G" * MAX_DESCRIPTION
    assert await _translate(translator, group, "fr") is None


# -- what the real client syncs ---------------------------------------------------------------

def _walk(option: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield option
    for child in option.get("options", []):
        yield from _walk(child)


@pytest.mark.parametrize("locale", DISCORD_LOCALES)
async def test_the_synced_commands_carry_translations(world: World, start_bot, locale: str):
    await start_bot()
    commands = {c["name"]: c for c in world.fake.commands}
    assert set(commands) == {"modbot", "Report to moderators", "Check this message"}
    language = locale.split("-")[0]
    catalog = STRINGS.by_locale[language]

    modbot = commands["modbot"]
    assert modbot["description"] == "Moderation bot settings and cases"
    assert modbot["description_localizations"][locale] == catalog["command_group"]
    described = list(_walk(modbot))
    # modbot; setup, status, case, policy; setup's 6 options, case's 1; policy's 6 and their 7
    assert len(described) == 1 + 4 + 6 + 1 + 6 + 7
    for option in described:
        assert option["description_localizations"][locale], option["name"]
        assert not option.get("name_localizations"), option["name"]  # names stay English
    setup = next(o for o in modbot["options"] if o["name"] == "setup")
    locale_option = next(o for o in setup["options"] if o["name"] == "locale")
    assert locale_option["description"] == "Language for warnings, e.g. en or pt-BR"
    assert locale_option["description_localizations"][locale] == catalog["option_setup_locale"]

    policy = next(o for o in modbot["options"] if o["name"] == "policy")
    threshold = next(o for o in policy["options"] if o["name"] == "threshold")
    label = next(o for o in threshold["options"] if o["name"] == "label")
    for choice in label["choices"]:
        assert choice["name"] == choice["value"]  # English: the label's id
        assert choice["name_localizations"][locale] == catalog[f"choice_label_{choice['value']}"]
        assert choice["value"] in choice["name_localizations"][locale]

    for name, key in (("Report to moderators", "menu_report"),
                      ("Check this message", "menu_check")):
        assert commands[name]["name_localizations"][locale] == catalog[key]
    for command in commands.values():
        for option in _walk(command):
            localised = {**option.get("description_localizations", {}),
                         **option.get("name_localizations", {})}
            assert "en-US" not in localised and "ja" not in localised
