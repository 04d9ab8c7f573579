"""The adapter's pure parts: configuration, catalog, references, participants, embeds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.discord.actions import nonce_for
from adapters.discord.catalog import Strings, normalise_locale
from adapters.discord.config import DiscordConfig
from adapters.discord.convert import format_ref, parse_ref
from adapters.discord.embeds import case_embed, describe_age, evidence_embed, notice_embed
from adapters.discord.participants import RecentParticipants
from adapters.discord.views import CUSTOM_ID_TEMPLATE, CaseAction, custom_id
from moderation_bot.core.types import (
    AdviceLink,
    CaseReport,
    CaseStatus,
    EvidenceItem,
    MessageRef,
    Notice,
    Severity,
    UserRef,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
STRINGS = Strings.load()


def _user(n: int, name: str) -> UserRef:
    return UserRef("discord", str(n), name)


def _report(texts: list[str | None]) -> CaseReport:
    evidence = tuple(
        EvidenceItem(MessageRef("discord", "1", "2", str(10 + i)), _user(7, "M"), (_user(8, "A"),),
                     text, "ab" * 32, {"sextortion": 0.5 + i / 100}, NOW)
        for i, text in enumerate(texts)
    )
    return CaseReport(3, "discord", "1", CaseStatus.OPEN, Severity.HIGH, ("sextortion",),
                      ("p.one",), _user(7, "M"), (_user(8, "A"),), evidence, NOW, NOW,
                      sender_account_age_s=90_000.0, sender_membership_age_s=None)


def test_config_validates_and_hides_the_token():
    config = DiscordConfig(token="secret-token", shard_count=4, shard_ids=(0, 1))
    assert config.uses_shards and "secret-token" not in repr(config)
    assert not DiscordConfig(token="t").uses_shards
    for bad in ({"token": "  "}, {"token": "t", "shard_count": 0},
                {"token": "t", "shard_ids": (0,)}, {"token": "t", "shard_count": 2,
                                                     "shard_ids": (2,)}):
        with pytest.raises(ValueError):
            DiscordConfig(**bad)  # type: ignore[arg-type]


def test_catalog_falls_back_to_english():
    assert normalise_locale("pt-BR") == "pt" and normalise_locale(None) == "en"
    assert STRINGS.text("case_title", "xx-YY", case_id=5) == "Case #5"
    assert STRINGS.text("button_claim") == "Claim"


def test_refs_and_nonces():
    assert parse_ref(format_ref(12, 34)) == (12, 34)
    for bad in ("", "12", "a:b", "12:", ":34", "sandbox-case-1"):
        assert parse_ref(bad) is None
    nonce = nonce_for("discord:1:2@2026-11-29T12:00:00+00:00:0:warn_recipient")
    assert len(nonce) == 25 and nonce == nonce_for(
        "discord:1:2@2026-11-29T12:00:00+00:00:0:warn_recipient")


def test_custom_ids_fit_the_template_and_discords_limit():
    import re

    pattern = re.compile(CUSTOM_ID_TEMPLATE)
    for action in CaseAction:
        cid = custom_id(2**53, action)
        assert pattern.fullmatch(cid) and len(cid) <= 100
    assert pattern.fullmatch("modbot:case:1:explode") is None
    assert pattern.fullmatch("modbot:case:0:claim") is None


def test_small_channels_name_the_other_participants():
    people = RecentParticipants(window=timedelta(minutes=30), small_channel=2)
    people.observe("c", _user(1, "a"), NOW - timedelta(hours=2))  # too long ago
    people.observe("c", _user(2, "b"), NOW - timedelta(minutes=1))
    people.observe("c", _user(3, "c"), NOW)
    assert [p.id for p in people.others("c", "3", NOW)] == ["2"]
    people.observe("c", _user(4, "d"), NOW)
    people.observe("c", _user(5, "e"), NOW)
    assert people.others("c", "3", NOW) == ()  # a busy channel: nobody in particular
    assert people.others("unknown", "3", NOW) == ()


def test_participants_memory_is_bounded():
    people = RecentParticipants(max_channels=2, max_authors=2)
    for channel in "abc":
        for n in range(5):
            people.observe(channel, _user(n, str(n)), NOW)
    assert people.others("a", "x", NOW) == ()
    assert [p.id for p in people.others("c", "x", NOW)] == ["3", "4"]


def test_ages_are_compact():
    assert describe_age(None, STRINGS, "en") == "unknown"
    assert describe_age(59, STRINGS, "en") == "0m"
    assert describe_age(3 * 3600 + 60, STRINGS, "en") == "3h 1m"
    assert describe_age(2 * 86400 + 3 * 3600, STRINGS, "en") == "2d 3h"
    assert describe_age(800 * 86400, STRINGS, "en") == "2y 2mo"


def test_the_case_card_never_shows_evidence_but_reveal_does():
    report = _report(["first secret text", None])
    card = case_embed(report, STRINGS).to_dict()
    assert "secret" not in str(card)
    assert "sextortion: 0.50 → 0.51" in str(card)
    revealed = evidence_embed(report, STRINGS).to_dict()["description"]
    assert "> first secret text" in revealed
    assert "removed after the retention period" in revealed


def test_huge_and_hostile_texts_stay_within_discords_limits():
    hostile = "\u202e\u200b" + "x" * 50_000 + "\x00`@everyone"
    report = _report([hostile] * 30)
    revealed = evidence_embed(report, STRINGS)
    assert len(revealed.description or "") <= 4096 and len(revealed) <= 6000
    assert "more. Export the evidence" in (revealed.description or "")
    notice = Notice("t", "en", "h" * 500, "b" * 9000, tuple("a" * 300 for _ in range(10)),
                    tuple(AdviceLink("l" * 50, "https://example.org/" + "p" * 100)
                          for _ in range(20)))
    embed = notice_embed(notice, STRINGS)
    assert len(embed) <= 6000
    assert all(len(f.value or "") <= 1024 for f in embed.fields)


def test_a_case_with_everything_long_still_fits():
    many = tuple(_user(10**17 + n, "n" * 30) for n in range(200))
    report = CaseReport(4, "discord", "1", CaseStatus.OPEN, Severity.CRITICAL, ("x" * 900,) * 3,
                        ("p" * 900,) * 3, _user(7, "m" * 2000), many, (), NOW, NOW,
                        claimed_by="c" * 2000)
    assert len(case_embed(report, STRINGS)) <= 6000


def test_every_translation_matches_the_english_keys_and_placeholders():
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    english = STRINGS.by_locale["en"]
    for locale, entries in STRINGS.by_locale.items():
        for key, text in entries.items():
            assert key in english, (locale, key)
            assert fields(text) == fields(english[key]), (locale, key)
    assert STRINGS.text("dm_closed_fallback", "de-DE", mention="<@1>").startswith("<@1>, ich")


def test_case_ids_in_buttons_fit_a_64_bit_integer():
    import re

    pattern = re.compile(CUSTOM_ID_TEMPLATE)
    assert pattern.fullmatch("modbot:case:" + "9" * 18 + ":claim")
    assert pattern.fullmatch("modbot:case:" + "9" * 19 + ":claim") is None


def test_a_campaign_card_names_its_senders_and_cuts_a_long_list():
    two = replace(_report(["x"]), other_senders=(_user(9, "Mel"),))
    fields = {f.name: f.value for f in case_embed(two, STRINGS).fields}
    assert fields["Senders (2)"] == "<@7> (M, account 1d 1h), <@9> (Mel)" and "Sender" not in fields
    aged = replace(two, other_sender_ages=(("9", 3 * 3600.0, None),))
    fields = {f.name: f.value for f in case_embed(aged, STRINGS).fields}
    assert fields["Senders (2)"] == "<@7> (M, account 1d 1h), <@9> (Mel, account 3h 0m)"
    many = replace(two, other_senders=tuple(_user(10**17 + n, "n" * 60) for n in range(120)))
    embed = case_embed(many, STRINGS)
    senders = next(f.value or "" for f in embed.fields if f.name == "Senders (121)")
    assert len(senders) <= 1024 and senders.endswith("more")
    assert len(embed) <= 6000
