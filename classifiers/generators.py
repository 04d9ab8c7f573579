"""Generators of SYNTHETIC chat messages for the labels that public data lacks.

Real chat-style sextortion threats and victim disclosures are scarce in public data, so these
generators compose them from the structure police and NGO advisories describe (NCA/CEOP, FBI,
NCMEC, IWF): a claim of leverage ("I have your pics"), an audience ("your family", a list of
names), a demand (money, gift cards, crypto, payment apps, more images), a deadline, pressure and
follow-ups; victim disclosures in the voice of scared teenagers and adults; image requests and
grooming moves; and hard negatives that share words with them but ask for nothing harmful.

Every generated example is marked ``source="synthetic"`` and names its *template family*.
Families, not lines, are assigned to train/dev/test (``Family.split``), so dev and test measure
whether the model generalises to phrasings it never saw.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from classifiers.compositional import (
    gr_compose,
    hn_compose,
    ir_compose,
    ir_groom_compose,
)
from classifiers.style import stylize

Maker = Callable[[random.Random], str]


@dataclass(frozen=True, slots=True)
class Family:
    """A template family: one way of writing messages with the same labels."""

    name: str
    labels: tuple[str, ...]
    split: str
    make: Maker
    weight: int = 1
    """Multiplies the family's example count (compositional families have many structures)."""


def _pick(rng: random.Random, options: tuple[str, ...] | list[str]) -> str:
    return rng.choice(options)


def _maybe(rng: random.Random, text: str, p: float = 0.5) -> str:
    return text if rng.random() < p else ""


def _join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


# ---------------------------------------------------------------------------------------------
# Shared slot vocabularies
NAMES = (
    "Emma",
    "Jake",
    "Liam",
    "Olivia",
    "Noah",
    "Mia",
    "Ava",
    "Ethan",
    "Chloe",
    "Tyler",
    "Jayden",
    "Sophie",
    "Aiden",
    "Grace",
    "Kayla",
    "Ryan",
    "Zoe",
    "Marcus",
    "Priya",
    "Omar",
    "Lucas",
    "Maya",
    "Dylan",
    "Ella",
    "Connor",
    "Leah",
    "Mason",
    "Ruby",
    "Josh",
    "Amira",
)
PLATFORMS = (
    "discord",
    "snap",
    "snapchat",
    "insta",
    "instagram",
    "telegram",
    "tinder",
    "hinge",
    "bumble",
    "grindr",
    "omegle",
    "roblox",
    "whatsapp",
    "kik",
    "tiktok",
    "a dating app",
    "a server",
    "twitter",
    "reddit",
    "facebook",
)
AMOUNTS = (
    "£600",
    "$500",
    "$300",
    "€400",
    "£200",
    "$1000",
    "500 dollars",
    "300 pounds",
    "1k",
    "$150",
    "£50",
    "$250",
    "800$",
    "£1500",
    "$2000",
    "100 euros",
    "$75",
    "400 usd",
)
PAY_METHODS = (
    "cashapp",
    "venmo",
    "paypal",
    "zelle",
    "apple pay",
    "bank transfer",
    "revolut",
    "google pay",
    "western union",
    "monzo",
    "wise",
)
GIFT_CARDS = (
    "steam",
    "amazon",
    "apple",
    "google play",
    "itunes",
    "xbox",
    "playstation",
    "visa gift",
    "razer gold",
    "roblox",
)
COINS = ("bitcoin", "btc", "usdt", "eth", "crypto", "litecoin", "tether")

LEVERAGE = (
    "I have your pics",
    "I got your nudes",
    "I recorded our video call",
    "I screen recorded everything you did on cam",
    "I saved all the pics you sent me",
    "I have the video of you",
    "I took screenshots of every photo you sent",
    "your nudes are saved on my phone",
    "I have your naked pictures",
    "I recorded you on cam",
    "I got the vid you sent",
    "I have everything you sent me",
    "I still have your photos",
    "I have your private pics",
    "I made a copy of your video",
    "I recorded you the whole time",
    "your nude video is on my laptop",
    "I have the pictures you sent last night",
    "I screenshotted your snaps",
    "I kept the videos of you",
    "I have proof of what you sent",
)
AUDIENCES = (
    "your family",
    "your mum",
    "your mom and dad",
    "all your followers",
    "everyone on your friends list",
    "your school",
    "your whole school",
    "your college",
    "your boss",
    "your girlfriend",
    "your boyfriend",
    "your contact list",
    "your classmates",
    "every server you're in",
    "your instagram followers",
    "your church",
    "your coach",
    "your teachers",
    "your cousins",
    "your work group chat",
    "your sister",
    "your grandparents",
    "your whole town",
    "everyone you know",
    "your team",
    "your parents",
)
EXPOSE = (
    "send them to",
    "post them for",
    "leak them to",
    "share them with",
    "show them to",
    "send the video to",
    "post it for",
    "expose you to",
    "forward everything to",
    "upload them for",
    "spread them to",
    "dm them to",
)
DEADLINES = (
    "in 10 minutes",
    "by tonight",
    "you have 1 hour",
    "before midnight",
    "within 24 hours",
    "right now",
    "in 30 mins",
    "by tomorrow morning",
    "in the next hour",
    "by 9pm",
    "you have 15 minutes",
    "today",
    "in 5 min",
    "before school tomorrow",
    "asap",
    "within 2 hours",
    "by the end of the day",
)
PRESSURE = (
    "don't ignore me",
    "I'm not joking",
    "you think I'm playing?",
    "last chance",
    "I will ruin your life",
    "your life is over",
    "if you block me they go out instantly",
    "answer me",
    "I can see you're online",
    "tick tock",
    "don't test me",
    "nobody will believe you",
    "don't tell anyone or I post",
    "I'm serious",
    "you've been warned",
    "think about your future",
    "you know what happens",
    "do it or else",
    "stop wasting my time",
    "I'm counting",
)


def _names(rng: random.Random) -> str:
    people = rng.sample(NAMES, k=rng.randint(2, 5))
    return ", ".join(people[:-1]) + " and " + people[-1]


