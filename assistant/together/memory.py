"""A memory the person can see: facts they chose to keep, sealed under their own profile key.

Hearth may *suggest* a fact it noticed in something the person wrote ("Remember that your
partner's name is Sam?"); `suggest` only returns suggestions, and a fact is stored only by an
explicit `add` (the UI's and the CLI's "yes"). `personalise` is what the coach's answers go
through in the service layer: the partner's name instead of "your partner", and a context line
for long distance or new parents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.errors import UsageError

KINDS: dict[str, str] = {
    "my_name": "Your name",
    "partner_name": "Your partner's name",
    "my_pronouns": "Your pronouns",
    "partner_pronouns": "Your partner's pronouns",
    "together_since": "Together since",
    "children": "Children",
    "long_distance": "Long distance",
    "working_on": "What you are working on",
    "note": "Something else to remember",
}
MAX_FACT_CHARS = 300
NAME_RE = r"([A-Z][a-zA-Z'\-]{1,30})"


@dataclass(frozen=True)
class Fact:
    id: str
    kind: str
    value: str
    updated: str = ""

    @property
    def label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "value": self.value, "updated": self.updated}


@dataclass(frozen=True)
class Suggestion:
    kind: str
    value: str

    @property
    def prompt(self) -> str:
        if self.kind == "partner_name":
            return f"Remember that your partner's name is {self.value}?"
        if self.kind == "long_distance":
            return "Remember that the two of you live apart (long distance)?"
        if self.kind == "children":
            return f"Remember that you have {self.value}?"
        if self.kind == "together_since":
            return f"Remember that you have been together {self.value}?"
        return f"Remember: {KINDS.get(self.kind, self.kind)}: {self.value}?"


def check_fact(kind: str, value: str) -> tuple[str, str]:
    if kind not in KINDS:
        raise UsageError(f"unknown kind of memory '{kind}'; choose one of: {', '.join(KINDS)}")
    value = (value or "").strip()
    if not value:
        raise UsageError("the memory is empty; nothing was saved")
    if len(value) > MAX_FACT_CHARS:
        raise UsageError(f"a memory holds up to {MAX_FACT_CHARS} characters")
    return kind, value


_PARTNER_WORDS = r"(?:partner|wife|husband|girlfriend|boyfriend|fianc[eé]e?|spouse)"
_SUGGESTERS: list[tuple[str, re.Pattern[str]]] = [
    ("partner_name", re.compile(rf"(?i:\bmy {_PARTNER_WORDS}(?:'s name is| is called|,))\s+{NAME_RE}\b")),
    ("partner_name", re.compile(rf"(?i:\bmy {_PARTNER_WORDS})\s+{NAME_RE}\b")),
    (
        "together_since",
        re.compile(r"\b(?:we(?:'ve| have) been together|together) (for (?:\w+ ){0,2}(?:years?|months?))\b", re.I),
    ),
    ("long_distance", re.compile(r"\b(long[- ]distance|live in different (?:cities|countries))\b", re.I)),
    (
        "children",
        re.compile(
            r"\b(?:we have|we've got|our) ((?:a |an |two |three |four )?"
            r"(?:new ?born|baby|babies|toddler|kids?|children|son|daughter)s?)\b",
            re.I,
        ),
    ),
]
# Capitalised words that follow "my partner" without being names.
_NOT_NAMES = {
    "And",
    "But",
    "Is",
    "Was",
    "Has",
    "Had",
    "Said",
    "Says",
    "The",
    "I",
    "We",
    "He",
    "She",
    "They",
    "Never",
    "Always",
}


def suggest(text: str, known: list[Fact]) -> list[Suggestion]:
    """Facts this text seems to state that the memory does not hold yet. Never saves anything."""
    have = {(f.kind, f.value.lower()) for f in known}
    kinds_have = {f.kind for f in known}
    out: list[Suggestion] = []
    for kind, pattern in _SUGGESTERS:
        m = pattern.search(text or "")
        if not m:
            continue
        value = m.group(1).strip()
        if kind == "partner_name" and value in _NOT_NAMES:
            continue
        if kind == "long_distance":
            value = "yes"
        s = Suggestion(kind, value)
        if (kind, value.lower()) in have or (kind in {"partner_name", "long_distance"} and kind in kinds_have):
            continue
        if all(o.kind != kind for o in out):
            out.append(s)
    return out


def _first(facts: list[Fact], kind: str) -> str | None:
    for f in facts:
        if f.kind == kind:
            return f.value
    return None


def personalise(text: str, facts: list[Fact]) -> str:
    """The partner's name for "your partner" in an answer Hearth wrote (never in the person's own text)."""
    name = _first(facts, "partner_name")
    if not name:
        return text
    text = re.sub(r"\b([Yy])our partner's\b", f"{name}'s", text)
    return re.sub(r"\b[Yy]our partner\b", name, text)


def context_lines(facts: list[Fact]) -> list[str]:
    """Short notes for the coach's answer, from what the person chose to keep."""
    lines = []
    if _first(facts, "long_distance"):
        lines.append("You live apart: rituals that work over distance may fit better (see 'Long-distance rituals').")
    children = _first(facts, "children")
    if children and re.search(r"baby|babies|newborn|new born|toddler", children, re.I):
        lines.append("With a little one at home, short daily moments usually fit better than long evenings.")
    working = _first(facts, "working_on")
    if working:
        lines.append(f"You said you are working on: {working}.")
    return lines
