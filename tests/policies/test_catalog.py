"""The words people read: complete in every locale, short, and only vetted links and numbers."""

from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml

from moderation_bot.core.types import EffectKind
from policies.catalog import (
    RENDERED_KINDS,
    TOPICS,
    CatalogError,
    available_locales,
    catalog,
    catalog_problems,
    link_registry,
    render,
)

LOCALES = available_locales()
REQUIRED_LOCALES = {"en", "es", "fr", "de", "pt"}
NUMBER = re.compile(r"\d(?:[\d -]*\d)?")
REGIONS = {"en-GB", "en-US", "en-AU", "en-IE", "en-CA"}


def keys(locale: str, *, with_links: bool = True) -> set[str]:
    cat = catalog(locale)
    found = {f"steps.{k}" for k in cat.steps}
    if with_links:
        found |= {f"links.{k}" for k in cat.links}
    for kind, entries in cat.notices.items():
        for topic, entry in entries.items():
            found.add(f"notices.{kind.value}.{topic}")
            found |= {f"notices.{kind.value}.{topic}.steps.{s}" for s in entry.steps}
            if with_links:
                found |= {f"notices.{kind.value}.{topic}.links.{s}" for s in entry.links}
    return found


def test_every_catalog_file_loads() -> None:
    assert catalog_problems() == ()
    assert set(LOCALES) >= REQUIRED_LOCALES | REGIONS
    assert LOCALES[0] == "en"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_every_key(locale: str) -> None:
    # Regions choose their own links (local police and helplines); everything else matches.
    if "-" in locale:
        assert keys(locale, with_links=False) == keys("en", with_links=False)
    else:
        assert keys(locale) == keys("en")


@pytest.mark.parametrize(
    ("locale", "must_show", "must_not_show"),
    [
        ("en-GB", {"999", "CEOP", "Report Remove"}, set()),
        (
            "en-US",
            {"911", "CyberTipline", "1-800-843-5678"},
            {"CEOP", "Childline", "Report Remove"},
        ),
        ("en-AU", {"000", "ACCCE", "eSafety", "1800 55 1800"}, {"CEOP", "Childline"}),
        ("en-IE", {"112", "Hotline.ie", "1800 66 66 66"}, {"CEOP", "0800 1111"}),
        ("en-CA", {"911", "Cybertip.ca", "1-800-668-6868"}, {"CEOP", "Childline"}),
    ],
)
def test_regions_point_to_their_own_police_and_helplines(
    locale: str, must_show: set[str], must_not_show: set[str]
) -> None:
    notice = render(EffectKind.SEND_ADVICE, "sextortion", locale)
    text = " ".join([*notice.advice, *(link.title for link in notice.links)])
    assert all(needle in text for needle in must_show), text
    assert not any(needle in text for needle in must_not_show), text
    assert notice.headline == render(EffectKind.SEND_ADVICE, "sextortion", "en").headline


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", RENDERED_KINDS)
@pytest.mark.parametrize("topic", TOPICS)
def test_every_kind_and_topic_renders(locale: str, kind: EffectKind, topic: str) -> None:
    notice = render(kind, topic, locale)
    assert notice.locale == locale
    assert notice.topic == topic
    assert notice.headline and notice.body
    assert len(notice.headline) <= 80 and len(notice.body) <= 320
    assert all(0 < len(step) <= 240 for step in notice.advice)
    if kind is not EffectKind.WARN_RECIPIENT:
        assert notice.advice and notice.links
    urls = {link.url for link in link_registry().links.values()}
    assert {link.url for link in notice.links} <= urls


def test_advice_covers_the_police_steps_in_english() -> None:
    notice = render(EffectKind.SEND_ADVICE, "sextortion")
    text = " ".join(notice.advice).lower()
    for needle in (
        "don't pay",
        "block",
        "screenshot",
        "police",
        "ceop",
        "report remove",
        "take it down",
        "stopncii",
        "not your fault",
        "someone you trust",
    ):
        assert needle in text
    assert [link.url for link in notice.links] == [
        "https://www.ceop.police.uk/Safety-Centre/",
        "https://www.childline.org.uk/remove",
        "https://takeitdown.ncmec.org/",
        "https://stopncii.org/",
        "https://www.childline.org.uk/",
    ]
    support = render(EffectKind.SUPPORT_VICTIM, "victim_disclosure")
    assert "right thing" in support.headline


