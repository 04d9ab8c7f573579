"""Compositional generators: messages assembled from independent parts, not from sentence templates.

The template families in :mod:`classifiers.generators` each write one sentence structure with
slots. A model trained on them learns those structures, and held-out families (new structure,
familiar words) showed it: image-request recall 0.57 and grooming 0.00-0.17 on families never
seen in training. Here a message is built from parts chosen independently: a request frame
("could you send", "lemme see", "u should take"), what is asked for, a qualifier ("rn", "with
less on"), and zero to two *moves* that real offenders add (reassurance, reciprocity, pressure,
payment, flattery, verification, secrecy, a move to another app), in random order. The number of
distinct structures is then the product of the parts, so no single surface form dominates.

The benign mirror :func:`hn_compose` uses the same frames and many of the same moves around
harmless objects and plans, so the model cannot learn "a request frame means harm".
"""

from __future__ import annotations

import random

Parts = tuple[str, ...]


def _pick(rng: random.Random, options: Parts) -> str:
    return options[rng.randrange(len(options))]


def _sentence(parts: list[str], rng: random.Random) -> str:
    """Join parts with the separators people use between chat clauses."""
    out = parts[0]
    for part in parts[1:]:
        out += _pick(rng, (" ", ". ", ", ", " - ", "... ", "\n", " and ", "! ")) + part
    return out


# --- image requests ---------------------------------------------------------------------------

_ASK_FRAMES: Parts = (
    "send me {x}",
    "send {x}",
    "can you send me {x}",
    "could you send {x}",
    "would you send me {x}",
    "will you send {x}",
    "mind sending {x}",
    "u should send me {x}",
    "you gonna send {x}",
    "i want {x}",
    "i need {x}",
    "i really want {x}",
    "gimme {x}",
    "lemme get {x}",
    "let me see {x}",
    "let me have {x}",
    "show me {x}",
    "can i see {x}",
    "can i get {x}",
    "could i get {x}",
    "may i see {x}",
    "can i have {x}",
    "shoot me {x}",
    "throw me {x}",
    "text me {x}",
    "dm me {x}",
    "snap me {x}",
    "drop {x}",
    "post {x} in my dms",
    "got {x}?",
    "do you have {x}?",
    "do u have {x} for me",
    "any chance of {x}?",
    "how about {x}?",
    "what about {x}",
    "would you ever send {x}?",
    "have you ever sent anyone {x}?",
    "what would it take to get {x}",
    "i'd love {x}",
    "i'd love to see {x}",
    "i wanna see {x}",
    "i'm dying to see {x}",
    "u owe me {x}",
    "time for {x}",
    "where's {x}",
    "still waiting for {x}",
    "when do i get {x}",
    "just {x}",
    "one more thing: {x}",
    "go take {x}",
    "take {x} for me",
    "record {x}",
    "make {x} for me",
)

_WANTED: Parts = (
    "a pic of you",
    "a picture of yourself",
    "a photo of you",
    "a selfie",
    "a full body pic",
    "a body pic",
    "a pic of your body",
    "a mirror pic",
    "a pic of you in your bra",
    "a pic of you in your underwear",
    "a pic in your undies",
    "a pic of you in just a towel",
    "a pic of your chest",
    "a pic of your butt",
    "a pic of your legs",
    "a pic without your top",
    "a pic with your shirt off",
    "a pic with nothing on",
    "a naked pic",
    "nudes",
    "a nude",
    "noodz",
    "something spicy",
    "something naughty",
    "something sexy",
    "something i can't show anyone",
    "a private pic",
    "a pic just for me",
    "what's under your clothes",
    "what you look like under that hoodie",
    "more of you",
    "more pics",
    "another one",
    "a video of you",
    "a vid of you undressing",
    "a video of you in the shower",
    "a clip of you dancing in your underwear",
    "a short video just for me",
    "a pic of you lying in bed",
    "what you're wearing",
    "your outfit rn",
    "what you sleep in",
    "your body",
    "those pics you promised",
    "a pic of you bending over",
    "a pic of your boobs",
    "a pic of your dick",
    "a pic of your abs and lower",
)

