"""Which pieces of a message the detector scores.

A message's score for a label is the highest score of any of its pieces, so one ordinary
sentence cannot dilute a threat beside it ("send nudes, i'm bored tonight and my brother is
playing xbox"), and a threat in the middle of a long paste is scored like one at its start.

The pieces of a normalised text (:func:`classifiers.normalize.normalize`) are:

- the whole text, when it fits in one window (a text of a few tokens is only that);
- each sentence (split at ``. ! ?``, ``;`` and line breaks) and each clause of a sentence
  (split at commas and dashes), when the text has more than one, and in a short text runs of
  two or three consecutive clauses (the message without what was glued around it);
- for long texts, runs of consecutive sentences packed up to the window size, so context that
  spans sentences ("I have the video. Your family gets it tonight.") is seen together;
- a sentence longer than one window is cut into overlapping token windows.

Every piece is scored on its own, so a piece's scores never depend on the other pieces or on
other messages. The number of pieces is bounded (``max_pieces``); past it, the packed runs
still cover the whole text end to end, so no part of a paste goes unscored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["pieces"]

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\s*\n\s*")
_CLAUSE_END = re.compile(r"(?<=,)\s+|\s+[-–—]+\s+")
_MIN_CLAUSE_CHARS = 8
_SHORT_TOKENS = 8
_MAX_SPAN_UNITS = 8


def _split(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [p.strip() for p in pattern.split(text) if p and p.strip()]


def pieces(
    text: str,
    count_tokens: Callable[[str], int],
    *,
    window_tokens: int,
    max_pieces: int = 640,
) -> list[str]:
    """The distinct pieces of ``text`` to score, whole text first.

    ``count_tokens`` gives a piece's length in model tokens; a piece longer than
    ``window_tokens`` is returned as is and the runtime scores it in token windows. The packed
    runs always cover the whole text; past ``max_pieces``, the sentences and clauses kept (at
    least ``max_pieces // 2``) are those with the most risk words (:data:`_RISK_WORDS`).
    """
    text = text.strip()
    if not text:
        return []
    length = count_tokens(text)
    if length <= _SHORT_TOKENS:
        return [text]  # too short for an ordinary part to dilute a harmful one
    fits = length <= window_tokens
    sentences = _split(text, _SENTENCE_END)
    out: list[str] = [text] if fits else _packed(sentences, count_tokens, window_tokens)
    singles: list[str] = []
    for sentence in sentences:
        if len(sentences) > 1:
            singles.append(sentence)
        clauses = _split(sentence, _CLAUSE_END)
        if len(clauses) > 1:
            singles.extend(c for c in clauses if len(c) >= _MIN_CLAUSE_CHARS)
    if fits:
        singles.extend(_spans(sentences))
    singles = [s for s in dict.fromkeys(singles) if s not in out]
    budget = max(max_pieces - len(out), max_pieces // 2)
    if len(singles) > budget:
        ranked = sorted(range(len(singles)), key=lambda i: -_risk(singles[i]))[:budget]
        singles = [singles[i] for i in sorted(ranked)]
    return list(dict.fromkeys([*out, *singles]))


def _spans(sentences: Sequence[str]) -> list[str]:
    """Runs of two or three consecutive clauses of a short text: a harmful message with one
    ordinary clause glued before or after it is still scored whole."""
    units = [c for sentence in sentences for c in _split(sentence, _CLAUSE_END)]
    if not 3 <= len(units) <= _MAX_SPAN_UNITS:
        return []
    return [" ".join(units[i : i + k]) for k in (2, 3) for i in range(len(units) - k + 1)
            if k < len(units)]


_RISK_WORDS = frozenset(
    "pic pics picture pictures photo photos video videos vid vids nude nudes naked cam webcam "
    "send post share leak expose recorded record screenshot screenshots family friends "
    "followers parents mum mom dad school everyone contacts pay money bitcoin btc wallet "
    "crypto gift card paypal hours deadline delete secret tell age old snap telegram "
    "blackmail blackmailing threatening threatened sextortion".split()
)
_WORDS = re.compile(r"[a-z]+")


def _risk(piece: str) -> int:
    return sum(word in _RISK_WORDS for word in _WORDS.findall(piece))


def _packed(sentences: Sequence[str], count_tokens: Callable[[str], int],
            window_tokens: int) -> list[str]:
    """Runs of consecutive sentences up to ``window_tokens`` that cover the text end to end."""
    runs: list[str] = []
    current: list[str] = []
    used = 0
    for sentence in sentences:
        length = count_tokens(sentence)
        if current and used + length > window_tokens:
            runs.append(" ".join(current))
            current, used = [], 0
        current.append(sentence)
        used += length
    if current:
        runs.append(" ".join(current))
    return runs