def test_every_link_and_number_is_on_the_vetted_list() -> None:
    registry = link_registry()
    numbers = {n.number for n in registry.numbers.values()}
    for entry in [*registry.links.values(), *registry.numbers.values()]:
        assert entry.source and entry.who
    for locale in LOCALES:
        cat = catalog(locale)
        texts = [*cat.links.values(), *cat.steps.values()]
        texts += [
            t
            for entries in cat.notices.values()
            for e in entries.values()
            for t in (e.headline, e.body)
        ]
        for text in texts:
            assert "http" not in text and "www." not in text, (locale, text)
            for number in NUMBER.findall(text):
                if sum(c.isdigit() for c in number) >= 3:
                    assert number.strip(" -") in numbers, (locale, number)


def test_link_addresses_are_only_in_the_registry() -> None:
    folder = resources.files("policies").joinpath("catalogs")
    for item in folder.iterdir():
        if item.name.endswith(".yaml") and item.name != "links.yaml":
            assert "https://" not in item.read_text("utf-8"), item.name


@pytest.mark.parametrize(
    ("asked", "used"),
    [
        ("en", "en"),
        ("es", "es"),
        ("es-MX", "es"),
        ("pt_BR", "pt"),
        ("PT-br", "pt"),
        ("en-us", "en-US"),
        ("en_AU", "en-AU"),
        ("en-NZ", "en"),
        ("xx", "en"),
        ("", "en"),
        ("../../etc/passwd", "en"),
        ("zh-Hant-TW", "en"),
    ],
)
def test_locales_fall_back_to_the_language_then_english(asked: str, used: str) -> None:
    assert render(EffectKind.WARN_RECIPIENT, "sextortion", asked).locale == used


def test_unknown_effects_are_a_catalog_error() -> None:
    with pytest.raises(CatalogError, match="is not an effect"):
        render("wave_hello", "general")  # type: ignore[arg-type]


def test_unknown_topics_use_the_general_words() -> None:
    notice = render(EffectKind.WARN_RECIPIENT, "something-new", "fr")
    general = render(EffectKind.WARN_RECIPIENT, "general", "fr")
    assert (notice.topic, notice.headline) == ("general", general.headline)


@pytest.mark.parametrize("kind", sorted(set(EffectKind) - set(RENDERED_KINDS)))
def test_effects_without_words_say_so(kind: EffectKind) -> None:
    with pytest.raises(CatalogError, match="sends no words"):
        render(kind, "sextortion")


def test_warnings_never_blame() -> None:
    en = catalog("en")
    warnings = " ".join(
        e.headline + " " + e.body for e in en.notices[EffectKind.WARN_RECIPIENT].values()
    )
    for word in ("you should have", "your fault for", "stupid", "why did you"):
        assert word not in warnings.lower()


def test_catalog_files_are_plain_yaml_mappings() -> None:
    folder = resources.files("policies").joinpath("catalogs")
    for item in folder.iterdir():
        if item.name.endswith(".yaml"):
            assert isinstance(yaml.safe_load(item.read_text("utf-8")), dict), item.name


@pytest.mark.parametrize("locale", ["en", "en-GB", "en-CA", "fr"])
def test_links_follow_the_readers_age_group_when_known(locale: str) -> None:
    registry = link_registry().links
    everyone = render(EffectKind.SEND_ADVICE, "sextortion", locale)
    teen = render(EffectKind.SEND_ADVICE, "sextortion", locale, minor=True)
    adult = render(EffectKind.SEND_ADVICE, "sextortion", locale, minor=False)
    audience = {
        link.url: a.audience
        for link in everyone.links
        for a in registry.values()
        if a.url == link.url
    }
    assert {audience[link.url] for link in teen.links} <= {"any", "minor"}
    assert {audience[link.url] for link in adult.links} <= {"any", "adult"}
    assert teen.links and adult.links
    assert set(teen.links) | set(adult.links) == set(everyone.links)
    assert teen.advice == adult.advice == everyone.advice