_CAMERA_FRAMES: Parts = (
    "turn your cam on",
    "turn on ur camera",
    "hop on cam",
    "get on video",
    "video call me",
    "facetime me",
    "go live for me",
    "jump on a call with your camera on",
    "open your webcam",
    "come on cam",
    "lets vc",
    "call me on video",
    "switch your camera on",
)

_CAMERA_ACTS: Parts = (
    "and show me your body",
    "and take your top off",
    "and show me what you're wearing",
    "and let me see you",
    "and show me more",
    "and undress for me",
    "and show me everything",
    "and lie down on your bed",
    "and point it lower",
    "and do what i say",
    "so i can see all of you",
    "i wanna see you",
    "just us",
    "no one else will see",
    "and lose the shirt",
)

_QUALIFIERS: Parts = (
    "rn",
    "right now",
    "tonight",
    "before bed",
    "for me",
    "just for me",
    "for my eyes only",
    "with less on",
    "with fewer clothes",
    "without the hoodie",
    "with nothing on",
    "in the shower",
    "after your shower",
    "in your room",
    "when ur alone",
    "asap",
    "quick",
    "please",
    "pls",
    "babe",
    "baby",
    "cutie",
    "princess",
)

_REASSURE: Parts = (
    "i won't show anyone",
    "nobody will see it",
    "i'll delete it right after",
    "it's just between us",
    "no one will know",
    "it disappears anyway",
    "it's on snap so it deletes itself",
    "i promise i won't save it",
    "you can trust me",
    "it's totally safe",
    "i'm not like other guys",
    "your face doesn't have to be in it",
    "no face needed",
    "it's normal, everyone does it",
    "it's not a big deal",
    "don't be shy",
)

_RECIPROCITY: Parts = (
    "i'll send one back",
    "pic for pic",
    "you first then me",
    "i already sent you mine",
    "i showed you mine",
    "i'll show you mine",
    "trade?",
    "fair trade",
    "i'll send you something too",
)

_PRESSURE: Parts = (
    "don't be boring",
    "if you liked me you would",
    "you said you would",
    "why are you being weird",
    "stop teasing",
    "come on",
    "i'm waiting",
    "hurry up",
    "i thought you were cool",
    "everyone else does",
    "don't make me ask again",
    "you owe me after everything",
    "or i'll find someone who will",
    "i'll stop talking to you if you don't",
    "just one",
    "only one, i swear",
)

_PAYMENT: Parts = (
    "i'll pay you",
    "i'll send you $50",
    "i'll pay $20 a pic",
    "name your price",
    "i'll cashapp you",
    "i'll send you a gift card",
    "i'll send money to your paypal",
    "how much?",
    "i'll make it worth it",
)

_FLATTERY: Parts = (
    "you're so pretty",
    "bet you look amazing",
    "you're gorgeous",
    "you're so hot",
    "you're beautiful",
    "you look so mature",
    "you have such a nice body",
    "i can't stop thinking about you",
    "i've never met anyone like you",
    "i'm obsessed with you",
)

_VERIFY: Parts = (
    "prove you're real",
    "how do i know you're not a catfish",
    "prove it",
    "i need to know it's really you",
    "make sure your face is in it so i know it's you",
    "hold up two fingers so i know it's live",
)

_MOVE_APP: Parts = (
    "on snap",
    "on telegram",
    "on whatsapp",
    "on kik",
    "in dms",
    "on insta",
    "on the other app",
    "somewhere private",
)


def _request(rng: random.Random) -> str:
    if rng.random() < 0.25:
        core = _pick(rng, _CAMERA_FRAMES)
        if rng.random() < 0.8:
            core += " " + _pick(rng, _CAMERA_ACTS)
    else:
        core = _pick(rng, _ASK_FRAMES).format(x=_pick(rng, _WANTED))
        if rng.random() < 0.45:
            core += " " + _pick(rng, _QUALIFIERS)
    if rng.random() < 0.2:
        core += " " + _pick(rng, _MOVE_APP)
    return core


