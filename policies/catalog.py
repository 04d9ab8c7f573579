"""What people read: safety notices chosen from per-locale YAML catalogs.

The words live in ``policies/catalogs/<locale>.yaml`` (package data), the link addresses and phone
numbers in ``policies/catalogs/links.yaml`` with their sources. A regional file (``en-US.yaml``)
holds only what differs from its language's file (local police, helplines and links).

:func:`render` picks the notice for one effect and topic in the reader's locale, falling back to
the language (``pt-BR`` -> ``pt``) and then to English for a missing locale or key, so a reader
always gets words, never an error.

Catalogs are validated when first loaded: unknown keys, steps or links that do not exist, and
texts too long for a phone screen are problems; a broken locale is skipped (logged, and listed by
:func:`catalog_problems`) while English must always load.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from moderation_bot.core.types import LABELS, AdviceLink, EffectKind, Notice

log = logging.getLogger(__name__)

FALLBACK_LOCALE = "en"
GENERAL_TOPIC = "general"
TOPICS: tuple[str, ...] = (*LABELS, GENERAL_TOPIC)
RENDERED_KINDS: tuple[EffectKind, ...] = (
    EffectKind.WARN_RECIPIENT,
    EffectKind.SEND_ADVICE,
    EffectKind.SUPPORT_VICTIM,
)
"""The effects that send words to a person; the others act on messages, senders or cases."""

_LOCALE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")

Headline = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)]
Step = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class CatalogError(Exception):
    """A catalog file is broken, or a notice was asked for an effect that sends no words."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LinkSource(_Strict):
    audience: Literal["any", "minor", "adult"] = "any"
    url: Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")]
    who: str
    source: str


class NumberSource(_Strict):
    number: Annotated[str, StringConstraints(pattern=r"^[0-9][0-9 -]{1,20}[0-9]$")]
    who: str
    source: str


class LinkRegistry(_Strict):
    """``links.yaml``: every address and number the catalogs may show, with its source."""

    links: dict[str, LinkSource]
    numbers: dict[str, NumberSource]


class NoticeEntry(_Strict):
    headline: Headline
    body: Body
    steps: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


class Catalog(_Strict):
    """One locale's words. ``notices[kind][topic]``; every kind has a ``general`` entry."""

    locale: str
    language: str
    links: dict[str, Title]
    steps: dict[str, Step]
    notices: dict[EffectKind, dict[str, NoticeEntry]]

    @model_validator(mode="after")
    def _references(self) -> Catalog:
        for kind, entries in self.notices.items():
            if kind not in RENDERED_KINDS:
                raise ValueError(f"notices.{kind.value}: this effect sends no words to anyone")
            if GENERAL_TOPIC not in entries:
                raise ValueError(f"notices.{kind.value}: needs a 'general' entry")
            for topic, entry in entries.items():
                where = f"notices.{kind.value}.{topic}"
                if topic not in TOPICS:
                    raise ValueError(f"{where}: unknown topic (topics: {', '.join(TOPICS)})")
                for step in entry.steps:
                    if step not in self.steps:
                        raise ValueError(f"{where}: unknown step {step!r}")
                for link in entry.links:
                    if link not in self.links:
                        raise ValueError(f"{where}: unknown link {link!r}")
        return self


@dataclass(frozen=True, slots=True)
class _Loaded:
    registry: LinkRegistry
    catalogs: Mapping[str, Catalog]
    problems: tuple[str, ...]


def _read(name: str) -> Any:
    return yaml.safe_load(resources.files("policies").joinpath("catalogs", name).read_text("utf-8"))


@functools.lru_cache(maxsize=1)
def _load() -> _Loaded:
    registry = LinkRegistry.model_validate(_read("links.yaml"))
    raw: dict[str, Any] = {}
    problems: list[str] = []
    folder = resources.files("policies").joinpath("catalogs")
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        locale = item.name.removesuffix(".yaml")
        if not item.name.endswith(".yaml") or not _LOCALE_RE.match(locale):
            continue
        try:
            raw[locale] = _read(item.name)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(f"policies/catalogs/{item.name}: {exc}")
    catalogs: dict[str, Catalog] = {}
    # Languages before regions: a regional file (en-US) holds only what differs from its language.
    for locale in sorted(raw, key=lambda loc: ("-" in loc, loc)):
        data = raw[locale]
        language = locale.split("-")[0]
        if language != locale:
            data = _merge(raw.get(language), data)
        try:
            catalog = Catalog.model_validate(data)
            if catalog.locale != locale:
                raise ValueError(f"says locale {catalog.locale!r} but the file is {locale}.yaml")
            unknown = sorted(set(catalog.links) - set(registry.links))
            if unknown:
                raise ValueError(f"links not in links.yaml: {', '.join(unknown)}")
        except (ValidationError, ValueError) as exc:
            problems.append(f"policies/catalogs/{locale}.yaml: {exc}")
            log.error("catalog %s skipped: %s", locale, exc)
            continue
        catalogs[locale] = catalog
    if FALLBACK_LOCALE not in catalogs:
        raise CatalogError("the English catalog must load: " + "; ".join(problems))
    return _Loaded(registry, catalogs, tuple(problems))


