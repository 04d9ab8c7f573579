"""The normaliser folds obfuscations back to plain text and never crashes."""

from __future__ import annotations

import pytest

from classifiers.normalize import normalize


@pytest.mark.parametrize(
    ("obfuscated", "plain"),
    [
        ("S3ND N00DZ", "send noodz"),
        ("p!cs", "pics"),
        ("ѕеnd me рісѕ", "send me pics"),  # Cyrillic look-alikes
        ("𝐬𝐞𝐧𝐝 𝐦𝐞 𝐧𝐮𝐝𝐞𝐬", "send me nudes"),  # mathematical bold
        ("ｓｅｎｄ ｎｕｄｅｓ", "send nudes"),  # full width
        ("s\u200be\u200cn\u200dd\u2060 nudes", "send nudes"),  # zero-width
        ("s e n d  n u d e s", "send nudes"),
        ("n.u.d.e.s", "nudes"),
        ("n-u-d-e-s", "nudes"),
        ("||send me pics||", "send me pics"),
        ("**pay** me `now` ~~or~~ __else__", "pay me now or else"),
        ("send 📸", "send photo"),
        ("z̷̛a̴l̵g̶o̷", "zalgo"),
        ("PLEEEEEEASE", "pleeease"),
        ("send me a n u d e s", "send me a nudes"),  # the article stays a word
        ("i s e n d", "i send"),
        ("i n s t a", "insta"),  # a word that starts with the letter stays whole
        ("voy a p u b l i c a r", "voy a publicar"),
    ],
)
def test_obfuscations_fold_to_plain_text(obfuscated: str, plain: str) -> None:
    assert normalize(obfuscated) == normalize(plain)


@pytest.mark.parametrize(
    "text",
    [
        "pay $50k by 10pm",
        "meet at 3rd street at 24h",
        "@john hi",
        "£600",
        "i'm 13",
        "r u a girl",
        "send 300euros now",
        "give me 200eur",
        "50bucks or else",
    ],
)
def test_numbers_mentions_and_short_words_survive(text: str) -> None:
    assert normalize(text) == text.lower()


def test_russian_text_stays_cyrillic() -> None:
    assert normalize("Привет, как дела?") == "привет, как дела?"


def test_whitespace_and_case() -> None:
    assert normalize("  Hello\n\n  THERE\t ") == "hello there"
    assert normalize("") == ""


@pytest.mark.parametrize(
    "text",
    [
        "\ud800lone surrogate\udfff",
        "\x00\x01\x1b[31mred\x7f",
        "\u202eevil bidi",
        "\ufffd" * 10,
        "x" * 100_000,
        "a b " * 25_000,
        "🍆" * 5_000,
        "1" * 50_000,
        "\U000e0041tag",
    ],
)
def test_hostile_input_never_crashes(text: str) -> None:
    out = normalize(text)
    assert isinstance(out, str)
    out.encode("utf-8")  # no lone surrogates left


def test_normalize_is_idempotent_on_common_text() -> None:
    for text in (
        "I have your pics. Pay £600 or your family sees them",
        "s3nd p!cs 📸 ||now||",
        "hey what's up lol",
    ):
        once = normalize(text)
        assert normalize(once) == once


def test_non_str_is_a_clear_error() -> None:
    with pytest.raises(TypeError):
        normalize(b"bytes")  # type: ignore[arg-type]