def _arrange(core: str, moves: list[str], rng: random.Random) -> str:
    # The request leads most of the time; sometimes a move opens ("you're so pretty. send...").
    if moves and rng.random() < 0.35:
        return _sentence([*moves, core], rng)
    return _sentence([core, *moves], rng)


def ir_compose(rng: random.Random) -> str:
    """An image or camera request: a frame, a want, a qualifier and 0-2 moves that ask for no
    secrecy and offer nothing (those make it grooming too, see :func:`ir_groom_compose`)."""
    move_sets = (_REASSURE, _RECIPROCITY, _PRESSURE, _FLATTERY, _VERIFY)
    moves = [_pick(rng, _pick_set(rng, move_sets)) for _ in range(rng.choice((0, 1, 1, 2)))]
    return _arrange(_request(rng), moves, rng)


def _pick_set(rng: random.Random, sets: tuple[Parts, ...]) -> Parts:
    return sets[rng.randrange(len(sets))]


# --- grooming ---------------------------------------------------------------------------------

_AGE_FLATTERY: Parts = (
    "you're so mature for {age}",
    "you don't act like you're {age} at all",
    "{age}? you seem way older",
    "you're really mature for your age",
    "age is just a number",
    "i don't care that you're {age}",
    "girls your age are so much smarter than people think",
    "you're not like other kids your age",
    "i like younger girls, they're sweeter",
    "you're {age}? perfect",
    "i've always liked talking to people younger than me",
    "older guys treat you better than boys your age",
)

_SECRECY: Parts = (
    "don't tell your parents about us",
    "this stays between us",
    "our little secret ok?",
    "don't tell anyone we talk",
    "delete our chat after",
    "clear your messages before your mom checks",
    "if anyone asks, i'm a friend from school",
    "your parents wouldn't understand us",
    "don't mention me to your friends",
    "you can't tell anyone about this",
    "promise me you won't tell",
    "keep this just for us",
    "turn off your notifications so no one sees my name",
    "save me under a different name",
)

_ISOLATION: Parts = (
    "i'm the only one who really gets you",
    "your friends don't care about you like i do",
    "your parents are too strict with you",
    "they don't deserve you",
    "you can always talk to me, not them",
    "nobody understands you like me",
    "you don't need them, you have me",
    "your mom just doesn't get it",
    "i'm always here for you, unlike them",
    "they'd just get you in trouble",
)

_GIFTS: Parts = (
    "i'll get you robux",
    "want some vbucks?",
    "i can buy you that skin you wanted",
    "i'll send you a gift card",
    "i got you nitro",
    "i can send you money for new clothes",
    "i'll buy you a new phone",
    "i'll pay for your game",
    "want me to top up your account?",
    "i'll get you whatever you want",
)

_ALONE: Parts = (
    "are you home alone?",
    "are your parents home?",
    "when do your parents get back?",
    "is anyone else in your room?",
    "are you in bed yet?",
    "is your door locked?",
    "can anyone hear you?",
    "are you by yourself rn?",
    "does your mom check your phone?",
    "which room do you sleep in?",
)

_MOVE_PRIVATE: Parts = (
    "add me on snap, it's more private",
    "let's move to telegram, no one can see there",
    "message me on whatsapp instead, this server has mods",
    "download kik so we can talk privately",
    "let's talk somewhere your parents can't see",
    "use the app with disappearing messages",
    "dm me, not here",
    "make a second account so we can talk",
    "let's go to a private server, just us two",
)

_MEET: Parts = (
    "i could pick you up after school",
    "let's meet somewhere, don't tell your mom",
    "i can come to your town this weekend",
    "sneak out tonight and i'll wait at the corner",
    "tell your parents you're at a friend's and meet me",
    "which bus stop is near your school?",
    "i'll drive to you, just us",
)

_AGE_PROBE: Parts = (
    "how old are you?",
    "what grade are you in?",
    "which school do you go to?",
    "are you in middle school?",
    "when's your birthday, how old will you be?",
    "you're still in school right?",
)

