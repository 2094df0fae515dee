"""The opening reflection, built from what the message says, without a model.

It takes who the message is about ("my husband" -> "your husband"), what happened (the first
statement that names someone, turned to the second person) and the feeling words the person used
("shut out", "invisible"), and puts them in one sentence:
"It sounds like your partner goes silent whenever you argue, and you feel shut out."
A message that is only a question is mirrored as what the person wants ("How do I apologise
after I snapped?" -> "It sounds like you want to apologise after you snapped.").

The sentence is then checked like a model's reflection (about the person, no advice, close to
what they wrote), with one difference: words the person used themselves may be mirrored ("I
think I should leave" -> "you think you should leave"), but words that name or diagnose
(abuse, red flag, disorder) never come from the coach's mouth unasked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from assistant.embed import Embedder
from assistant.grounding import _ADVICE, REFLECTION_MAX_WORDS, REFLECTION_MIN
from assistant.safety.text import sentences

PREFIX = "It sounds like"
TAILS = ("and that is weighing on you", "and that has been hard", "and it is taking a lot out of you")
_NEVER = re.compile(r"\b(?:abus\w*|red flag|diagnos\w*|disorder|narcissis\w*|toxic|therap\w*|counsel\w*)\b", re.I)
_LEAD = re.compile(
    r"^(?:(?:so|ok(?:ay)?|well|hi|hello|hey|basically|honestly|anyway|um+|uh+|hmm+|lately|recently|"
    r"sometimes|also|and|but|ugh)\b[,.!]?\s+)+",
    re.I,
)
_TAIL_QUESTION = re.compile(r"[,;:-]\s*(?:and\s+)?(?:what|how|should|is|am|can|could|do|does|why|any)\b.*$", re.I)
_FEEL_CONTEXT = re.compile(
    r"\b(?:i\s+(?:feel|felt|am|'m|get|got|have been|'ve been|was|keep feeling)|i'm|im|makes me|made me|"
    r"leaves me|left me|feeling|so|really|very|totally|completely|kind of|kinda)\s+(?:\w+\s+){0,2}$",
    re.I,
)
_FEEL_CLAUSE = re.compile(
    r"^(?:i\s+(?:feel|felt|am|'m|get)|i'm|im)\s+(?:so\s+|really\s+|very\s+)?[\w\s-]{2,30}?\s+"
    r"(?P<conj>when|whenever|because|since|that|after)\s+(?P<rest>.+)$",
    re.I,
)
_HOW = re.compile(r"^(?:how|what)\s+(?:do|can|should|could|would)\s+(?P<who>i|we)\s+(?P<rest>.+?)\??$", re.I)
_SHOULD = re.compile(r"^should\s+(?P<who>i|we)\s+(?P<rest>.+?)\??$", re.I)
_NORMAL = re.compile(r"^is\s+it\s+(?P<rest>(?:normal|okay|ok|wrong|fair|bad|selfish)\b.+?)\??$", re.I)
_SWAPS = {
    "i": "you", "i'm": "you're", "im": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll",
    "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "we": "you", "we're": "you're",
    "we've": "you've", "we'd": "you'd", "we'll": "you'll", "us": "you", "our": "your", "ours": "yours",
    "ourselves": "yourselves", "am": "are",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z']+|[^A-Za-z']+")


def second_person(text: str) -> str:
    """'I told my husband we should talk' -> 'you told your husband you should talk'."""
    out: list[str] = []
    prev = ""
    for piece in _WORD.findall(text.replace("’", "'")):
        low = piece.lower()
        if low in _SWAPS:
            word = _SWAPS[low]
        elif low == "was" and prev in ("i", "we"):
            word = "were"
        else:
            word = piece
        out.append(word)
        if piece.strip():
            prev = low if re.match(r"[A-Za-z']+$", piece) else ""
    return "".join(out)


@dataclass(frozen=True)
class Lexicon:
    feelings: tuple[str, ...]  # longest first, so "shut out" wins over "out"
    people: tuple[str, ...]

    @classmethod
    def load(cls, knowledge_dir: Path) -> Lexicon:
        data = yaml.safe_load((knowledge_dir / "reflections.yaml").read_text(encoding="utf-8"))
        feelings = sorted({str(f).lower() for f in data.get("feelings", [])}, key=lambda f: (-len(f), f))
        people = sorted({str(p).lower() for p in data.get("people", [])}, key=lambda p: (-len(p), p))
        return cls(tuple(feelings), tuple(people))


def feeling_words(text: str, lexicon: Lexicon, limit: int = 2) -> list[str]:
    """Feeling words the person used about themselves ("I feel invisible", "makes me so angry")."""
    low = text.lower().replace("’", "'")
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for f in lexicon.feelings:
        for m in re.finditer(rf"\b{re.escape(f)}\b", low):
            if any(a <= m.start() < b for a, b in taken) or not _FEEL_CONTEXT.search(low[: m.start()]):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), f))
    return [f for _, f in sorted(found)][:limit]


_FEEL_TAIL = re.compile(r"\s*,?\s*(?:and|but|so)\s+(?:i\s+(?:feel|felt|am|'m|get|got)|i'm|im|it makes me)\b.*$", re.I)


def _clean(clause: str) -> str:
    clause = _LEAD.sub("", clause.strip()).strip()
    clause = _FEEL_TAIL.sub("", clause)  # the feeling is said once, at the end
    clause = _TAIL_QUESTION.sub("", clause).strip().rstrip(".!?,;:-").strip()
    words = clause.split()
    if len(words) > 22:  # keep the first clause of a long sentence
        cut = re.search(r"^(.{30,}?)(?:,|;| and | but | so | because )", clause)
        clause = cut.group(1) if cut else " ".join(words[:22])
    return clause.strip().rstrip(",;:")


def _mentions_someone(s: str, lexicon: Lexicon) -> bool:
    low = s.lower()
    return bool(re.search(r"\b(?:he|she|they|we|us|our)\b", low)) or any(
        re.search(rf"\bmy {re.escape(p)}\b", low) for p in lexicon.people
    )


def build(text: str, lexicon: Lexicon, *, focus: list[str] | None = None, avoid: set[str] | None = None) -> str | None:
    """One reflection sentence from the message's own words, or None when it says too little."""
    avoid = avoid or set()
    sents = focus or sentences(text) or [text]
    feelings = feeling_words(text, lexicon)
    statements = [s for s in sents if "?" not in s]
    situation = ""
    for s in sorted(statements, key=lambda s: not _mentions_someone(s, lexicon)):
        s = _clean(s)
        if m := _FEEL_CLAUSE.match(s):
            s = m.group("rest") if m.group("conj").lower() != "that" else m.group("rest")
        if len(s.split()) >= 3 and not re.match(r"^(?:i\s+)?(?:feel|felt)\b(?!\s+like)", s, re.I):
            situation = second_person(s)
            break
    if not situation:
        for s in sents:
            q = _LEAD.sub("", s.strip()).strip()
            if m := _HOW.match(q):
                situation = f"you want to {second_person(m.group('rest'))}"
            elif m := _SHOULD.match(q):
                situation = f"you are wondering whether to {second_person(m.group('rest'))}"
            elif m := _NORMAL.match(q):
                situation = f"you are wondering whether it is {second_person(m.group('rest'))}"
            if situation:
                situation = situation.rstrip("?.! ")
                break
    if situation:
        situation = situation[0].lower() + situation[1:] if not situation.startswith("I ") else situation
        if feelings:
            return f"{PREFIX} {situation}, and you feel {' and '.join(feelings)}."
        for tail in TAILS:
            candidate = f"{PREFIX} {situation}, {tail}."
            if candidate not in avoid and not situation.startswith("you want") and not situation.startswith("you are"):
                return candidate
        return f"{PREFIX} {situation}."
    if feelings:
        return f"{PREFIX} you feel {' and '.join(feelings)}, and that is a lot to carry."
    return None


def check(sentence: str, source: str, embedder: Embedder) -> bool:
    """About the person, no advice of the coach's own, no naming or diagnosing, close to their words."""
    if not sentence.startswith(PREFIX) or "?" in sentence or not re.search(r"\byou", sentence, re.I):
        return False
    if len(sentence.split()) > REFLECTION_MAX_WORDS or _NEVER.search(sentence):
        return False
    own = source.lower()
    for m in _ADVICE.finditer(sentence):
        if m.group(0).lower() not in own:  # mirrored words are the person's; anything else is advice
            return False
    vecs = embedder.embed([sentence, source])
    return float(np.dot(vecs[0], vecs[1])) >= REFLECTION_MIN
