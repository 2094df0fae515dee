"""High-precision cue rules for red flags and strengths: phrases that name a pattern almost
by definition ("silent treatment", "walked out", "went through my phone"). They complement the
trained head, which misses short, blunt entries. A plain denial right before a cue cancels it,
judged by the negation helper the safety screen uses (assistant/safety/text.py) in its wide
reading (a denial a few words back, "nobody ..."), which never treats a purpose or fear clause
("so he doesn't ...") as a denial. The safety screen keeps the narrow reading (recall first).
"""

from __future__ import annotations

import re

from assistant.safety.text import negated, normalise

_CUE_PATTERNS: dict[str, list[str]] = {
    "stonewalling": [
        r"\bsilent treatment\b",
        r"\b(?:stopped|stops|won'?t|wouldn'?t|refus\w+ to) (?:talk|speak)(?:ing)? to me\b",
        r"\bwalk(?:s|ed)? out (?:mid|in the middle|whenever|every time|when)\b",
        r"\bshut(?:s)? down (?:completely|whenever|every time|when)\b",
        r"\bstonewall\w*\b",
        r"\b(?:ignored|ignores|ignoring) me for (?:days|hours|a week)\b",
        r"\bcold shoulder\b(?!.*\b(?:printer|joke|game)\b)",
    ],
    "criticism": [
        r"\bwhat(?:'s| is) wrong with (?:you|him|her)\b",
        r"\byou(?:'re| are) (?:so |such an? )?(?:lazy|selfish|useless|hopeless|pathetic)\b",
        r"\b(?:he|she|they) (?:said|says|told me) i(?:'m| am) (?:so |such an? )?(?:lazy|selfish|useless|hopeless)\b",
    ],
    "contempt": [
        r"\brol(?:led|ls|ling) (?:his|her|their|my) eyes\b",
        r"\bsneer\w*\b",
        r"\bmock(?:ed|s|ing)? (?:me|him|her|my)\b",
        r"\b(?:called|calls) me (?:an? )?(?:idiot|stupid|pathetic|loser|fat|ugly|useless|crazy)\b",
    ],
    "escalation": [
        r"\bscreaming match\b",
        r"\b(?:shout|yell|scream)(?:ed|ing|s)? at (?:each other|me|him|her)\b",
        r"\bblew up (?:over|about|again)\b",
        r"\b(?:every|each) (?:small |little )?(?:disagreement|argument) (?:turns|becomes|blows)\b",
    ],
    "gaslighting": [
        r"\b(?:said|says|insist\w*|told me) (?:that )?(?:i(?:'m| am) (?:crazy|imagining|making it up|too sensitive|"
        r"remembering it wrong)|it never happened)\b",
        r"\bgaslight\w*\b",
        r"\b(?:doubt|question) my (?:own )?(?:memory|sanity|mind)\b",
    ],
    "trust_breach": [
        r"\b(?:cheat(?:ed|ing)?|affair|secret (?:account|messages|texting|phone)|lied to me|micro-?cheat\w*)\b"
    ],
    "isolation": [
        r"\b(?:don'?t|do not|rarely|never) see (?:my )?(?:friends|family) (?:any ?more|now)\b",
        r"\bcut (?:me )?off from\b",
        r"\b(?:lost touch with|stopped seeing) (?:all )?(?:my )?(?:friends|family)\b",
    ],
    "controlling": [
        r"\b(?:went|goes|go) through my (?:phone|messages|texts)\b",
        r"\b(?:tracks?|tracking|checks?) my (?:location|phone|messages)\b",
        r"\b(?:won'?t|doesn'?t) let me (?:see|go|wear|have|spend)\b",
    ],
    "abandonment_fear": [
        r"\b(?:afraid|scared|terrified) (?:that )?(?:he|she|they)(?:'ll| will| is going to| are going to) leave\b",
        r"\bneed(?:ed)? (?:constant )?reassurance\b",
    ],
    "repair": [r"\b(?:apologi[sz]ed|said sorry|made up|we hugged it out|forgave)\b"],
    "appreciation": [
        r"\b(?:thanked|grateful (?:for|to) (?:him|her|them|my)|appreciate(?:d)? (?:how|that|the way) (?:he|she|they))\b"
    ],
    "quality_time": [r"\b(?:date night|phones? away|long walk together|cooked (?:dinner )?together)\b"],
}
CUES = {label: [re.compile(p, re.IGNORECASE) for p in pats] for label, pats in _CUE_PATTERNS.items()}


def cue_hits(sentence: str) -> set[str]:
    found: set[str] = set()
    sentence = normalise(sentence)
    for label, patterns in CUES.items():
        for rx in patterns:
            if any(not negated(sentence[: m.start()], wide=True) for m in rx.finditer(sentence)):
                found.add(label)
                break
    return found


def denied_hits(sentence: str) -> set[str]:
    """Labels whose cue phrase appears in the sentence only as a plain denial ("he doesn't give me
    the silent treatment"): the sentence is about the pattern not happening, so it can never be
    evidence for it, however the learned head scores its words."""
    found: set[str] = set()
    sentence = normalise(sentence)
    for label, patterns in CUES.items():
        matches = [m for rx in patterns for m in rx.finditer(sentence)]
        if matches and all(negated(sentence[: m.start()], wide=True) for m in matches):
            found.add(label)
    return found