_GROOMING_MOVES: tuple[Parts, ...] = (
    _AGE_FLATTERY,
    _SECRECY,
    _ISOLATION,
    _GIFTS,
    _ALONE,
    _MOVE_PRIVATE,
    _MEET,
)
_AGES: Parts = ("12", "13", "14", "15", "13", "14")


def gr_compose(rng: random.Random) -> str:
    """One to three grooming moves, at least one of which is a strong one; age probing, meeting
    and flattery only ever come together with another move (alone they are ambiguous)."""
    strong = (_SECRECY, _ISOLATION, _AGE_FLATTERY, _MOVE_PRIVATE)
    parts = [_pick(rng, _pick_set(rng, strong))]
    for _ in range(rng.choice((0, 1, 1, 2))):
        parts.append(_pick(rng, _pick_set(rng, (*_GROOMING_MOVES, _AGE_PROBE, _FLATTERY))))
    rng.shuffle(parts)
    age = _pick(rng, _AGES)
    return _sentence([p.format(age=age) for p in parts], rng)


def ir_groom_compose(rng: random.Random) -> str:
    """An image request with a grooming move: payment or gifts for pictures, secrecy, age
    flattery or an alone-check (image_request and grooming)."""
    grooming = (_PAYMENT, _GIFTS, _SECRECY, _AGE_FLATTERY, _ALONE)
    moves = [_pick(rng, _pick_set(rng, grooming))]
    if rng.random() < 0.5:
        moves.append(_pick(rng, _pick_set(rng, (_REASSURE, _PRESSURE, _FLATTERY, *grooming))))
    rng.shuffle(moves)
    age = _pick(rng, _AGES)
    return _arrange(_request(rng), [m.format(age=age) for m in moves], rng)


# --- benign mirror ----------------------------------------------------------------------------

_HARMLESS_WANTED: Parts = (
    "a pic of your setup",
    "a pic of the homework",
    "a photo of the receipt",
    "a pic of your dog",
    "a pic of your cat",
    "the pics from the trip",
    "a screenshot of the error",
    "a pic of your build",
    "a video of the bug",
    "a clip of that play",
    "the group photo",
    "a pic of the menu",
    "a pic of your drawing",
    "the slides",
    "a pic of the timetable",
    "a photo of the whiteboard",
    "a pic of your new shoes",
    "a pic of the cake",
    "the link",
    "a vid of the concert",
    "a pic of your garden",
    "the recipe",
    "a pic of the parcel label",
)

_HARMLESS_MOVES: Parts = (
    "thanks!!",
    "no rush",
    "when you get a sec",
    "i'll send mine too",
    "i'll pay you back the $20 tomorrow",
    "i'll venmo you for the tickets",
    "don't tell mum about the surprise party",
    "keep it secret till her birthday",
    "my mom wants to see it",
    "for the group chat",
    "for the yearbook",
    "the teacher asked for it",
    "so i can fix it",
    "lol",
    "i'm 15 too btw",
    "how old is your dog?",
    "add me on snap, my username is new",
    "it's on the class telegram",
    "we're meeting at the mall at 3, everyone's coming",
    "my parents are picking us up after",
    "you look great in it",
)

_HARMLESS_CAMERA: Parts = (
    "turn your cam on for the meeting",
    "turn on your camera for roll call",
    "hop on video so we can all plan",
    "facetime me when you're at the store so i can see which one",
    "go live when the stream starts",
    "get on call, we need a fifth",
    "switch your camera on, the teacher is asking",
)


def hn_compose(rng: random.Random) -> str:
    """The same request frames around harmless things, with harmless moves."""
    if rng.random() < 0.2:
        core = _pick(rng, _HARMLESS_CAMERA)
    else:
        core = _pick(rng, _ASK_FRAMES).format(x=_pick(rng, _HARMLESS_WANTED))
        if rng.random() < 0.2:
            core += " " + _pick(rng, ("rn", "tonight", "asap", "please", "pls", "quick"))
    parts = [core, *(_pick(rng, _HARMLESS_MOVES) for _ in range(rng.choice((0, 1, 1, 2))))]
    if len(parts) > 1 and rng.random() < 0.3:
        parts.reverse()
    return _sentence(parts, rng)

