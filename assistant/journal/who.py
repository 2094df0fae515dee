"""Who does what: is a pattern in an entry the partner's, the writer's own, both, or unclear?

Read from the evidence sentences with a few grammar cues, no model:
- the subject of the sentence (its first clause with a subject): "I" is the writer, "we" / "each
  other" / "both of us" is both, "he" / "she" / "they" / "my husband" / a person's name is the
  other person (reported as "partner": the person the entry is about, who may also be a friend
  or a relative);
- "I was called ..." / "I got the silent treatment": the writer is on the receiving end, so the
  pattern is the other person's;
- names count when they were seen mid-sentence, capitalised, in this profile's earlier entries
  or in this entry (so "Sam walked out" resolves once Sam has appeared);
- labels that describe the writer's own state (burnout, a fear of being left, guilt about a
  boundary, codependency, self-harm) default to the writer when no subject settles it.
When the evidence sentences disagree (one says "he", another "I"), the answer is "both".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

WHO = ("partner", "writer", "both", "unclear")
# Patterns that are about the writer's inner state unless a sentence says otherwise.
WRITER_DEFAULT = {"burnout", "abandonment_fear", "boundary_guilt", "codependency", "self_harm_risk"}

_PEOPLE = (
    r"husband|wife|partner|boyfriend|girlfriend|fianc[eé]e?|spouse|ex|mum|mom|mother|dad|father|sister|"
    r"brother|son|daughter|friend|best friend|flatmate|roommate|boss|manager|colleague|coworker|mother-in-law|"
    r"father-in-law|in-laws|parents|family|gran|grandma|grandad|aunt|uncle|cousin|neighbour|neighbor"
)
_BOTH = re.compile(r"^\s*(?:we|us|both of us|the two of us|each of us)\b|\beach other\b|\bone another\b", re.I)
_WRITER = re.compile(r"^\s*(?:i|i'm|im|i've|i'd|i'll|me and|myself)\b", re.I)
_OTHER = re.compile(
    rf"^\s*(?:he|she|they|he's|she's|they're|his|her|their|my (?:{_PEOPLE})|(?:the|our) (?:{_PEOPLE}))\b", re.I
)
# The writer as the one something is done to: the pattern belongs to the other person.
_RECEIVING = re.compile(
    r"^\s*i(?:'m| am| was| got| get| keep getting| have been|'ve been| feel)\s+(?:\w+\s+)?"
    r"(?:called|ignored|blamed|mocked|criticised|criticized|yelled at|shouted at|screamed at|given|told|"
    r"accused|belittled|dismissed|shut out|frozen out|tracked|checked on|followed|lied to|cheated on|"
    r"made to feel|treated)\b",
    re.I,
)
_CLAUSE = re.compile(r"[,;:()\"—–]|\b(?:but|and|so|because|then|while|when|after|until)\b", re.I)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,})\b")
_NOT_NAMES = {
    "The", "This", "That", "Then", "When", "What", "Why", "How", "And", "But", "Today", "Tonight", "Monday",
    "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October", "November", "December", "Christmas",
    "Easter", "God", "Mum", "Mom", "Dad", "Gran", "Grandma", "Grandad", "English", "Netflix", "Instagram",
    "Facebook", "Whatsapp", "WhatsApp", "Google", "Just", "Okay", "Also", "Still", "Maybe", "Not",
}  # fmt: skip


def names_in(texts: Iterable[str]) -> set[str]:
    """Capitalised words used mid-sentence (so not merely a sentence's first word): people's names,
    mostly. A word seen only at the start of sentences is not taken as a name."""
    seen: Counter[str] = Counter()
    for text in texts:
        for m in _NAME.finditer(text):
            word = m.group(1)
            if word not in _NOT_NAMES:
                seen[word] += 1
    return set(seen)


def _subject(sentence: str, names: set[str]) -> str:
    for clause in _CLAUSE.split(sentence):
        clause = clause.strip()
        if not clause:
            continue
        if _RECEIVING.search(clause):
            return "partner"
        if _BOTH.search(clause):
            return "both"
        if _WRITER.search(clause):
            return "writer"
        if _OTHER.search(clause):
            return "partner"
        first = re.match(r"\s*([A-Z][a-z]{2,})\b", clause)
        if first and first.group(1) in names:
            return "partner"
    if re.search(r"\beach other\b|\bone another\b", sentence, re.I):
        return "both"
    return "unclear"


def resolve(label: str, evidence: list[str], names: set[str] | None = None) -> str:
    """partner | writer | both | unclear for one finding, from its evidence sentences."""
    names = names or set()
    found = {_subject(s, names) for s in evidence} - {"unclear"}
    if "both" in found or {"writer", "partner"} <= found:
        return "both"
    if found:
        return found.pop()
    return "writer" if label in WRITER_DEFAULT else "unclear"