def _money_demand(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"pay me {_pick(rng, AMOUNTS)}"
    if kind == 1:
        return f"send {_pick(rng, AMOUNTS)} to my {_pick(rng, PAY_METHODS)}"
    if kind == 2:
        return f"buy {rng.randint(2, 6)} {_pick(rng, GIFT_CARDS)} gift cards and send me the codes"
    return f"send {_pick(rng, AMOUNTS)} in {_pick(rng, COINS)}"


# ---------------------------------------------------------------------------------------------
# sextortion
def st_classic(rng: random.Random) -> str:
    return _join(
        f"{_pick(rng, LEVERAGE)}.",
        f"{_money_demand(rng)} {_pick(rng, DEADLINES)}",
        f"or I {_pick(rng, EXPOSE)} {_pick(rng, AUDIENCES)}.",
        _maybe(rng, _pick(rng, PRESSURE) + "."),
    )


def st_audience_list(rng: random.Random) -> str:
    who = _names(rng)
    opener = _pick(
        rng,
        (
            f"I know {who}.",
            f"look who I found: {who}.",
            f"I have screenshots of your followers. {who}...",
            f"{who}. recognise these names?",
            f"I found your friends list: {who}.",
        ),
    )
    return _join(
        opener,
        _pick(rng, LEVERAGE) + ".",
        _pick(
            rng,
            (
                "pay or they all see it",
                "they will all get your nudes unless you pay",
                f"{_money_demand(rng)} or they get everything",
                "one message and they all see you naked",
            ),
        ),
        _maybe(rng, _pick(rng, DEADLINES)),
    )


def st_giftcard(rng: random.Random) -> str:
    card = _pick(rng, GIFT_CARDS)
    return _join(
        _pick(
            rng,
            (
                "go to the store",
                "go to walmart",
                "go to tesco",
                "go to the shop",
                "listen carefully",
            ),
        )
        + ".",
        f"buy {_pick(rng, ('a', 'two', '3', '4', 'five'))} {card} cards "
        f"{_pick(rng, ('$100 each', 'worth £50', '100 each', 'of 200'))}",
        "and send me the codes",
        _pick(rng, DEADLINES) + ".",
        f"if not, {_pick(rng, AUDIENCES)} {_pick(rng, ('sees your nudes', 'gets the video', 'gets your pics'))}.",
    )


def st_crypto(rng: random.Random) -> str:
    wallet = "bc1q" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz0123456789") for _ in range(20))
    return _join(
        f"send {_pick(rng, AMOUNTS)} of {_pick(rng, COINS)} to {wallet}",
        _pick(rng, DEADLINES) + ".",
        f"{_pick(rng, LEVERAGE)} and I'll {_pick(rng, EXPOSE)} {_pick(rng, AUDIENCES)}",
        _maybe(rng, "if it doesn't arrive."),
    )


def st_more_images(rng: random.Random) -> str:
    return _join(
        _maybe(rng, _pick(rng, LEVERAGE) + "."),
        _pick(
            rng,
            (
                "send me more pics",
                "send another nude",
                "I want a video this time",
                "send 3 more photos",
                "go on cam for me now",
                "send one without clothes",
                "make a video for me",
                "send more or else",
            ),
        ),
        f"or I {_pick(rng, EXPOSE)} {_pick(rng, AUDIENCES)}.",
        _maybe(rng, _pick(rng, PRESSURE)),
    )


def st_followup(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            f"{_pick(rng, ('5', '10', '3', '20'))} minutes left. then {_pick(rng, AUDIENCES)} gets the pics",
            f"I'm sending it to {_pick(rng, AUDIENCES)} now",
            f"already made the group chat with {_pick(rng, AUDIENCES)}. pay or I post",
            f"why aren't you paying? do you want {_pick(rng, AUDIENCES)} to see you naked?",
            f"last warning. {_money_demand(rng)} or your nudes go everywhere",
            f"the video is uploading. {_pick(rng, DEADLINES)} to pay or it goes live",
            f"you blocked me? fine, {_pick(rng, AUDIENCES)} will love your pics",
            f"stop crying and {_money_demand(rng)}",
            f"I posted one already. pay {_pick(rng, AMOUNTS)} and I delete it",
        ),
    )


def st_countdown(rng: random.Random) -> str:
    return _join(
        f"{_pick(rng, ('⏰', '⏳', 'clock is ticking.', 'countdown started.', 'timer on.'))}",
        f"{_pick(rng, DEADLINES)} or your {_pick(rng, ('nudes', 'pics', 'video', 'photos'))}",
        f"go to {_pick(rng, AUDIENCES)}.",
        _maybe(rng, f"{_money_demand(rng)}."),
    )


def st_negotiation(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            f"ok {_pick(rng, AMOUNTS)} is fine. send it now and I delete your pics",
            f"if you can't pay {_pick(rng, AMOUNTS)} then send half now and half tomorrow, or the video gets sent",
            f"I'll delete everything once you pay. {_pick(rng, PAY_METHODS)} only",
            f"you paid {_pick(rng, AMOUNTS)} but I need {_pick(rng, AMOUNTS)} more or {_pick(rng, AUDIENCES)} sees it",
            f"no money? then borrow it. your nudes go to {_pick(rng, AUDIENCES)} {_pick(rng, DEADLINES)}",
            f"pay and I promise nobody sees your video. don't pay and {_pick(rng, AUDIENCES)} does",
        ),
    )


def st_broken_english(rng: random.Random) -> str:
    return _join(
        _pick(rng, ("Hello dear", "hey", "Listen to me", "Dear", "hello my friend")),
        _pick(
            rng,
            (
                "i have you naked video",
                "i have all you nude picture",
                "i am record you video call",
                "you sex video is with me",
            ),
        ),
        _pick(rng, ("you must pay", "you send me", "you need pay")),
        _pick(rng, ("500$", "300 dollar", "200$ now", "100 usd gift card", "1000$")),
        _pick(
            rng,
            (
                "or i sending to all you friend",
                "or i will upload to youtube and send you family",
                "or i make you viral",
                "or i send to all you contact",
            ),
        ),
        _maybe(rng, "fast fast"),
    )


def st_viral(rng: random.Random) -> str:
    return _join(
        _pick(rng, ("imagine", "think about", "picture")),
        f"{_pick(rng, AUDIENCES)} {_pick(rng, ('seeing you naked', 'watching your video', 'getting your nudes'))}.",
        _pick(
            rng,
            (
                f"{_money_demand(rng)} and it never happens",
                "I can make you go viral tonight",
                "your reputation is gone unless you pay",
                f"{_money_demand(rng)} {_pick(rng, DEADLINES)}",
            ),
        ),
    )


def st_hacker_chat(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "I hacked your phone",
                "I got into your icloud",
                "I have access to your gallery",
                "I got into your snap account",
            ),
        ),
        _pick(
            rng,
            ("and I have your private photos", "and found your nudes", "and downloaded your pics"),
        ),
        f"{_money_demand(rng)} {_pick(rng, DEADLINES)}",
        f"or I {_pick(rng, EXPOSE)} {_pick(rng, AUDIENCES)}",
    )


# ---------------------------------------------------------------------------------------------
# victim_disclosure
_PARENT = (
    "mum",
    "mom",
    "dad",
    "parents",
    "family",
    "school",
    "friends",
    "followers",
    "boss",
    "girlfriend",
    "wife",
    "husband",
    "church",
    "team",
)
_PERP = (
    "someone",
    "this guy",
    "a girl I met",
    "this person",
    "he",
    "she",
    "they",
    "some account",
    "a guy from discord",
    "this girl from insta",
    "a scammer",
    "a person I met online",
)


def vd_ask_help(rng: random.Random) -> str:
    return _join(
        f"{_pick(rng, _PERP)} {_pick(rng, ('says', 'is saying', 'said', 'keeps saying'))}",
        f"{_pick(rng, ('they will', 'he will', 'she will', 'theyll'))} send my",
        f"{_pick(rng, ('nudes', 'pics', 'photos', 'video'))} to my {_pick(rng, _PARENT)}",
        f"unless I pay {_pick(rng, AMOUNTS)}",
        _pick(
            rng,
            (
                "what do I do",
                "what should I do??",
                "please help",
                "idk what to do",
                "help me",
                "is this real?",
            ),
        ),
    )


def vd_scared_teen(rng: random.Random) -> str:
    return _join(
        f"I sent pics to {_pick(rng, ('a girl', 'a guy', 'someone', 'this person'))} on {_pick(rng, PLATFORMS)}",
        _pick(
            rng,
            (
                "and now they're threatening to post them",
                "and now he wants money or he'll send them to everyone",
                "and now she's blackmailing me",
                "and they screenshotted everything and want money",
            ),
        ),
        _pick(
            rng,
            (
                "I'm so scared",
                "I can't breathe",
                "I'm freaking out",
                "I feel sick",
                "my life is over",
                "please don't judge me",
            ),
        ),
    )


