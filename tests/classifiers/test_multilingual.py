"""The multilingual keyword rules and the classifier that routes non-English messages to them.

Texts here are our own small examples, not the probes the rules are measured on.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from classifiers.multilingual import (
    RULES_DIR,
    KeywordClassifier,
    MultilingualClassifier,
    RuleError,
    load_rules,
)
from classifiers.normalize import normalize
from classifiers.obfuscate import OBFUSCATIONS
from moderation_bot.core.ports import Classifier
from moderation_bot.core.types import LABELS
from tests.fakes.fake_classifier import TableClassifier

# The thresholds the model card recommends; a "clear" case must reach them.
CLEAR = {"sextortion": 0.76, "image_request": 0.77, "grooming": 0.92, "victim_disclosure": 0.07}

POSITIVES = [
    ("es", "sextortion", "guardé tus fotos desnuda. mándame 80 euros hoy o tus padres las verán"),
    ("es", "image_request", "porfa mándame una foto tuya sin ropa"),
    ("es", "grooming", "cuántos años tienes? borra este chat cuando leas"),
    ("es", "victim_disclosure", "alguien me está extorsionando con un video, tengo miedo"),
    ("pt", "sextortion", "tenho suas fotos peladas, paga 200 reais ou mando pra sua mãe"),
    ("pt", "image_request", "me manda foto sem roupa agora"),
    ("pt", "grooming", "qual sua idade? apaga essa conversa depois"),
    ("pt", "victim_disclosure", "um cara ta me chantageando com meus nudes, socorro"),
    ("fr", "sextortion", "j'ai tes nudes, 150 euros ce soir sinon je les envoie à tes parents"),
    ("fr", "image_request", "envoie moi une photo de toi nue"),
    ("fr", "grooming", "t'as quel âge? efface la conversation après"),
    ("fr", "victim_disclosure", "on me fait du chantage avec mes photos, j'ai peur"),
    ("de", "sextortion", "ich hab deine nacktfotos. zahl 100 euro oder deine eltern kriegen sie"),
    ("de", "image_request", "schick mir ein nacktbild von dir"),
    ("de", "grooming", "wie alt bist du? lösch den chat danach"),
    ("de", "victim_disclosure", "jemand erpresst mich mit bildern, was soll ich tun"),
    ("ru", "sextortion", "у меня есть твои голые фото. плати или отправлю твоим родителям"),
    ("ru", "image_request", "пришли мне фото без одежды"),
    ("ru", "grooming", "сколько тебе лет? удали переписку потом"),
    ("ru", "victim_disclosure", "меня шантажируют фотками, помогите"),
]

BENIGN = [
    "hola! alguien para jugar una partida de ajedrez?",
    "mándame la foto de los apuntes de historia",
    "te pago el almuerzo mañana, gracias",
    "a polícia explica como evitar a sextorsão",
    "manda uma foto do bolo que você fez!",
    "envoie moi la photo du tableau stp",
    "mes parents vont voir le film avec nous",
    "schick mir bitte das foto vom stundenplan",
    "ich zahl dir die 5 euro morgen zurück",
    "скинь фото расписания, пожалуйста",
    "верну тебе деньги за пиццу завтра",
]


@pytest.fixture(scope="module")
def keywords() -> KeywordClassifier:
    return KeywordClassifier()


def test_every_language_has_rules_for_every_label(tmp_path: Path) -> None:
    for path in sorted(RULES_DIR.glob("*.yaml")):
        folder = tmp_path / path.stem
        folder.mkdir()
        (folder / path.name).write_bytes(path.read_bytes())
        assert {rule.label for rule in load_rules(folder)} == set(LABELS), path.name


@pytest.mark.parametrize(("lang", "label", "text"), POSITIVES,
                         ids=[f"{lang}-{label}" for lang, label, _ in POSITIVES])
def test_clear_cases_reach_the_recommended_thresholds(keywords: KeywordClassifier, lang: str,
                                                      label: str, text: str) -> None:
    scores = keywords.scores(normalize(text))
    assert scores[label] >= CLEAR[label], scores


@pytest.mark.parametrize("text", BENIGN)
def test_everyday_messages_stay_quiet(keywords: KeywordClassifier, text: str) -> None:
    scores = keywords.scores(normalize(text))
    assert all(score < 0.5 for score in scores.values()), scores


def test_one_warning_sign_alone_stays_below_clear(keywords: KeywordClassifier) -> None:
    age = keywords.scores(normalize("cuántos años tienes?"))
    assert 0.4 <= age["grooming"] < CLEAR["grooming"]
    secrecy_too = keywords.scores(normalize("cuántos años tienes? no le digas a nadie"))
    assert secrecy_too["grooming"] >= CLEAR["grooming"]


def test_money_and_a_deadline_alone_are_not_a_threat(keywords: KeywordClassifier) -> None:
    bill = keywords.scores(normalize("votre facture de 90€ est à régler avant demain"))
    assert bill["sextortion"] < 0.5
    threat = keywords.scores(normalize("90€ avant demain sinon je les envoie à tes parents"))
    assert threat["sextortion"] >= CLEAR["sextortion"]


def test_a_victims_own_words_are_support_not_a_threat(keywords: KeywordClassifier) -> None:
    text = "tengo miedo, le mandé fotos desnuda y ahora me pide dinero"
    scores = keywords.scores(normalize(text))
    assert scores["victim_disclosure"] >= CLEAR["victim_disclosure"]
    assert scores["sextortion"] < 0.5


@pytest.mark.parametrize("name", ["lookalikes", "invisible", "emoji_words", "markdown",
                                  "math_letters"])
def test_obfuscated_latin_script_scores_like_plain(keywords: KeywordClassifier,
                                                   name: str) -> None:
    rng = random.Random(11)
    for _, label, text in POSITIVES[:16]:
        plain = keywords.scores(normalize(text))[label]
        hidden = OBFUSCATIONS[name](text.lower(), rng)
        assert keywords.scores(normalize(hidden))[label] == plain, hidden


def test_russian_with_latin_look_alikes_scores_like_plain(keywords: KeywordClassifier) -> None:
    # Latin o, e, a, c, p inside Cyrillic words: normalize() then maps the whole text to Latin.
    plain = "у меня есть твои голые фото. плати или отправлю твоим родителям"
    hidden = "у меня eсть твои гoлые фoтo. плaти или oтпpaвлю твoим poдитeлям"
    assert normalize(hidden) != normalize(plain)
    assert keywords.scores(normalize(hidden)) == keywords.scores(normalize(plain))


def test_invisible_and_spaced_letters_in_russian(keywords: KeywordClassifier) -> None:
    assert keywords.scores(normalize("пришли мне ф\u200bото б\u200bез о\u200bдежды"))[
        "image_request"] >= CLEAR["image_request"]
    assert keywords.scores(normalize("пришли мне фото без о д е ж д ы"))[
        "image_request"] >= CLEAR["image_request"]


def test_scores_are_zero_when_nothing_matches(keywords: KeywordClassifier) -> None:
    (only,) = keywords.classify_batch([normalize("buenas noches a todos")])
    assert dict(only.scores) == dict.fromkeys(LABELS, 0.0)
    assert only.model_id == keywords.model_id


class CountingKeywords(KeywordClassifier):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def scores(self, text: str) -> dict[str, float]:
        self.seen.append(text)
        return super().scores(text)


def composite(table: dict[str, dict[str, float]] | None = None,
              keywords: KeywordClassifier | None = None) -> MultilingualClassifier:
    return MultilingualClassifier(TableClassifier(table), keywords)


def test_composite_is_a_classifier_whose_id_names_both() -> None:
    classifier = composite()
    assert isinstance(classifier, Classifier)
    assert classifier.model_id.startswith("fake-table+multilingual-keywords-v1-")


def test_english_messages_get_the_model_scores_and_skip_the_rules() -> None:
    english = "i have your pics, pay me tonight"
    counting = CountingKeywords()
    classifier = composite({english: {"sextortion": 0.91}}, counting)
    (result,) = classifier.classify_batch([english])
    assert result.scores["sextortion"] == 0.91
    assert result.model_id == classifier.model_id
    assert counting.seen == []


def test_non_english_messages_take_the_higher_score_per_label() -> None:
    spanish = normalize("tengo tus fotos desnuda, paga o se las mando a tu familia")
    classifier = composite({spanish: {"sextortion": 0.1, "grooming": 0.3}})
    (result,) = classifier.classify_batch([spanish])
    assert result.scores["sextortion"] >= CLEAR["sextortion"]
    assert result.scores["grooming"] == 0.3  # the model's, higher than the rules' 0
    assert set(result.scores) == set(LABELS)


def test_results_do_not_depend_on_the_batch() -> None:
    classifier = composite()
    texts = [normalize(text) for _, _, text in POSITIVES] + [normalize(t) for t in BENIGN]
    together = classifier.classify_batch(texts)
    alone = [classifier.classify_batch([text])[0] for text in texts]
    assert together == alone


def test_the_routing_guess_can_be_injected() -> None:
    spanish = normalize("porfa mándame una foto tuya sin ropa")
    classifier = MultilingualClassifier(TableClassifier(), is_english=lambda text: True)
    (result,) = classifier.classify_batch([spanish])
    assert max(result.scores.values()) == 0.0


def write(folder: Path, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "xx.yaml").write_text(body, encoding="utf-8")
    return folder


GOOD = """
language: xx
script: latin
terms:
  pic: 'fotos?'