def _merge(base: Any, override: Any) -> Any:
    """``override`` laid over ``base``: mappings merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base.get(key), value)
        return merged
    return override


def available_locales() -> tuple[str, ...]:
    """Locales with a catalog that loaded, English first."""
    loaded = _load().catalogs
    return (FALLBACK_LOCALE, *sorted(loc for loc in loaded if loc != FALLBACK_LOCALE))


def catalog_problems() -> tuple[str, ...]:
    """Why any catalog file was skipped (empty when all are fine)."""
    return _load().problems


def link_registry() -> LinkRegistry:
    return _load().registry


def catalog(locale: str) -> Catalog:
    """The catalog for exactly ``locale``; raises :class:`KeyError` when there is none."""
    return _load().catalogs[locale]


def locale_chain(locale: str) -> tuple[str, ...]:
    """Locales to try for ``locale``, best first: ``pt_br`` -> ``pt-BR``, ``pt``, ``en``."""
    loaded = _load().catalogs
    chain: list[str] = []
    parts = re.split(r"[-_]", (locale or "").strip(), maxsplit=1)
    language = parts[0].lower()
    if len(parts) == 2:
        chain.append(f"{language}-{parts[1].upper()}")
    chain.append(language)
    chain.append(FALLBACK_LOCALE)
    return tuple(dict.fromkeys(loc for loc in chain if loc in loaded))


def render(
    kind: EffectKind, topic: str, locale: str = "en", *, minor: bool | None = None
) -> Notice:
    """The notice one effect sends about one topic, in the reader's locale where we have it.

    Unknown topics use the ``general`` entry; missing locales or keys fall back to the language,
    then English. ``minor`` is the reader's age group when known: links only for adults are
    left out for under-18s and links only for under-18s for adults (``None`` keeps them all).
    Raises :class:`CatalogError` for effects that send no words (see :data:`RENDERED_KINDS`).
    """
    if kind not in EffectKind._value2member_map_:
        raise CatalogError(f"{kind!r} is not an effect")
    kind = EffectKind(kind)
    if kind not in RENDERED_KINDS:
        raise CatalogError(
            f"{kind.value} sends no words to anyone; only "
            + ", ".join(k.value for k in RENDERED_KINDS)
            + " have notices"
        )
    loaded = _load()
    chain = locale_chain(locale)
    topics = (topic, GENERAL_TOPIC) if topic in TOPICS else (GENERAL_TOPIC,)
    for loc in chain:
        entries = loaded.catalogs[loc].notices.get(kind, {})
        for candidate in topics:
            if candidate in entries:
                return _notice(
                    minor,
                    loaded,
                    chain[chain.index(loc) :],
                    loc,
                    topic if topic in TOPICS else GENERAL_TOPIC,
                    entries[candidate],
                )
    raise CatalogError(f"no catalog has a notice for {kind.value}")  # en is validated: unreachable


def _notice(
    minor: bool | None,
    loaded: _Loaded,
    chain: tuple[str, ...],
    locale: str,
    topic: str,
    entry: NoticeEntry,
) -> Notice:
    catalogs = [loaded.catalogs[loc] for loc in chain]
    left_out = {True: "adult", False: "minor", None: ""}[minor]

    def words(section: str, key: str) -> str:
        for cat in catalogs:
            value = getattr(cat, section).get(key)
            if value:
                return str(value)
        return str(getattr(loaded.catalogs[FALLBACK_LOCALE], section)[key])

    return Notice(
        topic=topic,
        locale=locale,
        headline=entry.headline,
        body=entry.body,
        advice=tuple(words("steps", step) for step in entry.steps),
        links=tuple(
            AdviceLink(title=words("links", link), url=loaded.registry.links[link].url)
            for link in entry.links
            if loaded.registry.links[link].audience != left_out
        ),
    )
