"""Message-level labels for Perverted-Justice offender lines, by pattern (see
docs/labelling-guideline.md).

Every offender line comes from a convicted groomer, but most lines are harmless ("hey", "lol").
:func:`label_offender_line` applies the guideline's patterns to one *normalised* line and returns
its labels, an empty tuple for a clearly harmless line, or ``None`` when the line is ambiguous
(it touches a risky topic but no rule decides it): ambiguous lines are left out of training and
evaluation rather than forced into a class. Decoy (victim-side) lines are labelled by
:func:`label_decoy_line`: never a positive, ``None`` when sexual content makes them unsafe
as negatives.
"""

from __future__ import annotations

import re

_PIC = r"(?:pic|pics|picture|pictures|pix|piks?|photo|photos|foto|fotos|vid|vids|video|videos|selfie|snap|nudes?)"
_INTIMATE = (
    r"(?:nude|nudes|naked|topless|sexy|bra|panties|pantys|underwear|thong|lingerie|bikini|"
    r"boobs|tits|titties|breasts?|ass|butt|pussy|body|nothing on|no clothes|undress|"
    r"bathing suit|shower|bed)"
)

_NOT_OF_THING = r"(?! of (?:the|my|his|her|a|an|that|this|it|them|me)\b)"
_ASK = r"(?:send|show|email|mail|post|trade|swap|give|see|want|wanna|need|take|have|got|get)"
IMAGE_REQUEST = [
    re.compile(rf"\b{_ASK}\b[^.?!]{{0,30}}\b{_INTIMATE}\b[^.?!]{{0,20}}\b{_PIC}\b"),
    re.compile(
        rf"\b(?:send|show|email|mail|trade|swap)\b[^.?!]{{0,25}}\b{_PIC}\b[^.?!]{{0,30}}\b{_INTIMATE}\b"
    ),
    re.compile(
        r"\b(?:show me|let me see|wanna see|want to see|can i see|need to see)\b[^.?!]{0,20}\b(?:your|ur|u|you)\b[^.?!]{0,10}\b(?:boobs|tits|titties|breasts?|ass|butt|pussy|body|naked|nude|bra|panties|underwear)\b"
    ),
    re.compile(
        r"\b(?:get|go|hop|come|be) on (?:the |your |ur )?(?:cam|webcam|web cam)\b(?! with)|\b(?:turn|put) (?:on )?(?:your|ur) (?:cam|webcam)\b|\bon (?:cam|webcam) for me\b"
    ),
    re.compile(
        r"\b(?:do|does|can|could) (?:you|u) (?:have|got|get) (?:a |an )?(?:cam|webcam|web cam)\b"
    ),
    re.compile(
        rf"\b(?:send|email|mail)\b (?:me )?(?:a |another |some |more |any |ur |your )?(?:new )?{_PIC}\b(?! of (?:the|my|his|her|a|an|that|this)\b)"
    ),
    re.compile(
        rf"\b(?:do|does|can|could|got|have) (?:you|u) (?:have|got|send|take) (?:a |any |some |more )?{_PIC}\b"
    ),
    re.compile(rf"\b{_ASK}\b[^.?!]{{0,30}}\b{_PIC} of (?:you|u|urself|yourself)\b"),
    # rules v3: asking whether the person has (more) pictures, in the many ways people type it
    re.compile(
        rf"\b(?:you|u|ya) (?:have|got|get|dont have|don't have|taken|take|find|found) "
        rf"(?:any|some|more|other|another|new|anymore|few|\s)+{_PIC}\b{_NOT_OF_THING}"
    ),
    re.compile(rf"\b(?:you|u|ya) (?:have|got) (?:a|any) {_PIC}\b[^.?!]{{0,12}}\?"),
    re.compile(
        rf"^(?:so |and |hey |well )?(?:got|have|any|some) (?:any |some |more |other |new )*{_PIC}\b{_NOT_OF_THING}"
    ),
    re.compile(rf"\b(?:may|can|could) i (?:see|get|have) (?:a |some |more |ur |your )+{_PIC}\b"),
    re.compile(
        r"\b(?:like to|love to|get to|lemme|d like to|would like to) see (?:your|ur|u|you)\b[^.?!]{0,10}"
        r"\b(?:boobs|tits|titties|breasts?|ass|butt|pussy|body|naked|nude|bra|panties|underwear)\b"
    ),
    re.compile(
        rf"\bwish (?:you|u|ya|i) (?:had|still had|have) [^.?!]{{0,25}}\b(?:{_PIC} (?:of (?:you|u)|that)|(?:a |ur |your )?(?:web ?cam|cam)\b)"
    ),
    re.compile(
        r"\b(?:you|u|ya) (?:have|got|can get|could get|should get|buy) (?:a |an )?(?:web ?cam|cam)\b(?! with)"
    ),
    re.compile(
        r"^pics? or (?:web ?)?cam\b|\b(?:need|want|wanna see) (?:a |some )?pics? or (?:web ?)?cam\b"
    ),
]