rules:
  - label: image_request
    kind: explicit
    score: 0.9
    patterns:
      - 'dame {pic}'
      - all: ['\\bdame\\b', 'nada puesto']
"""


def test_a_valid_file_loads_and_its_hash_names_the_model(tmp_path: Path) -> None:
    folder = write(tmp_path / "rules", GOOD)
    first = KeywordClassifier(folder)
    assert first.scores("dame foto")["image_request"] == 0.9
    assert first.scores("sin nada puesto, dame")["image_request"] == 0.9
    assert first.scores("nada puesto")["image_request"] == 0.0
    write(folder, GOOD.replace("0.9", "0.8"))
    assert KeywordClassifier(folder).model_id != first.model_id


@pytest.mark.parametrize(("change", "message"), [
    (("label: image_request", "label: nudity"), "rule 1: label must be one of"),
    (("'dame {pic}'", "'dame {picture}'"), "rule 1: unknown term {picture}"),
    (("'dame {pic}'", "'Dame {pic}'"), "rule 1: write patterns in lower case"),
    (("'dame {pic}'", "'dame ({pic}'"), "rule 1: bad pattern"),
    (("score: 0.9", "score: 1.5"), "rule 1: 'score' must be"),
    (("script: latin", "script: runic"), "'script' must be one of"),
    (("kind: explicit", "kind: ''"), "rule 1: 'kind' must name"),
])
def test_malformed_rules_are_refused_with_file_and_rule(tmp_path: Path, change: Sequence[str],
                                                         message: str) -> None:
    folder = write(tmp_path / "rules", GOOD.replace(*change))
    with pytest.raises(RuleError, match=re.escape(message)) as refused:
        load_rules(folder)
    assert str(refused.value).startswith("xx.yaml: ")


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no rule files"):
        load_rules(tmp_path)
