"""The webcam-scam e-mail rule: enough of its parts, addressed to the reader, scores high."""

from __future__ import annotations

from classifiers.indicators import email_indicators, indicator_scores
from classifiers.normalize import normalize
from moderation_bot.core.types import LABELS

SEXTORTION = LABELS.index("sextortion")

# Written for this test: the anatomy of the scam, not any real e-mail.
SCAM = (
    "hello. i got into your computer with a trojan some months ago and switched on your camera "
    "while you were on adult websites. i have the recording. send 900 dollars in bitcoin to the "
    "wallet below within 48 hours or the video goes to every contact you have. after payment i "
    "delete everything and you never hear from me again."
)
REPORT = (
    "i got an email saying someone put a trojan on my computer and recorded me on adult "
    "websites with my camera, they want bitcoin in 48 hours or they send it to my contacts. "
    "is this real? i am scared for me and my family"
)
CRYPTO_SPAM = (
    "your account was hacked and your bitcoin wallet was drained? our recovery team gets your "
    "funds back within 48 hours. contact us today, thousands of clients and their families "
    "trust us to delete the scammers' access."
)


def test_the_scam_email_scores_high() -> None:
    parts = email_indicators(normalize(SCAM))
    assert {"hacked_device", "sexual_leverage", "recording", "payment", "contacts"} <= parts
    assert indicator_scores(normalize(SCAM))[SEXTORTION] >= 0.9


def test_a_report_of_the_email_is_not_read_as_the_threat() -> None:
    assert indicator_scores(normalize(REPORT))[SEXTORTION] == 0.0


def test_without_sexual_leverage_nothing_fires() -> None:
    assert indicator_scores(normalize(CRYPTO_SPAM))[SEXTORTION] == 0.0


def test_short_chat_is_left_to_the_model() -> None:
    short = "hacked your webcam, bitcoin in 24 hours or your contacts see it"
    assert indicator_scores(short).max() == 0