# The writer sending or taking pictures himself ("i'll send pics", "i'll take pics of you") is
# not a request for the person's images, unless the line also asks the person for something.
OFFER = re.compile(
    r"\b(?:i|ill|i'll|i will|i can|i could|i would|i'd|im gonna|i'm gonna|i am gonna|tried to|tryed to)"
    r" (?:\w+ ){0,3}?(?:send|take|post|email|mail)\b"
)
ASKS_THE_PERSON = re.compile(
    r"\b(?:send me|show me|email me|mail me|(?:you|u|ya) (?:send|show|take|email|mail))\b"
)

SECRECY = re.compile(
    r"(?:don'?t|do not|dont|never|wont|won'?t|not) tell\b|\bour (?:little )?secret\b|"
    r"\bdelete (?:this|the|our|it|your|ur|all|the chat|history|messages)\b|"
    r"\bkeep (?:it|this|us|that) (?:between|a secret|secret|quiet)\b|"
    r"\b(?:your|ur) (?:mom|mum|dad|parents?|mother|father) (?:find|finds|found|see|sees|know|knows|read|reads|catch|catches)\b|"
    r"\bclear (?:your|ur|the) (?:history|chat|messages)\b|\b(?:nobody|no one|no1) (?:has to|needs to|will|can) know\b"
)
AGE = re.compile(
    r"\b(?:how old (?:are|r) (?:you|u)|asl|ur age|your age|\d{1,2} ?(?:yo|yrs?|years? old)|too young|young girl|young boy|jail|underage|legal)\b"
)
SEXUAL = re.compile(
    r"\b(?:sex|sexy|fuck|fucking|horny|naked|nude|cock|dick|penis|pussy|boobs|tits|titties|suck|sucking|"
    r"lick|licking|virgin|masturbat\w*|cum|cumming|orgasm|make love|making love|oral|blow ?job|"
    r"panties|thong|lingerie|hard on|hardon|finger (?:yourself|urself|u|you)|touch (?:yourself|urself)|"
    r"clit|breasts?|nipples?|69|bra|underwear|naughty|jerk off|wet|spank\w*|bare butt|get physical)\b"
)
MEET = re.compile(
    r"\b(?:meet|meeting|come over|pick (?:you|u) up|come see (?:you|u)|visit (?:you|u)|hotel|motel|"
    r"spend the night|sleep over|sleepover|drive (?:to|down|up)|sneak out|come get (?:you|u))\b"
)
PRIVATE_CHANNEL = re.compile(
    r"\b(?:(?:your|ur|ya) (?:cell|phone|number|#)|(?:call|text) (?:me|you|u)|phone number|cell number|"
    r"yahoo|msn|aim|skype|kik|snapchat|whatsapp|webcam|cam)\b"
)
ALONE = re.compile(
    r"\b(?:home alone|(?:are|r) (?:you|u) alone|(?:your|ur) (?:parents|mom|mum|dad) (?:home|gone|asleep|at work|there)|"
    r"when (?:do|does|will) (?:your|ur) (?:parents|mom|mum|dad) (?:leave|go|get)|(?:door|room) locked)\b"
)
GIFTS = re.compile(
    r"\b(?:buy|get|give|send) (?:you|u) (?:a |some |an )?(?:gift|present|phone|cell|money|clothes|lingerie|card|ticket|bus ticket)\b"
)
MATURE = re.compile(
    r"\bmature (?:for|4) (?:your|ur) age\b|\bage (?:is|iz) (?:just )?a number\b|\bage (?:doesn'?t|dont|don't) matter\b"
)
ISOLATION = re.compile(
    r"\b(?:only one who|nobody (?:understands|loves|cares)|they don'?t understand (?:you|u))\b"
)

# Words that make an unmatched line too risky to call harmless.
RISKY = re.compile(
    rf"{SEXUAL.pattern}|{AGE.pattern}|{MEET.pattern}|{PRIVATE_CHANNEL.pattern}|\b{_PIC}\b|"
    r"\b(?:love|kiss|kissing|hot|cute|pretty|beautiful|baby|babe|sweetie|honey|bed|shower|touch|"
    r"alone|secret|parents|mom|mum|dad|police|cop|cops|trust|body|clothes|wear|wearing|girlfriend|"
    r"boyfriend|date|marry|cuddle|hug|lips|legs|skirt|room|night|tonight|hurt|scared)\b"
)


def label_offender_line(text: str) -> tuple[str, ...] | None:
    """Labels for one normalised offender line; ``()`` harmless; ``None`` ambiguous."""
    labels: list[str] = []
    offer = OFFER.search(text) and not ASKS_THE_PERSON.search(text)
    if not offer and any(p.search(text) for p in IMAGE_REQUEST):
        labels.append("image_request")
    sexual = bool(SEXUAL.search(text))
    grooming = (
        SECRECY.search(text)
        or ALONE.search(text)
        or GIFTS.search(text)
        or MATURE.search(text)
        or ISOLATION.search(text)
        or (AGE.search(text) and (sexual or MEET.search(text)))
        or (MEET.search(text) and (sexual or SECRECY.search(text)))
        or (sexual and re.search(r"\b(?:you|u|ur|your|yourself|urself|we|us)\b", text))
    )
    if grooming:
        labels.append("grooming")
    if labels:
        return tuple(labels)
    if RISKY.search(text):
        return None
    return ()


def label_decoy_line(text: str) -> tuple[str, ...] | None:
    """Decoy lines are victim-side chat by adults posing as children: negatives, unless sexual."""
    if SEXUAL.search(text):
        return None
    return ()
