"""The English guess used to route non-English messages conservatively."""

from __future__ import annotations

from classifiers.language import looks_english


def test_english_chat_is_english() -> None:
    assert looks_english("i have your pics and you will pay me tonight")
    assert looks_english("gg ez")
    assert looks_english("")


def test_other_languages_are_not() -> None:
    assert not looks_english("tengo tus fotos y se las mando a tu familia esta noche")
    assert not looks_english("у меня есть твои фото, плати сегодня")
    assert not looks_english("ich habe deine bilder und schicke sie deiner familie")
