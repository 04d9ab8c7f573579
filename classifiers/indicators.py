"""Indicator rules: structure the model may miss, written down where it is known.

The mass "I recorded you through your webcam" e-mail has a fixed anatomy that security teams
describe the same way: a claim to have hacked the device, adult sites or the webcam, a
recording, a deadline in hours, bitcoin or a wallet, sending it to the reader's contacts, and a
promise to delete everything after payment. A text showing enough of these parts, sexual
leverage among them, is a sextortion e-mail whatever its wording; long e-mails dilute the
model's per-sentence view of it.

Each group is a readable regular expression over *normalised* text (lower-case, look-alikes
folded). :func:`indicator_scores` returns one score per label (LABELS order); the detector keeps
the higher of it and the model's score. The rules were kept only where they added recall on the
real-world dev split at no cost on ordinary chat (MODEL_CARD.md); thresholds stay in the packs.
"""

from __future__ import annotations

import re

import numpy as np

from moderation_bot.core.types import LABELS

__all__ = ["EMAIL_GROUPS", "email_indicators", "indicator_scores"]

_SEXTORTION = LABELS.index("sextortion")

EMAIL_GROUPS: dict[str, re.Pattern[str]] = {
    "hacked_device": re.compile(
        r"\b(?:hack(?:ed|er|ers|ing)?|malware|trojan|spyware|virus|keylogger|remote access|"
        r"rat software|infected|(?:access|control) (?:to|over) (?:your|all your|ur) "
        r"(?:device|devices|computer|system|email|account|phone|operating system|camera)s?|"
        r"zugriff|gehackt|hackeado|piratato|hackl)"
    ),
    "sexual_leverage": re.compile(
        r"\b(?:adult (?:site|sites|website|websites|video|videos|content|page|pages)|porn\w*|"
        r"xxx|webcam|web cam|camera|masturbat\w*|jerk\w* off|intimate|naked|nude\w*|"
        r"sex\w*|dirty (?:stuff|video|things)|erotic\w*|selbstbefriedigung|erwachsene\w*|"
        r"masturb\w*|porno\w*|intim\w*|nackt\w*|desnud\w*|nud[oei]\w*)"
    ),
    "recording": re.compile(
        r"\b(?:record(?:ed|ing)?|captur(?:ed|ing)|footage|video (?:of|with) you|made a "
        r"(?:video|screenshot|recording)|screenshots?|split[- ]screen|aufgenommen|aufnahme|"
        r"video ?clip|grab(?:ado|ación)|registrat\w*|nahr\w*)"
    ),
    "deadline": re.compile(
        r"\b(?:\d{1,3} ?(?:hours|hrs|hour|h|stunden|ore|horas|hodin)\b|"
        r"(?:one|two|three|a) (?:days?|hours?)\b|deadline|timer|countdown|frist)"
    ),
    "payment": re.compile(
        r"\b(?:bitcoins?|btc|crypto\w*|wallet|usdt|litecoin|ethereum|monero|<btc_wallet>|"
        r"<eth_wallet>|geldbörse|portafoglio|peněženk\w*|billetera)"
    ),
    "contacts": re.compile(
        r"\b(?:contacts?|contact list|family|friends|colleagues|relatives|everyone you know|"
        r"social (?:network|networks|media)|kontakte\w*|contatti|kontakt\w*|familie|famiglia)"
    ),
    "delete_promise": re.compile(
        r"\b(?:delete|erase|destroy|remove|wipe|lösch\w*|cancell\w*|elimin\w*|smaž\w*)\b"
        r"[^.!?\n]{0,60}\b(?:video|videos|everything|evidence|data|recording|files|stuff|"
        r"material|it|them|alles|tutto|todo|vše)"
    ),
}
_MIN_GROUPS = 4
_SCORE = 0.95
# A report of such an e-mail ("he claims he has video of me ...") speaks of "me"; the e-mail
# itself speaks to "you". Reports are the detector's to read as disclosures, not threats.
_FIRST_PERSON = re.compile(r"\b(?:me|my|mine|myself)\b")
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|u|ur|sie|ihr|ihre|ihnen|dich|dein\w*|"
                            r"du|ti|tuo|tua|tuoi|te|tu|vous|votre|vos)\b")


def email_indicators(text: str) -> frozenset[str]:
    """The e-mail scam's parts that ``text`` (normalised) shows."""
    return frozenset(name for name, pattern in EMAIL_GROUPS.items() if pattern.search(text))


def indicator_scores(text: str) -> np.ndarray:
    """One score per label (LABELS order): ``0.95`` for sextortion when a text shows at least
    four parts of the webcam-scam e-mail, sexual leverage among them, addressed to the reader;
    0 otherwise."""
    out = np.zeros(len(LABELS), dtype=np.float32)
    if len(text) < 120:  # the e-mail is long; chat is left to the model
        return out
    parts = email_indicators(text)
    addressed = len(_SECOND_PERSON.findall(text)) > len(_FIRST_PERSON.findall(text))
    if addressed and "sexual_leverage" in parts and len(parts) >= _MIN_GROUPS:
        out[_SEXTORTION] = _SCORE
    return out