def vd_regret(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "I made a huge mistake.",
                "I did something stupid.",
                "I messed up bad.",
                "I shouldn't have done it.",
            ),
        ),
        _pick(
            rng,
            (
                "I sent a video of myself",
                "I sent nudes",
                "I did stuff on cam",
                "I sent private photos",
            ),
        ),
        f"to {_pick(rng, ('someone I met online', 'a stranger', 'a fake account', 'a person on ' + _pick(rng, PLATFORMS)))}",
        _pick(
            rng,
            (
                "and now they want money",
                "and now they're threatening me",
                "and now they say they'll leak it",
                "and now they're blackmailing me",
            ),
        ),
    )


def vd_already_paid(rng: random.Random) -> str:
    return _join(
        f"I already paid {_pick(rng, AMOUNTS)}",
        _pick(
            rng,
            (
                "and he wants more",
                "but they're still threatening me",
                "and now she's asking for double",
                "and they sent more demands",
            ),
        ),
        _pick(
            rng,
            (
                f"or he sends my pics to my {_pick(rng, _PARENT)}",
                "I don't have any more money",
                "I don't know how to stop this",
                "what do I do",
            ),
        ),
    )


def vd_adult(rng: random.Random) -> str:
    return _join(
        f"I'm {rng.randint(19, 45)} and I got catfished on {_pick(rng, PLATFORMS)}.",
        _pick(
            rng,
            (
                "They're threatening to send my photos to my employer",
                "She recorded our call and wants money or she sends it to my wife",
                "He has intimate pictures of me and is demanding money",
                "They have a video of me and are asking for crypto",
            ),
        ),
        _pick(
            rng,
            (
                "I'm terrified",
                "I don't know who to talk to",
                "I feel so ashamed",
                "should I go to the police?",
                "",
            ),
        ),
    )


def vd_friend(rng: random.Random) -> str:
    return _join(
        f"my {_pick(rng, ('friend', 'best friend', 'little brother', 'sister', 'cousin', 'son', 'daughter'))}",
        _pick(
            rng,
            (
                "is being blackmailed with their pics",
                "sent nudes and now someone wants money",
                "is being threatened by someone who has their photos",
                "got sextorted, the guy wants money or he posts the video",
            ),
        ),
        _pick(rng, ("what should we do", "how can I help", "who do we tell", "please help")),
    )


def vd_short(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "help someone has my nudes",
            "they're blackmailing me",
            "someone is threatening to leak my pics",
            "he's going to send my video to everyone",
            "someone wants money or they post my nudes",
            "I'm being sextorted",
            "I'm being blackmailed with my photos",
            "pls help someone has pics of me",
            "she says she'll post my nudes",
            "he has my pics and wants money",
            f"someone has my pics and says my {_pick(rng, _PARENT)} will see them",
        ),
    )


def vd_report(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "how do I report someone who is",
                "can I report a person who's",
                "where do I report someone",
                "will the police help if someone is",
            ),
        ),
        _pick(
            rng,
            (
                "threatening to leak my pics",
                "blackmailing me with my nudes",
                "threatening to send my video to my family",
                "demanding money for my photos",
            ),
        ),
    )


def vd_hopeless(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "I can't do this anymore.",
                "I don't want to be here.",
                "I want to disappear.",
                "I can't stop crying.",
            ),
        ),
        _pick(
            rng,
            (
                "he's going to show everyone my pics",
                "they will send my nudes to my whole school",
                "everyone is going to see the video",
                "I can't pay and they'll post my photos",
            ),
        ),
        _maybe(rng, "I have no one to tell"),
    )


def vd_group(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "pls don't judge me but",
                "anonymous account here,",
                "not sure where to ask,",
                "throwaway,",
                "mods I need help,",
            ),
        ),
        f"{_pick(rng, _PERP)} has {_pick(rng, ('pics', 'a video', 'photos', 'nudes'))} of me",
        f"and says they'll send them to my {_pick(rng, _PARENT)}",
        _maybe(rng, f"unless I send {_pick(rng, ('more', 'money', AMOUNTS[0], 'gift cards'))}"),
    )


# ---------------------------------------------------------------------------------------------
# image_request
_BODY = (
    "body",
    "boobs",
    "chest",
    "butt",
    "bum",
    "legs in your underwear",
    "tits",
    "abs",
    "thighs",
    "ass",
    "cleavage",
)


def ir_direct(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "send nudes",
            "send me a nude",
            f"send me a pic of you in your {_pick(rng, ('underwear', 'bra', 'bikini', 'bed', 'panties', 'boxers'))}",
            "can I see you naked",
            "send me something sexy",
            "got any nudes?",
            "show me what's under your shirt",
            f"send a pic of your {_pick(rng, _BODY)}",
            "send me a pic with no clothes on",
            "send me a topless pic",
            "let me see you without clothes",
            f"show me your {_pick(rng, _BODY)}",
        ),
    )


def ir_cam(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "turn your camera on",
                "go on cam",
                "get on video call",
                "hop on facetime",
                "open your cam",
            ),
        ),
        _pick(
            rng,
            (
                "and show me your body",
                "and take your top off",
                "and undress for me",
                "and show me everything",
                "I want to see you naked",
                "and lift your shirt",
            ),
        ),
    )


def ir_flirty(rng: random.Random) -> str:
    return _join(
        _pick(rng, ("you look so hot", "you're so cute", "damn you're fine", "that pfp is sexy")),
        _pick(
            rng,
            (
                "send me something spicy",
                "send me a pic just for me",
                "send me a naughty pic",
                "show me more",
                "send one without the top",
                "send me a private pic",
            ),
        ),
        _maybe(rng, _pick(rng, ("😏", "😈", "🔥", "🍑"))),
    )


def ir_trade(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "I'll send mine if you send yours",
            "trade pics? nudes for nudes",
            "you show me, I show you",
            "send one and I'll send one back",
            "let's swap pics, the naughty kind",
            "pic for pic? no clothes",
        ),
    )


def ir_more(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "send more",
            "another one but without the bra",
            "more pics please, less clothes this time",
            "that one was nice, now send a naked one",
            "can you send a video this time",
            "send another one from the shower",
        ),
    )


def ir_video(rng: random.Random) -> str:
    return _join(
        _pick(rng, ("make a video for me", "record yourself for me", "film yourself")),
        _pick(
            rng,
            (
                "naked",
                "in the shower",
                "taking your clothes off",
                "in your underwear",
                "doing something sexy",
            ),
        ),
    )


def ir_snap(rng: random.Random) -> str:
    return _join(
        f"add me on {_pick(rng, ('snap', 'telegram', 'kik', 'whatsapp'))}",
        _pick(
            rng,
            (
                "and send me pics there",
                "so you can send nudes",
                "and send me a private pic",
                "and show me your body on cam",
            ),
        ),
    )


def ir_pay_for_pics(rng: random.Random) -> str:
    return _join(
        f"I'll give you {_pick(rng, ('$50', '£20', '1000 robux', 'a steam card', 'v-bucks', 'nitro', '$100'))}",
        _pick(
            rng,
            (
                "for a pic of you in your underwear",
                "if you send me a nude",
                "for a sexy pic",
                "if you show me your body on cam",
            ),
        ),
    )


def ir_selfie(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "send me a pic of you in bed",
            "what are you wearing? send a pic",
            "send a pic of what you look like rn",
            "send me a mirror pic, tight clothes",
            "send a pic in your pjs",
            "take a pic in your swimsuit for me",
        ),
    )


