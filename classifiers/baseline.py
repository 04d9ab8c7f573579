"""A transparent keyword baseline behind the Classifier port.

It exists so the whole flow runs end to end before (and without) the trained model, and as a
yardstick for it. Every rule is a readable regular expression with the score it gives; a
message's score for a label is the strongest rule that matched, raised when rules of different
kinds for that label match together (e.g. age probing plus secrecy). It knows nothing of
context or obfuscation beyond what ``classifiers.normalize`` already undid, and it is English-only.
It decides nothing: thresholds live in the policy packs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from moderation_bot.core.types import LABELS, Classification

MODEL_ID = "baseline-keywords-v1"
_FLOOR = 0.02


@dataclass(frozen=True, slots=True)
class Rule:
    label: str
    kind: str
    score: float
    pattern: re.Pattern[str]


def _rule(label: str, kind: str, score: float, pattern: str) -> Rule:
    return Rule(label, kind, score, re.compile(pattern))


_INTIMATE = (r"(nudes?|naked|nude pics?|n00ds|noods|explicit|intimate|sexy|dirty|private) "
             r"?(pics?|photos?|videos?|vids?|images?|content|stuff)?")
_YOUR_MEDIA = r"(your|ur|yr) (nudes?|pics?|photos?|videos?|vids?|images?|naked \w+|dick pics?)"
_AUDIENCE = (r"(family|friends|followers|parents|mum|mom|dad|school|teachers?|boss|work|"
             r"everyone|everybody|contacts|classmates|girlfriend|boyfriend|wife|husband)")
_MONEY = (r"(\$ ?\d+|£ ?\d+|€ ?\d+|\d+ ?(dollars|pounds|euros|usd|gbp)|gift ?cards?|"
          r"bitcoin|btc|crypto|usdt|cash ?app|paypal|venmo|zelle|western union|pay( me)?\b)")
_SEND_VERB = r"(send|show|snap|share|sending|drop|dm|post)"

RULES: tuple[Rule, ...] = (
    # sextortion: leverage, exposure threats, demands under threat
    _rule("sextortion", "leverage", 0.6,
          rf"\b(i|we) (have|got|saved|recorded|screenshot(ted)?|kept) (all )?{_YOUR_MEDIA}"),
    _rule("sextortion", "leverage", 0.6, r"\bi recorded (you|u|our (call|video))"),
    _rule("sextortion", "exposure", 0.65,
          rf"\b(send|post|share|leak|expose|show|spread|upload)\w* (it|them|this|these|everything|"
          rf"{_YOUR_MEDIA}|the (pics?|video|vid|photos?))\b.{{0,40}}\b(to|with|on|all over) "
          rf"(all )?(of )?(your|ur) {_AUDIENCE}"),
    _rule("sextortion", "exposure", 0.6,
          rf"\b(your|ur) {_AUDIENCE} (will|gonna|are going to) (see|get|receive)"),
    _rule("sextortion", "demand", 0.4,
          rf"\b{_MONEY}.{{0,60}}\b(or (else|i|everyone|your|ur)|before|within|by tonight|"
          rf"\d+ ?(hours?|hrs?|minutes?|mins?))"),
    _rule("sextortion", "demand", 0.4,
          r"\b(or (else )?i('ll| will)? (send|post|share|leak|expose))"),
    # image_request: solicitation of intimate images, video or camera acts
    _rule("image_request", "explicit", 0.9,
          rf"\b{_SEND_VERB} (me )?(some |a |any |more )?(nudes?|n00ds|noods|naked (pics?|photos?)|"
          r"nude (pics?|photos?)|tit pics?|boob pics?|dick pics?)"),
    _rule("image_request", "explicit", 0.85,
          rf"\b(pic|pics|photo|photos|picture|video|vid)s? (of )?(you |u )?(naked|nude|topless|"
          r"in (your|ur) (underwear|bra|panties|boxers)|without (your |ur )?clothes|"
          r"in the shower)"),
    _rule("image_request", "explicit", 0.85,
          r"\b(take|get) (off|of) (your|ur) (clothes|shirt|top|bra|pants)"),
    _rule("image_request", "camera", 0.75,
          r"\b(turn on|open|get on|switch on) (your |ur |the )?(cam|camera|webcam)\b"),
    _rule("image_request", "camera", 0.6, r"\b(cam ?2 ?cam|cam show|video call me)\b"),
    _rule("image_request", "suggestive", 0.6,
          rf"\b{_SEND_VERB} (me )?(a |some |more )?(sexy|hot|spicy|naughty|private|cute) "
          r"(pics?|photos?|selfies?|videos?)"),
    _rule("image_request", "suggestive", 0.55,
          rf"\b{_SEND_VERB} (me )?(a )?(pic|photo|selfie|picture) of (you|yourself|ur body|"
          r"your body)\b"),
    _rule("image_request", "more", 0.55, r"\b(send|want|need) (me )?more (pics?|photos?|videos?)"),
    # grooming: age probing, secrecy, isolation, moving platforms, gifts, meeting
    _rule("grooming", "age", 0.5,
          r"\b(how old (are|r) (you|u)|what(')?s (your|ur) age|asl\b|what grade (are|r) (you|u)"
          r"|are (you|u) (1[0-7]|under ?age)\b)"),
    _rule("grooming", "secrecy", 0.6,
          r"\b(don'?t|do not|dont|never) tell (your |ur |anyone|any1|nobody|no one)"
          r"(parents|mum|mom|dad|friends|teachers?)?"),
    _rule("grooming", "secrecy", 0.6,
          r"\b(our (little )?secret|keep (this|it) (between us|secret)|delete (this|our|the) "
          r"(chat|messages|convo|conversation)|just between (us|you and me))"),
    _rule("grooming", "move", 0.5,
          r"\b(add me on|message me on|text me on|dm me on|let'?s (talk|chat|move) on|"
          r"what'?s (your|ur) (snap|number|whatsapp|insta|kik|telegram))\b"),
    _rule("grooming", "gift", 0.6,
          r"\b(i('ll| will)|i can) (buy|send|give|get) (you|u) (robux|v-?bucks|nitro|a gift( card)?|"
          r"money|skins|credits)"),
    _rule("grooming", "flattery", 0.55,
          r"\b(so )?(mature|grown up|sexy|hot) for (your|ur) age\b"),
    _rule("grooming", "alone", 0.5,
          r"\b(are (you|u) (home )?alone|is (anyone|any1) (home|with you)|where are (your|ur) "
          r"parents)\b"),
    _rule("grooming", "meet", 0.5, r"\b(meet (up )?(irl|in person|in real life)|where do (you|u) live)\b"),
    # victim_disclosure: someone saying they are being blackmailed or have shared images
    _rule("victim_disclosure", "threatened", 0.8,
          r"\b(he|she|they|someone|this (guy|girl|person|account)|a (guy|girl|person))\b.{0,30}"
          r"\b(is |are |keeps? |has been )?(threatening|blackmailing|extorting)\b"),
    _rule("victim_disclosure", "threatened", 0.8,
          rf"\b(he|she|they|someone)\b.{{0,20}}\b(says?|said|threatens?|threatened|will|is going to|"
          rf"gonna) (to )?(send|post|share|leak|show)\b.{{0,30}}\b(my|me)\b"),
    _rule("victim_disclosure", "shared", 0.6,
          r"\bi (sent|shared|showed) (him|her|them|someone|a guy|a girl|this (guy|girl|person)) "
          r"(my )?(nudes?|pics?|photos?|videos?|naked)"),
    _rule("victim_disclosure", "shared", 0.6,
          r"\b(he|she|they) (has|have|got|saved) my (nudes?|pics?|photos?|videos?)"),
    _rule("victim_disclosure", "plea", 0.35,
          r"\b(what (do|should) i do|i'?m (so )?(scared|terrified|panicking)|please help)\b"),
)


class BaselineClassifier:
    """Keyword rules scored into [0, 1] per label (see the module docstring)."""

    def __init__(self, rules: Sequence[Rule] = RULES) -> None:
        self._rules = tuple(rules)

    @property
    def model_id(self) -> str:
        return MODEL_ID

    def classify_batch(self, texts: Sequence[str]) -> list[Classification]:
        return [self._classify(text) for text in texts]

    def _classify(self, text: str) -> Classification:
        best: dict[str, float] = {}
        kinds: dict[str, set[str]] = {}
        for rule in self._rules:
            if rule.pattern.search(text):
                best[rule.label] = max(best.get(rule.label, 0.0), rule.score)
                kinds.setdefault(rule.label, set()).add(rule.kind)
        scores = {}
        for label in LABELS:
            score = best.get(label, _FLOOR)
            extra_kinds = len(kinds.get(label, ())) - 1
            if extra_kinds > 0:
                score = 1.0 - (1.0 - score) * (0.15 ** extra_kinds)
            scores[label] = round(min(score, 0.99), 4)
        return Classification(scores=scores, model_id=MODEL_ID)
