"""Keyword rules for Spanish, Portuguese, French, German and Russian, and the classifier that
routes non-English messages through them.

The trained detector is English-only (MODEL_CARD.md, "Non-English behaviour"): on other
languages a low score means "unknown", not "safe". :class:`MultilingualClassifier` scores every
message with the model and, for a message that :func:`classifiers.language.looks_english` calls
non-English, raises each label to the keyword score when that is higher. English messages pay
for one cheap language check and nothing else.

The rules are data: one YAML file per language in ``multilingual_rules/``, written in our own
words from the structure that police and NGO advisories describe (sextortion: leverage, an
audience, a demand, a deadline; image requests; grooming: age probing, secrecy, moving to another
app, being alone, gifts, flattery, meeting; victim disclosures). Each rule gives a label, a kind
(the warning sign it is), a score and its patterns: a regex, or ``{all: [regex, ...]}`` when
several cues must all be somewhere in the message (word order varies more than keywords do).
A file can name regex fragments under ``terms`` and use them as ``{name}`` (in later terms too).
Patterns are matched against normalised text (``classifiers.normalize``: lower case, accents
removed, look-alikes and leetspeak undone); they are written in lower case, and may be written
with accents, which are removed the same way when they are loaded.

A label's keyword score is its strongest matching rule, raised when rules of different kinds
match together: ``1 - (1 - best) * COMBINE ** (kinds - 1)``, provided the strongest is a warning
sign (``SIGN``) and not only a cue: money and a deadline alone are a bill or a scam, not a threat.
One sign alone stays at its own score (mostly below the policy packs' "clear" thresholds); two
different signs or a sign with a cue in one message (a threat and a demand, age probing and
secrecy) reach them. Thresholds stay in the packs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from classifiers.language import looks_english
from moderation_bot.core.ports import Classifier
from moderation_bot.core.types import LABELS, Classification

__all__ = [
    "COMBINE",
    "RULES_DIR",
    "SIGN",
    "KeywordClassifier",
    "KeywordRule",
    "MultilingualClassifier",
    "RuleError",
    "load_rules",
]

RULES_DIR = Path(__file__).resolve().parent / "multilingual_rules"
COMBINE = 0.1
"""How much of the remaining doubt each further kind of warning sign for a label leaves."""
SIGN = 0.4
"""Rules scoring less are cues (a demand for money, a deadline, a plea): they raise a label only
where a rule of at least this score (a warning sign of that label) matched too."""

_MAX_SCORE = 0.99
_SCRIPTS = ("latin", "cyrillic")
_TERM = re.compile(r"\{([a-z_]+)\}")
_ESCAPE = re.compile(r"\\.")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-z]")
# normalize() maps Cyrillic look-alikes to Latin when a word mixes scripts ("фoтo" with Latin
# o's): that turns the whole Russian text into a mix. Mapping them back gives the Russian rules
# a text they can read.
_TO_CYRILLIC = str.maketrans("abekmhopctyx", "авекмнорстух")


class RuleError(ValueError):
    """A rule file is malformed; the message names the file and the rule."""


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """One warning sign: when every one of ``patterns`` is found in a normalised text, ``label``
    scores at least ``score`` there."""

    label: str
    kind: str
    score: float
    patterns: tuple[re.Pattern[str], ...]
    cyrillic: bool = False

    def matches(self, text: str) -> bool:
        return all(pattern.search(text) for pattern in self.patterns)


def _strip_accents(pattern: str) -> str:
    """What normalize() does to accented letters (it lower-cases too: patterns must be lower
    case already, since lower-casing a pattern would turn ``\\S`` into ``\\s``)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", pattern))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _expand(pattern: str, terms: Mapping[str, str], where: str) -> str:
    def term(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise RuleError(f"{where}: unknown term {{{name}}}")
        return f"(?:{terms[name]})"

    return _TERM.sub(term, pattern)


def _rules_from(path: Path) -> list[KeywordRule]:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RuleError(f"{path.name}: cannot read: {error}") from error
    if not isinstance(raw, dict) or not isinstance(raw.get("language"), str):
        raise RuleError(f"{path.name}: expected a mapping with 'language', 'script', 'terms' "
                        "and 'rules'")
    if raw.get("script") not in _SCRIPTS:
        raise RuleError(f"{path.name}: 'script' must be one of {', '.join(_SCRIPTS)}")
    cyrillic = raw["script"] == "cyrillic"
    terms_raw = raw.get("terms") or {}
    if not isinstance(terms_raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in terms_raw.items()
    ):
        raise RuleError(f"{path.name}: 'terms' must map names to regex fragments")
    terms: dict[str, str] = {}
    for name, value in terms_raw.items():
        terms[name] = _expand(value, terms, f"{path.name}: term {name}")
    rules: list[KeywordRule] = []
    entries = raw.get("rules")
    if not isinstance(entries, list) or not entries:
        raise RuleError(f"{path.name}: 'rules' must be a non-empty list")
    for number, entry in enumerate(entries, 1):
        where = f"{path.name}: rule {number}"
        if not isinstance(entry, dict):
            raise RuleError(f"{where}: expected a mapping")
        label, kind, score = entry.get("label"), entry.get("kind"), entry.get("score")
        alternatives = entry.get("patterns")
        if label not in LABELS:
            raise RuleError(f"{where}: label must be one of {', '.join(LABELS)}, not {label!r}")
        if not isinstance(kind, str) or not kind:
            raise RuleError(f"{where}: 'kind' must name the warning sign")
        if not isinstance(score, (int, float)) or not 0.0 < score < 1.0:
            raise RuleError(f"{where}: 'score' must be a number between 0 and 1")
        if not isinstance(alternatives, list) or not alternatives:
            raise RuleError(f"{where}: 'patterns' must be a non-empty list")
        for alternative in alternatives:
            if isinstance(alternative, dict) and set(alternative) == {"all"}:
                parts = alternative["all"]
            else:
                parts = [alternative]
            if not isinstance(parts, list) or not parts or not all(
                isinstance(p, str) and p for p in parts
            ):
                raise RuleError(f"{where}: each pattern is a string or {{all: [strings]}}")
            compiled = tuple(_compile(p, terms, where) for p in parts)
            rules.append(KeywordRule(label, kind, float(score), compiled, cyrillic))
    return rules


def _compile(pattern: str, terms: Mapping[str, str], where: str) -> re.Pattern[str]:
    expanded = _strip_accents(_expand(pattern, terms, where))
    letters = _ESCAPE.sub("", expanded)
    if letters != letters.lower():
        raise RuleError(f"{where}: write patterns in lower case: {pattern!r}")
    try:
        return re.compile(expanded)
    except re.error as error:
        raise RuleError(f"{where}: bad pattern {pattern!r}: {error}") from error


def load_rules(folder: Path = RULES_DIR) -> tuple[KeywordRule, ...]:
    """Read and validate every ``*.yaml`` rule file in ``folder``; raise :class:`RuleError`."""
    files = sorted(Path(folder).glob("*.yaml"))
    if not files:
        raise RuleError(f"no rule files in {folder}")
    return tuple(rule for path in files for rule in _rules_from(path))


def _rules_version(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:8]


class KeywordClassifier:
    """Implements :class:`moderation_bot.core.ports.Classifier` with the multilingual rules.

    Labels no rule matches score 0. The model id carries a hash of the rule files, so a changed
    rule is a different model in the verdicts it leaves.
    """

    def __init__(self, folder: Path = RULES_DIR) -> None:
        self._rules = load_rules(folder)
        self._model_id = f"multilingual-keywords-v1-{_rules_version(folder)}"

    @property
    def model_id(self) -> str:
        return self._model_id

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        return [Classification(self.scores(text), self._model_id) for text in texts]

    def scores(self, text: str) -> dict[str, float]:
        """Keyword score per label for one normalised text."""
        latin = bool(_LATIN.search(text))
        cyrillic: list[str] = []
        if _CYRILLIC.search(text):
            cyrillic = [text, text.translate(_TO_CYRILLIC)] if latin else [text]
        found: dict[tuple[str, str], float] = {}
        for rule in self._rules:
            if found.get((rule.label, rule.kind), 0.0) >= rule.score:
                continue
            views = cyrillic if rule.cyrillic else ([text] if latin else [])
            if any(rule.matches(view) for view in views):
                found[rule.label, rule.kind] = rule.score
        best: dict[str, float] = {}
        kinds: dict[str, set[str]] = {}
        for (label, kind), score in found.items():
            best[label] = max(best.get(label, 0.0), score)
            kinds.setdefault(label, set()).add(kind)
        out = {}
        for label in LABELS:
            score = best.get(label, 0.0)
            if score < SIGN:
                score = 0.0  # cues alone (a bill, a deadline) say nothing about this label
            elif len(kinds[label]) > 1:
                score = 1.0 - (1.0 - score) * COMBINE ** (len(kinds[label]) - 1)
            out[label] = round(min(score, _MAX_SCORE), 4)
        return out


class MultilingualClassifier:
    """The model for every message, and the keyword rules too for non-English ones.

    Implements :class:`moderation_bot.core.ports.Classifier`. A message's scores depend on its
    text alone (per-message, cacheable). ``is_english`` is the routing guess (injectable for
    tests); its default is :func:`classifiers.language.looks_english`.
    """

    def __init__(self, model: Classifier, keywords: KeywordClassifier | None = None, *,
                 is_english: Callable[[str], bool] = looks_english) -> None:
        self._model = model
        self._keywords = keywords or KeywordClassifier()
        self._is_english = is_english
        self._model_id = f"{model.model_id}+{self._keywords.model_id}"

    @property
    def model_id(self) -> str:
        return self._model_id

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        out = []
        for text, scored in zip(texts, self._model.classify_batch(texts), strict=True):
            scores = dict(scored.scores)
            if not self._is_english(text):
                for label, value in self._keywords.scores(text).items():
                    scores[label] = max(scores.get(label, 0.0), value)
            out.append(Classification(scores, self._model_id))
        return out