# ---------------------------------------------------------------------------------------------
# grooming
def gr_age_probe(rng: random.Random) -> str:
    age = rng.randint(11, 15)
    return _pick(
        rng,
        (
            f"how old are you? {age}? that's perfect, you seem mature",
            f"you're {age}? age is just a number",
            f"{age} is old enough to have a boyfriend, right?",
            f"have you ever kissed anyone? you're {age} now",
            "how old are you? don't worry I like younger girls",
            "are you still a virgin? how old r u",
            f"{age}? you look older in your pics, very mature",
            "you're so mature for your age",
        ),
    )


def gr_secrecy(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "don't tell your parents about us",
            "delete our chat after you read this",
            "this is our little secret",
            "your mom wouldn't understand what we have",
            "make sure nobody sees our messages",
            "don't tell anyone we talk, they'll get jealous",
            "clear your history before your dad checks",
            "keep this between us ok?",
            "if anyone asks, I'm a friend from school",
        ),
    )


def gr_move_private(rng: random.Random) -> str:
    return _join(
        _pick(rng, ("let's talk on", "add me on", "message me on", "download")),
        _pick(rng, ("snap", "telegram", "kik", "wickr", "signal", "whatsapp")),
        _pick(
            rng,
            (
                "where your parents can't see",
                "it's more private there",
                "so nobody reads our chats",
                "so the mods can't see",
                "and delete this app",
                "messages disappear there",
            ),
        ),
    )


def gr_meet(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "can I pick you up after school? don't tell anyone",
            "let's meet up, just us, don't tell your mom",
            "I can drive to your town this weekend, your parents don't need to know",
            "come to my place, I'll get you anything you want",
            "sneak out tonight and meet me",
            "I'll book a hotel, you can tell your parents you're at a friend's",
        ),
    )


def gr_gifts(rng: random.Random) -> str:
    return _join(
        f"I can buy you {_pick(rng, ('robux', 'v-bucks', 'a new phone', 'nitro', 'skins', 'makeup', 'anything'))}",
        _pick(
            rng,
            (
                "if you keep this secret",
                "if you're nice to me",
                "if you send me a pic",
                "just don't tell your parents",
                "if you do what I ask",
            ),
        ),
    )


def gr_isolation(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "your parents don't understand you like I do",
            "you can only trust me, your friends are fake",
            "nobody cares about you like I do",
            "your parents are too strict, I'd let you do anything",
            "you don't need them, you have me",
            "I'm the only one who gets you",
        ),
    )


def gr_alone(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "are you home alone?",
            "are your parents home? are you in your room?",
            "when do your parents go to sleep?",
            "is anyone watching? are you alone in your room",
            "is your door locked?",
        ),
    ) + _maybe(
        rng,
        " "
        + _pick(rng, ("😏", "I want to try something", "good, we can talk about naughty stuff")),
    )


def gr_sexual_talk(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "have you ever touched yourself?",
            "I could teach you how to kiss",
            "do you sleep naked?",
            "what color is your underwear?",
            "have you done anything sexual yet?",
            "I want to be your first",
            "do you think about me at night?",
        ),
    )


# ---------------------------------------------------------------------------------------------
# hard negatives (no label)
def hn_news(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "police warn of a rise in sextortion cases targeting teenage boys",
            "the FBI says sextortion reports doubled last year",
            f"news: a man was arrested for blackmailing teens on {_pick(rng, PLATFORMS)}",
            "article about how scammers use fake profiles to trick kids into sending photos",
            "new law makes sharing intimate images without consent a crime",
            f"{_pick(rng, PLATFORMS)} adds new tools to stop sextortion scams",
            "documentary about online blackmail was really eye opening",
        ),
    )


def hn_advice(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "if someone threatens to share your pics, don't pay. block them and report it",
            "PSA: never send money to someone blackmailing you, tell a trusted adult",
            "you can use Take It Down to get images removed, it's free",
            "if this happens to you, you are not in trouble. screenshot everything and report",
            "reminder: don't send pics to people you met online, even if they seem nice",
            "stopncii helps adults stop intimate images being shared",
        ),
    )


def hn_parent(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            f"how do I protect my {rng.randint(10, 16)} year old from predators on {_pick(rng, PLATFORMS)}?",
            "what parental controls do you use for discord?",
            "worried about my son chatting with strangers online, any advice?",
            "should I check my daughter's phone? she's always on snap",
            "what age is ok for instagram?",
        ),
    )


def hn_payback(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            f"I'll pay you back the {_pick(rng, AMOUNTS)} tomorrow",
            f"send me the money for the pizza on {_pick(rng, PAY_METHODS)}",
            f"can you {_pick(rng, PAY_METHODS)} me for the tickets by tonight?",
            "you owe me 20 quid from last week lol",
            f"bought the {_pick(rng, GIFT_CARDS)} gift card for mum's birthday",
            "pay me back whenever, no rush",
            f"I'll send you {_pick(rng, AMOUNTS)} for the concert tickets",
        ),
    )


def hn_pic_object(rng: random.Random) -> str:
    thing = _pick(
        rng,
        (
            "your dog",
            "your outfit for tonight",
            "the receipt",
            "the whiteboard",
            "your cat",
            "the homework",
            "your setup",
            "the menu",
            "your new shoes",
            "the cake",
            "your room after you cleaned it",
            "the error message",
            "the view",
        ),
    )
    return _pick(
        rng,
        (
            f"send me a pic of {thing}",
            f"can you take a photo of {thing}?",
            f"pic of {thing} pls",
            f"show me {thing}",
            f"send a video of {thing}",
        ),
    )


def hn_gaming(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "I'll destroy you next round",
            "you're dead lol",
            "gg ez",
            "uninstall the game noob",
            "I'm going to end you in ranked",
            "report the jungler he's trolling",
            "I will find you and kill you in game",
            "your team is trash",
            "bro you got exposed in that 1v1",
            "I'm leaking the new skin before release",
            "pay to win garbage",
            "camp the spawn and kill them all",
        ),
    )


def hn_flirt(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "had such a great time last night, can't wait to see you again 😘",
            "you looked amazing at the party",
            "good morning beautiful, hope your day is great",
            "miss you babe, see you friday",
            "dinner date tomorrow? my treat",
            "your smile is cute ngl",
            "can't stop thinking about our date",
        ),
    )


def hn_mods(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "mods, someone in general is posting scam links",
            "can someone ban the bot spamming crypto?",
            "reported that account for sending weird dms",
            "who do I message about a rule break?",
            "please read the rules before posting",
            "new channel for memes is up",
        ),
    )


def hn_age_talk(rng: random.Random) -> str:
    age = rng.randint(13, 19)
    return _pick(
        rng,
        (
            f"how old are you guys? I'm {age}",
            "what age group is the tournament?",
            f"my little brother just turned {age - 3}",
            "you need to be 13 to join discord",
            f"I'm {age} and still can't drive lol",
            "happy birthday!! how old now?",
        ),
    )


def hn_secret_surprise(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "don't tell mum about the surprise party",
            "keep it a secret, it's for her birthday",
            "delete the chat before she sees the gift ideas lol",
            "shh don't spoil the ending",
            "don't tell anyone I failed the test",
            "this is between us: I'm applying for a new job",
        ),
    )


def hn_meet_friends(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "wanna meet at the mall after school?",
            "can your mom pick us up after practice?",
            "let's meet at the library at 4",
            "my dad can drive us to the game",
            "come over and play mario kart",
            "see you at the bus stop",
        ),
    )


