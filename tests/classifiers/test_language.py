"""The English guess that routes non-English messages to the multilingual keyword rules."""

from __future__ import annotations

import pytest

from classifiers.language import looks_english
from classifiers.normalize import normalize


@pytest.mark.parametrize("text", [
    "i have your pics and you will pay me tonight",
    "gg ez",
    "",
    "ez mid noob report pudge",          # jargon with no common words of any language
    "was in the park with my man",       # "was", "in", "man" are German words too
    "me and my friends are going to la la land",
    "🙂👍",
])
def test_english_chat_is_english(text: str) -> None:
    assert looks_english(normalize(text))


@pytest.mark.parametrize("text", [
    "tengo tus fotos y se las mando a tu familia esta noche",
    "у меня есть твои фото, плати сегодня",
    "ich habe deine bilder und schicke sie deiner familie",
    "was willst du in der stadt machen",  # English-looking words, German sentence
    "você tem até amanhã para pagar",
    "je veux que tu m'envoies ça ce soir",
    "hola que tal",                        # short, two Spanish words, no English one
    "скинь фото",                          # short, but written in Cyrillic
])
def test_other_languages_are_not(text: str) -> None:
    assert not looks_english(normalize(text))
