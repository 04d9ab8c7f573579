"""A cheap guess whether a message is English, for routing.

The detector's base model is English-only (see MODEL_CARD.md): on other languages its recall is
poor, so a non-English message also goes through the multilingual keyword layer
(``classifiers.multilingual``). :func:`looks_english` decides that route from common function
words: it counts the words of a text that are common in English and, for Spanish, Portuguese,
French and German, the words common in that language, and calls a text English unless another
language has the stronger claim (see :func:`looks_english`). Texts written mostly in another
script (Cyrillic, Greek, Arabic, CJK...) are never English.

A wrong "not English" costs little (the keyword layer only adds what its rules match); a wrong
"English" loses the keyword layer. Input is normalised text (lower-case, accents removed).
"""

from __future__ import annotations

import re

__all__ = ["looks_english"]

_WORD = re.compile(r"[^\W\d_]+")

_ENGLISH = frozenset(
    """
    a about after again ah all also always am an and any anyone are as at back be because been
    before being bro but by can could day did didn die do does doesn don done down dude each
    even ever every first for from game get gg go going gonna good got guys had haha has have
    he her here hey hi him his how i idk if im in into is isn it its just know last like ll
    lmao lol look lot make man me more most much my need never new next no not now of off oh ok
    okay on one only or other our out over pay people pic pics play please pls pro r re really
    right said same say see send she should since so some still such super take tbh than thanks
    that the their them then there these they thing think this those though through time to
    today too u um under until up ur us ve very wanna want was wasn way we well were what when
    where which while who why will with won would yeah yes yet you your
    """.split()
)

# Common words of the languages our keyword layer covers, written as normalize() leaves them
# (no accents). Words that are also English ("a", "me", "no", "in", "was") count for both.
_OTHERS: dict[str, frozenset[str]] = {
    "es": frozenset(
        """
        a al algo alguien ahora aqui asi bien como con cual cuando cuanto cuantos de del donde
        el ella ellos en entonces era es esa ese eso esta estas este esto estoy estas fue gracias
        hace hay hola la las le les lo los mas me mi mis mucho muy nada nadie ni no nos nosotros
        o otra otro para pero poco por porque porfa pues q que quien quiero se si siempre sin
        sobre solo sos soy su sus tambien te tenes tengo tiene tienes todo todos tu tus un una
        uno unos va vamos vos voy xq y ya yo
        """.split()
    ),
    "pt": frozenset(
        """
        a agora ai ao aos aqui as bora com como da das de depois do dos e ela ele eles em essa
        esse esta estao estou eu foi isso ja la mais me meu minha muito na nao nas no nos nossa
        nosso o obrigado obrigada oi os ou para pela pelo por porque pq pra pro pros quando que
        quem se sem ser seu seus sim sua suas ta tambem tb tbm te tem tenho tudo um uma vai
        vamos vc voce voces vou
        """.split()
    ),
    "fr": frozenset(
        """
        a ai alors au aussi aux avec avoir bonjour ca ce ces cest cette chez comme dans de des
        dis du elle en es est et etre fait il ils je la le les leur lui ma mais me merci mes moi
        mon ne nous on ou oui par pas plus pour pourquoi quand que quel quelle qui quoi sa salut
        se ses si sinon son sont suis sur ta te tes toi ton tous tout tres tu un une vais veux
        vous y
        """.split()
    ),
    "de": frozenset(
        """
        aber alle allein als am an auch auf aus bei bin bis bist bitte da dann das dass dein
        deine deinen deiner dem den denn der des dich die dir doch du ein eine einen er es euch
        euer fur gibt hab habe hallo hast hat ich ihm ihn ihr im in ist ja jetzt kann kannst
        kein keine mal man mein meine mich mir mit nach nicht noch nur oder schon sehr sein
        sich sie sind so uber und uns unser von vor war was wenn wer wie wieder will willst
        wir wo zu zum zur
        """.split()
    ),
}

# word -> indexes (into _OTHERS) of the languages it is common in, for one pass over the words.
_LANGUAGES_OF: dict[str, tuple[int, ...]] = {
    word: tuple(i for i, common in enumerate(_OTHERS.values()) if word in common)
    for word in frozenset().union(*_OTHERS.values())
}


def looks_english(text: str, *, min_share: float = 0.2) -> bool:
    """True unless the text looks written in another language (see the module docstring).

    Texts mostly in a non-Latin script are not English. Texts of three words or fewer are
    English unless one of their words is common in another language and none is common in
    English. Longer texts are not English when another language has more common words
    in them than English, or has some while under ``min_share`` of the words are common English
    words; text without common words of any of these languages (game jargon, names) is English.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return True
    if not text.isascii() and sum(1 for w in words if not w.isascii()) > len(words) / 2:
        return False
    english = 0
    others = [0] * len(_OTHERS)
    for word in words:
        if word in _ENGLISH:
            english += 1
        for index in _LANGUAGES_OF.get(word, ()):
            others[index] += 1
    other = max(others)
    if len(words) < 4:
        return not (other and not english)
    if other > english:
        return False
    return other == 0 or english / len(words) >= min_share