def hn_photos_shared(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "send me the photos from the trip",
            "can you share the video of the concert?",
            "upload the pics to the group album",
            "I have the pics from your party, sending now",
            "I recorded the whole match, will post it later",
            "I screenshotted the score lol",
            "I'll post the team photo for everyone",
            "I saved the video of your goal!",
        ),
    )


def hn_work_deadline(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "pay the invoice by friday please",
            "rent is due tomorrow, send your half",
            "the deadline for the assignment is midnight",
            "you have 10 minutes to submit the quiz",
            "last chance to buy tickets!",
            "send the report to the whole team by 5",
        ),
    )


def hn_support(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "if you're being blackmailed you can talk to us, you're not alone",
            "anyone being threatened online can DM the mods privately",
            "if someone is pressuring you for pics, tell someone you trust",
            "being sextorted is never your fault",
            "here's the link to report online exploitation",
        ),
    )


def hn_cam_tech(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "my webcam isn't working on discord",
            "turn on your camera for the zoom lecture",
            "which cam do you use for streaming?",
            "hop on vc, we're playing among us",
            "can you share your screen?",
            "my mic is broken, can you hear me?",
        ),
    )


def hn_threat_nonsexual(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "if you don't give my charger back I'm telling mum",
            "pay me back or I'm telling everyone you cheated at uno",
            "I'll post the embarrassing karaoke video if you don't come tonight lol",
            "give me the last slice or you're dead",
            "send the notes or I'll expose you to the group for being lazy",
        ),
    )


# --- families added after the v1 error analysis on dev (test families untouched) ---------------
def st_pay_to_delete(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            f"pay {_pick(rng, AMOUNTS)} and I'll delete your {_pick(rng, ('pics', 'video', 'nudes', 'photos'))}",
            f"once the {_pick(rng, ('money', 'cash', 'payment', 'codes'))} arrives your video is gone forever",
            f"send it on {_pick(rng, PAY_METHODS)} and nobody ever sees your nudes",
            f"{_pick(rng, AMOUNTS)} and the pics disappear. no money and {_pick(rng, AUDIENCES)} gets them",
            f"you want me to delete the video? {_money_demand(rng)}",
            f"I'll only delete your pics after you pay, {_pick(rng, PAY_METHODS)} or {_pick(rng, COINS)}",
        ),
    )


def st_proof(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "here's a screenshot to show I'm serious.",
                "recognise this pic?",
                "look what I have.",
                "this is you right?",
                "sent you a preview.",
            ),
        ),
        _pick(
            rng,
            (
                f"pay {_pick(rng, AMOUNTS)} or {_pick(rng, AUDIENCES)} sees the rest",
                f"{_pick(rng, AUDIENCES)} gets the full video {_pick(rng, DEADLINES)} unless you pay",
                f"{_money_demand(rng)} or I post it",
            ),
        ),
    )


def st_short(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "pay or I post",
            f"{_pick(rng, AMOUNTS)} or the pics go out",
            "cashapp now or everyone sees",
            "pay up or your nudes go viral",
            "money now or the video drops",
            f"{_pick(rng, PAY_METHODS)} me or I leak it",
            "pay or your family sees",
            "send the money or I send the pics",
        ),
    )


def st_catfish_reveal(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "lol you thought I was a real girl?",
                "surprise, I'm not who you think.",
                "game over bro.",
                "you fell for it.",
            ),
        ),
        _pick(
            rng,
            ("I recorded everything", "I saved every pic you sent", "I screen recorded our call"),
        ),
        f"and {_pick(rng, AUDIENCES)} {_pick(rng, ('will see it', 'gets it', 'is next'))}",
        _pick(rng, (f"unless you pay {_pick(rng, AMOUNTS)}", f"if you don't {_money_demand(rng)}")),
    )


def vd_question(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "is it illegal for someone to",
                "can someone actually",
                "what happens if someone tries to",
                "is he allowed to",
            ),
        ),
        _pick(
            rng,
            (
                "post my nudes if I don't pay him?",
                "send my pics to my parents like he says?",
                "leak my video after I paid?",
                "share my photos if I block them?",
            ),
        ),
        _maybe(
            rng, _pick(rng, ("he's threatening me rn", "I'm panicking", "this is happening to me"))
        ),
    )


def hn_send_benign(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "send it to my email",
            "send me the link pls",
            "I'll send them to your email tonight",
            "can you send me the address?",
            "send the file when you can",
            "did you send it? I didn't get anything",
            "send me your notes from today",
            "I'll send them to you after work",
            "just send it to my phone",
            "send the money for the ticket whenever",
            "send me a video of the trick shot",
            "send me your gamertag",
        ),
    )


def hn_add_me(rng: random.Random) -> str:
    return _join(
        f"add me on {_pick(rng, ('steam', 'xbox', 'discord', 'insta', 'psn', 'epic', 'snap', 'spotify'))}",
        _pick(
            rng,
            (
                "so we can play",
                "my name is the same",
                "lol",
                "for the next match",
                "I'll send you the invite",
                "",
            ),
        ),
    )


def hn_crude(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "this skin is sexy af",
            "that's what she said",
            "needs more explosions lol",
            "ur mom lol",
            "he's so hot in that movie",
            "this song is sexy",
            "that play was nasty",
            "get rekt",
            "the new character design is thicc lol",
            "bro that's sus",
            "sexy graphics on this game",
        ),
    )


def hn_delete(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "delete that message lol",
            "I'll delete the pic if you hate it",
            "delete the group photo I look awful",
            "pls delete that video of me dancing 😂",
            "can you delete the screenshot, it's embarrassing",
            "delete the old chat, it's full of spam",
        ),
    )


# --- families added for v3: image requests and grooming moves without sexual words, in more
# registers, each with hard negatives that share its words (test families untouched) -----------
_PIC_WORDS = ("pic", "picture", "photo", "selfie", "snap", "pic", "pix")
_YOU_IN = (
    "in bed",
    "in ur pjs",
    "in your room",
    "rn",
    "right now",
    "after your shower",
    "in that outfit",
    "before you sleep",
    "in your uniform",
    "lying down",
    "in the mirror",
    "wearing what you sleep in",
)
_SPICY = (
    "something spicy",
    "something for my eyes only",
    "something cute just for me",
    "a private one",
    "a pic of you",
    "a cheeky one",
    "a pic no one else gets",
    "something I can keep",
    "a full body pic",
    "a pic of your body",
)


def ir_slang(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "send noods",
            "drop a pic",
            f"drop a {_pick(rng, _PIC_WORDS)} of u",
            "u got pics?",
            "any pics of u?",
            f"snap me a {_pick(rng, ('pic', 'selfie', 'quick one'))}",
            "pics?",
            "pic first",
            "send a pic of urself",
            f"lemme get a {_pick(rng, _PIC_WORDS)}",
            "where the pics at",
            "send one 😏",
            "show urself",
            "send face and body",
            "u got any spicy pics",
            "pics or ur fake",
        ),
    )


def ir_in_bed(rng: random.Random) -> str:
    return _join(
        _maybe(rng, _pick(rng, ("what are you wearing?", "what u doing?", "can't sleep?")), 0.4),
        _pick(
            rng,
            (
                f"send me a {_pick(rng, _PIC_WORDS)} of you {_pick(rng, _YOU_IN)}",
                f"{_pick(rng, _PIC_WORDS)} of you {_pick(rng, _YOU_IN)}?",
                f"show me what you look like {_pick(rng, _YOU_IN)}",
                f"take a {_pick(rng, _PIC_WORDS)} {_pick(rng, _YOU_IN)} for me",
                f"I wanna see you {_pick(rng, _YOU_IN)}",
            ),
        ),
        _maybe(rng, _pick(rng, ("😏", "just for me", "no one will see it", "don't be shy")), 0.4),
    )


def ir_prove_real(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "prove you're real",
                "how do I know you're not a catfish?",
                "I don't believe you're real",
                "verify first",
                "you could be anyone",
            ),
        ),
        _pick(
            rng,
            (
                "send a pic holding up 3 fingers",
                "send a selfie with a peace sign",
                "send a pic of you right now",
                "take a selfie with your name on paper",
                "send a live pic, not from google",
                "send a pic of your face and body",
                "send a mirror selfie right now",
            ),
        ),
    )


def ir_video_call(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "facetime me",
                "video call me",
                "turn your camera on",
                "let's video chat",
                "cam with me",
                "hop on cam",
                "can we vc with cams on",
                "call me on video",
            ),
        ),
        _pick(
            rng,
            (
                "I wanna see you",
                "just us two",
                "tonight when everyone's asleep",
                "so I can see what you look like",
                "in your room",
                "I want to see you up close",
                "and show me",
                "no one else has to know",
            ),
        ),
        _maybe(rng, _pick(rng, ("😏", "pls", "come on", "just for a minute")), 0.4),
    )


def ir_price(rng: random.Random) -> str:
    money = _pick(
        rng, ("$20", "$40", "£30", "500 robux", "a gift card", "nitro", "$100", "50 bucks")
    )
    return _pick(
        rng,
        (
            "how much for pics?",
            "do you sell pics?",
            f"I'll {_pick(rng, PAY_METHODS)} you {money} per pic",
            "name your price for a pic of you",
            f"{money} for one pic, easy money",
            "I pay good money for private pics",
            f"want {money}? just send me {_pick(rng, _SPICY)}",
            f"I'll buy your pics, {money} each",
            "how much would it take for you to send me a pic",
            f"sending {money} rn if you send {_pick(rng, _SPICY)}",
        ),
    )


def ir_send_vid(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "send a vid",
                "send me a video of you",
                "make me a vid",
                "record a vid for me",
                "send me a short vid",
                "vid of you?",
                "send a clip of you",
            ),
        ),
        _pick(
            rng,
            (
                _pick(rng, _YOU_IN),
                "dancing for me",
                "just for me",
                "when you're alone",
                "showing me your body",
                "no one else will see it",
                "",
            ),
        ),
    )


def ir_can_i_see(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "can I see you?",
            "can I see more of you",
            "lemme see you",
            "I wanna see what you look like",
            "can I see your body",
            "show me yourself",
            "let me see you properly",
            "can I see you without the filter",
            "I need to see you first",
            "can I see the rest",
            "show me more of you",
            "can I see a pic of you",
        ),
    )


def ir_dms(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "dm me pics",
            f"slide me {_pick(rng, _SPICY)} in my dms",
            f"drop {_pick(rng, _SPICY)} in my dms",
            "check your dms and send one back",
            f"send {_pick(rng, _SPICY)} on {_pick(rng, ('snap', 'telegram', 'insta', 'discord'))}",
            f"dm me {_pick(rng, _SPICY)}",
            "post one on your private story for me",
            "send it in dms not here",
        ),
    )


def ir_insist(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "come on just one pic",
                "why won't you send a pic",
                "I sent mine, your turn",
                "you promised me a pic",
                "still waiting for that pic 👀",
                "just one, I won't show anyone",
                "stop being shy and send it",
                "one pic won't hurt",
                "I showed you mine now show me yours",
            ),
        ),
        _maybe(
            rng, _pick(rng, ("pls", "I'll delete it after", "it's only fair", "don't be boring"))
        ),
    )


def ir_body_check(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "full body pic?",
            "what do you look like? send a pic",
            "send a pic of your whole body",
            f"show me your {_pick(rng, ('figure', 'body', 'stomach', 'legs', 'curves'))}",
            "send a pic so I can see your body",
            f"are you {_pick(rng, ('skinny', 'curvy', 'fit', 'tall'))}? pic",
            "I want to see all of you",
            "turn around and take a pic",
        ),
    )


def ir_dating_app(rng: random.Random) -> str:
    return _join(
        _maybe(rng, _pick(rng, ("we matched!", "hey cutie", "love your profile", "nice bio"))),
        _pick(
            rng,
            (
                "got any pics that aren't on your profile?",
                "send me something your profile doesn't show",
                "before we meet I need more pics, the naughty kind",
                "your profile pics are cute but I want to see more",
                "send a few more so I know you're not a bot",
                "what are you hiding under that hoodie? show me",
            ),
        ),
    )


def ir_disappearing(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "send it on snap, it disappears anyway",
            "use view once, nobody will ever see it",
            "add me to close friends and post something just for me",
            "it deletes after 10 seconds so just send it",
            "send a disappearing one, no screenshots promise",
            "open your vanish mode and send me a pic",
        ),
    )


def gr_age_school(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "what grade are you in?",
                "are you in middle school?",
                "how old are you really?",
                "what year are you in at school?",
                f"you're only {rng.randint(11, 15)}?",
                "when's your birthday, how old will you be?",
            ),
        ),
        _pick(
            rng,
            (
                "you seem way older",
                "you talk like an adult",
                "I'm usually not into people your age but you're different",
                "don't worry, I won't tell anyone",
                "that's fine with me",
                "you're more grown up than the girls my age",
                "age doesn't matter to me",
                "we just have to be careful then",
            ),
        ),
    )


def gr_trust(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "you can tell me anything, I'd never tell your parents",
            "you're so much smarter than people your age",
            "you deserve someone who treats you like an adult, not a kid",
            "I'm not like the boys at your school, you can trust me",
            "you're more mature than my friends and I'm 25",
            "the kids at your school don't deserve you",
            "I'd never judge you like your parents do",
        ),
    )


def gr_parents_dont_get(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "your parents just don't get you",
                "your friends are so immature compared to you",
                "they treat you like a little kid",
                "your mom doesn't listen to you but I do",
                "your family doesn't appreciate you",
                "your friends wouldn't get what we have",
            ),
        ),
        _maybe(
            rng,
            _pick(
                rng,
                (
                    "I never would",
                    "I'm on your side",
                    "you don't need them",
                    "that's why you have me",
                    "stick with me",
                ),
            ),
            0.7,
        ),
    )


def gr_hide(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "delete our messages before you go to bed",
            "save me under a girl's name in your phone",
            "turn on vanish mode so nothing stays",
            "put your phone on silent so your mom doesn't hear",
            "hide the app in a folder",
            "if your parents check your phone, say I'm from school",
            "archive our chat ok",
            "don't mention me to anyone, not even your best friend",
            "make a second account just for talking to me",
        ),
    )


def gr_presents(rng: random.Random) -> str:
    gift = _pick(
        rng,
        (
            "robux",
            "v-bucks",
            "nitro",
            "a gift card",
            "that skin you wanted",
            "some money",
            "a new phone",
        ),
    )
    return _pick(
        rng,
        (
            f"want me to send you {gift}? just don't mention it to anyone",
            f"I sent you {gift}, now you owe me one",
            f"I'll get you {gift}, your parents don't need to know",
            "need money? I can help, it stays between us",
            "I'll pay your phone bill so they can't take it away",
            f"I got you {gift}, you're welcome 😉 remember who looks after you",
            f"you can have {gift} if you do something for me",
        ),
    )


def gr_move_app(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "this server is too public",
                "the mods here read everything",
                "too many people here",
                "I don't like talking here",
                "let's go somewhere more private",
            ),
        ),
        _pick(
            rng,
            (
                f"get {_pick(rng, ('telegram', 'signal', 'kik', 'wickr', 'session'))} and message me",
                "what's your number? we can text",
                "dm me instead",
                "add my other account",
                f"I'll send you my {_pick(rng, ('snap', 'telegram', 'whatsapp'))}, don't add me here",
            ),
        ),
    )


def gr_location(rng: random.Random) -> str:
    return _join(
        _pick(
            rng,
            (
                "what school do you go to?",
                "what town do you live in?",
                "are you near the city?",
                "which bus do you take home?",
                "what time do you get out of school?",
            ),
        ),
        _pick(
            rng,
            (
                "I'm not far from there",
                "I could come visit, nobody would have to know",
                "I pass there every day",
                "maybe we could hang out, just us",
                "I'll be in your area next week",
            ),
        ),
    )


def gr_relationship(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "we could be together when you're older",
            "you're my girlfriend now but it has to stay between us",
            "people wouldn't understand us, they'd say I'm too old",
            "I've never felt like this about someone your age",
            "I wish you were older so we could be together",
        ),
    )


def gr_normalise(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "it's normal, everyone your age does it",
            "there's nothing wrong with it if it's just us",
            "you're mature enough to decide for yourself",
            "your parents did the same when they were young",
            "it's only weird if you make it weird",
            "lots of girls your age talk to older guys",
            "it's our thing, other people don't need to get it",
        ),
    )


def gr_guilt(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "after everything I did for you, you can't keep one secret?",
            "I bought you all that and now you ignore me?",
            "if you tell anyone I'll get in trouble and it'll be your fault",
            "don't make me sad, you know you're all I have",
        ),
    )


def gr_late_night(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "stay up tonight, we can talk when everyone's asleep",
            "text me after your parents go to bed",
            "turn your brightness down so nobody sees you're up",
            "message me at 2am, that's our time",
            "wait till your mom's asleep then call me",
            "keep your door shut and your volume off",
        ),
    )


def hn_pic_thing(rng: random.Random) -> str:
    thing = _pick(
        rng,
        (
            "your setup",
            "the build",
            "your fit",
            "your nails",
            "the drawing",
            "your plant",
            "the new car",
            "the score",
            "your garden",
            "the bug on the wall",
            "your bookshelf",
            "the recipe",
            "your desk",
            "the parking sign",
            "your new keyboard",
            "the timetable",
        ),
    )
    return _pick(
        rng,
        (
            f"send a pic of {thing}",
            f"pic of {thing}?",
            f"show me {thing}",
            f"drop a pic of {thing}",
            f"can I see {thing}?",
            f"send me a vid of {thing}",
            f"lemme see {thing}",
            f"take a photo of {thing} for me",
        ),
    )


def hn_age_other(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            f"how old is your {_pick(rng, ('dog', 'cat', 'brother', 'sister', 'car', 'laptop', 'phone'))}?",
            "what grade is your brother in?",
            "how old were you when you started playing?",
            "what year are you at uni?",
            "how old is this game? it still looks great",
            f"my {_pick(rng, ('son', 'daughter', 'nephew'))} is {rng.randint(8, 15)}, what age is fortnite for?",
            "are you old enough to vote this year?",
        ),
    )


def hn_secret_benign(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "don't tell the group yet, I want to announce it myself",
            "keep it quiet until the reveal on friday",
            "don't tell dad about the present, it's a surprise",
            "delete the chat so she doesn't see the party plans",
            "shh, it's a secret santa",
            "don't tell anyone the boss's name on the card",
            "our little secret: I ate the last cookie",
        ),
    )


def hn_gifts_friend(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            f"I'll buy you {_pick(rng, ('robux', 'nitro', 'a steam card', 'v-bucks'))} for your birthday",
            "gifted you nitro bro, happy birthday",
            "got you a steam card for christmas",
            "my mom's buying me a new phone",
            "I'll send you the money for your half of the gift",
            "want me to get you a coffee on the way?",
        ),
    )


def hn_cam_group(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "cams on for the study group please",
            "turn on your camera for the interview",
            "facetime grandma later, she misses you",
            "video call the team at 5",
            "can everyone turn their cams on for the class photo",
            "my cam is blurry, is it my settings?",
            "let's vc and finish the project",
            "hop on video so we can show mum the puppy",
        ),
    )


def hn_move_benign(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "let's move this to #off-topic",
            "dm me the server ip",
            "text me when you get home safe",
            "what's your number? for the group chat",
            "join the telegram channel for updates",
            "message me on whatsapp about the shift swap",
            "continue in the thread pls",
        ),
    )


def hn_meet_public(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "meet at the station at 6",
            "my mom will drive us to the movies",
            "pick you up at 8 for the party?",
            "practice is at the school gym, see you there",
            "we're all meeting at the park after lunch",
            "come to the game tonight, everyone's going",
        ),
    )


def hn_parents_peer(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "my parents don't get me either lol",
            "my mom took my phone again",
            "parents are so annoying about screen time",
            "my dad doesn't understand why I like this game",
            "your mom is so nice, tell her thanks for dinner",
            "ugh grounded again",
        ),
    )


def hn_show_me_thing(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "show me the clip",
            "can I see your deck?",
            "let me see the screenshot",
            "show me how you did that combo",
            "send the vid of the glitch",
            "can I see your drawings?",
            "show me your progress on the build",
            "record a clip of the bug for the devs",
        ),
    )


def hn_compliment(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "you're so talented, that art is amazing",
            "you handled that really maturely, proud of you",
            "you're a great friend",
            "you're special to this team",
            "you can always talk to me, that's what friends are for",
            "I trust you with the server keys",
        ),
    )


def hn_selfie_share(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "here's a selfie from the concert",
            "new pfp, thoughts?",
            "just posted a pic from the beach",
            "look at my new haircut",
            "sending you the pic of us from the trip",
            "my mom took this photo of me at graduation",
        ),
    )


def hn_tattle(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "give back my hoodie or I'm telling your mom",
            "if you don't pay me back I'm telling everyone you're broke lol",
            "I'll tell the teacher you copied my homework",
            f"send my {_pick(rng, AMOUNTS)} back by friday or we're done",
            "post that video of me falling and you're dead",
            "I'm showing everyone the screenshot of you losing 10-0",
        ),
    )


def hn_commission(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "how much for a commission?",
            f"I'll pay you {_pick(rng, ('$20', '$40', '£15'))} to draw my oc",
            "do you sell your prints?",
            "how much for a headshot photoshoot?",
            "I'll buy your old camera if it still works",
            "name your price for the skin",
        ),
    )


def hn_family_pics(rng: random.Random) -> str:
    return _pick(
        rng,
        (
            "mom wants a pic of us before school",
            "send grandma a photo of the baby",
            "can you send coach the team picture?",
            "take a pic of the kids with santa",
            "send me the pic of the trophy, I'll frame it",
            "dad wants a video of the recital",
        ),
    )


FAMILIES: tuple[Family, ...] = (
    Family("st_classic", ("sextortion",), "train", st_classic),
    Family("st_audience_list", ("sextortion",), "train", st_audience_list),
    Family("st_crypto", ("sextortion",), "train", st_crypto),
    Family("st_more_images", ("sextortion", "image_request"), "train", st_more_images),
    Family("st_followup", ("sextortion",), "train", st_followup),
    Family("st_viral", ("sextortion",), "train", st_viral),
    Family("st_pay_to_delete", ("sextortion",), "train", st_pay_to_delete),
    Family("st_proof", ("sextortion",), "train", st_proof),
    Family("st_short", ("sextortion",), "train", st_short),
    Family("st_catfish_reveal", ("sextortion",), "train", st_catfish_reveal),
    Family("st_countdown", ("sextortion",), "dev", st_countdown),
    Family("st_negotiation", ("sextortion",), "dev", st_negotiation),
    Family("st_giftcard", ("sextortion",), "test", st_giftcard),
    Family("st_broken_english", ("sextortion",), "test", st_broken_english),
    Family("st_hacker_chat", ("sextortion",), "test", st_hacker_chat),
    Family("vd_ask_help", ("victim_disclosure",), "train", vd_ask_help),
    Family("vd_scared_teen", ("victim_disclosure",), "train", vd_scared_teen),
    Family("vd_regret", ("victim_disclosure",), "train", vd_regret),
    Family("vd_short", ("victim_disclosure",), "train", vd_short),
    Family("vd_group", ("victim_disclosure",), "train", vd_group),
    Family("vd_question", ("victim_disclosure",), "train", vd_question),
    Family("vd_already_paid", ("victim_disclosure",), "dev", vd_already_paid),
    Family("vd_report", ("victim_disclosure",), "dev", vd_report),
    Family("vd_adult", ("victim_disclosure",), "test", vd_adult),
    Family("vd_friend", ("victim_disclosure",), "test", vd_friend),
    Family("vd_hopeless", ("victim_disclosure",), "test", vd_hopeless),
    Family("ir_direct", ("image_request",), "train", ir_direct),
    Family("ir_cam", ("image_request",), "train", ir_cam),
    Family("ir_flirty", ("image_request",), "train", ir_flirty),
    Family("ir_more", ("image_request",), "train", ir_more),
    Family("ir_snap", ("image_request", "grooming"), "train", ir_snap),
    Family("ir_trade", ("image_request",), "dev", ir_trade),
    Family("ir_selfie", ("image_request",), "dev", ir_selfie),
    Family("ir_video", ("image_request",), "test", ir_video),
    Family("ir_pay_for_pics", ("image_request", "grooming"), "test", ir_pay_for_pics),
    Family("gr_age_probe", ("grooming",), "train", gr_age_probe),
    Family("gr_secrecy", ("grooming",), "train", gr_secrecy),
    Family("gr_move_private", ("grooming",), "train", gr_move_private),
    Family("gr_sexual_talk", ("grooming",), "train", gr_sexual_talk),
    Family("gr_meet", ("grooming",), "dev", gr_meet),
    Family("gr_alone", ("grooming",), "dev", gr_alone),
    Family("gr_gifts", ("grooming",), "test", gr_gifts),
    Family("gr_isolation", ("grooming",), "test", gr_isolation),
    Family("hn_news", (), "train", hn_news),
    Family("hn_advice", (), "train", hn_advice),
    Family("hn_payback", (), "train", hn_payback),
    Family("hn_pic_object", (), "train", hn_pic_object),
    Family("hn_gaming", (), "train", hn_gaming),
    Family("hn_flirt", (), "train", hn_flirt),
    Family("hn_secret_surprise", (), "train", hn_secret_surprise),
    Family("hn_photos_shared", (), "train", hn_photos_shared),
    Family("hn_cam_tech", (), "train", hn_cam_tech),
    Family("hn_send_benign", (), "train", hn_send_benign),
    Family("hn_add_me", (), "train", hn_add_me),
    Family("hn_crude", (), "train", hn_crude),
    Family("hn_delete", (), "train", hn_delete),
    Family("hn_parent", (), "dev", hn_parent),
    Family("hn_mods", (), "dev", hn_mods),
    Family("hn_meet_friends", (), "dev", hn_meet_friends),
    Family("hn_work_deadline", (), "dev", hn_work_deadline),
    Family("hn_support", (), "test", hn_support),
    Family("hn_age_talk", (), "test", hn_age_talk),
    Family("hn_threat_nonsexual", (), "test", hn_threat_nonsexual),
    # v3
    Family("ir_slang", ("image_request",), "train", ir_slang),
    Family("ir_in_bed", ("image_request",), "train", ir_in_bed),
    Family("ir_prove_real", ("image_request",), "train", ir_prove_real),
    Family("ir_video_call", ("image_request",), "train", ir_video_call),
    Family("ir_price", ("image_request", "grooming"), "train", ir_price),
    Family("ir_send_vid", ("image_request",), "train", ir_send_vid),
    Family("ir_can_i_see", ("image_request",), "train", ir_can_i_see),
    Family("ir_dms", ("image_request",), "train", ir_dms),
    Family("ir_insist", ("image_request",), "train", ir_insist),
    Family("ir_body_check", ("image_request",), "train", ir_body_check),
    Family("ir_dating_app", ("image_request",), "dev", ir_dating_app),
    Family("ir_disappearing", ("image_request",), "test", ir_disappearing),
    Family("gr_age_school", ("grooming",), "train", gr_age_school),
    Family("gr_trust", ("grooming",), "train", gr_trust),
    Family("gr_parents_dont_get", ("grooming",), "train", gr_parents_dont_get),
    Family("gr_hide", ("grooming",), "train", gr_hide),
    Family("gr_presents", ("grooming",), "train", gr_presents),
    Family("gr_move_app", ("grooming",), "train", gr_move_app),
    Family("gr_location", ("grooming",), "train", gr_location),
    Family("gr_relationship", ("grooming",), "train", gr_relationship),
    Family("gr_normalise", ("grooming",), "train", gr_normalise),
    Family("gr_guilt", ("grooming",), "dev", gr_guilt),
    Family("gr_late_night", ("grooming",), "test", gr_late_night),
    Family("hn_pic_thing", (), "train", hn_pic_thing),
    Family("hn_age_other", (), "train", hn_age_other),
    Family("hn_secret_benign", (), "train", hn_secret_benign),
    Family("hn_gifts_friend", (), "train", hn_gifts_friend),
    Family("hn_cam_group", (), "train", hn_cam_group),
    Family("hn_move_benign", (), "train", hn_move_benign),
    Family("hn_meet_public", (), "train", hn_meet_public),
    Family("hn_parents_peer", (), "train", hn_parents_peer),
    Family("hn_show_me_thing", (), "train", hn_show_me_thing),
    Family("hn_compliment", (), "train", hn_compliment),
    Family("hn_selfie_share", (), "train", hn_selfie_share),
    Family("hn_tattle", (), "train", hn_tattle),
    Family("hn_commission", (), "dev", hn_commission),
    Family("hn_family_pics", (), "test", hn_family_pics),
    # v4: compositional families (see classifiers/compositional.py), train only
    Family("ir_compose", ("image_request",), "train", ir_compose, weight=3),
    Family("ir_groom_compose", ("image_request", "grooming"), "train", ir_groom_compose, weight=2),
    Family("gr_compose", ("grooming",), "train", gr_compose, weight=3),
    Family("hn_compose", (), "train", hn_compose, weight=3),
)


@dataclass(frozen=True, slots=True)
class Generated:
    text: str
    labels: tuple[str, ...]
    family: str
    split: str


def generate(family: Family, count: int, rng: random.Random) -> list[Generated]:
    """``count`` distinct (where possible) styled messages from one family."""
    out: list[Generated] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < count and attempts < count * 20:
        attempts += 1
        text = stylize(family.make(rng), rng)
        if text in seen:
            continue
        seen.add(text)
        out.append(Generated(text, family.labels, family.name, family.split))
    return out
