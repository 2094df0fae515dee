"""The one decision: crisis, abuse or none, for a text and for a whole conversation.

The decision is the union of two parts: the rule phrases (rules.py, a short list of unmistakable
wordings) and, when an embedder is available, the learned detector (detector.py), which scores the
whole text and each of its sentences. Either part alone routes a text to safety; crisis outranks
abuse. `screen(text)` is the rules alone, for callers without an embedder; the coach and the
journal use `Detector.screen`, which adds the learned half.

A conversation is screened turn by turn and as a whole (what was said earlier counts): once a
disclosure is made, the conversation stays in safety mode until the person moves on explicitly
("I'm safe now, can we talk about something else?") in a turn that is itself clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assistant.config import PROJECT_ROOT
from assistant.safety.rules import RuleHit, RuleSet, load_rules
from assistant.safety.signs import SignMap, load_signs
from assistant.safety.text import sentences

if TYPE_CHECKING:
    from assistant.safety.detector import Detector

Level = Literal["none", "abuse", "crisis"]
DEFAULT_KNOWLEDGE = PROJECT_ROOT / "knowledge"


@dataclass(frozen=True)
class Cue:
    """One piece of evidence: a rule phrase, or a sentence (or the whole text) the detector scored."""

    category: str  # the sign's group: crisis, violence, threat, weapon, children, sexual, control, ...
    text: str
    sentence: int  # index into sentences(text); -1 for the whole text
    start: int
    end: int
    sign: str = ""
    source: Literal["rule", "detector"] = "rule"
    score: float = 1.0


@dataclass
class SafetyResult:
    level: Level
    cues: list[Cue] = field(default_factory=list)
    # Kept for callers of the earlier screen; the rules no longer have weak cues.
    weak: list[Cue] = field(default_factory=list)

    @property
    def crisis(self) -> bool:
        return any(c.category == "crisis" for c in self.cues)

    @property
    def abuse(self) -> bool:
        return any(c.category != "crisis" for c in self.cues)

    def categories(self) -> set[str]:
        return {c.category for c in self.cues}

    def signs(self) -> list[str]:
        """Sign ids found, strongest evidence first (rules, then detector by score), no repeats."""
        ordered = sorted(self.cues, key=lambda c: (c.source != "rule", -c.score))
        return list(dict.fromkeys(c.sign for c in ordered if c.sign))


@lru_cache(maxsize=4)
def _signs(knowledge_dir: Path) -> SignMap:
    return load_signs(knowledge_dir)


def level_of(cues: list[Cue]) -> Level:
    if any(c.category == "crisis" for c in cues):
        return "crisis"
    return "abuse" if cues else "none"


def rule_cues(sents: list[str], hits: list[RuleHit], signs: SignMap) -> list[Cue]:
    return [
        Cue(signs[h.sign].group, sents[h.sentence][h.start : h.end], h.sentence, h.start, h.end, h.sign) for h in hits
    ]


def screen(text: str, knowledge_dir: Path = DEFAULT_KNOWLEDGE) -> SafetyResult:
    """The rule phrases alone: deterministic, no model. Crisis outranks abuse."""
    rules, signs = load_rules(knowledge_dir), _signs(knowledge_dir)
    sents = sentences(text) or [text]
    cues = rule_cues(sents, rules.match(sents), signs)
    return SafetyResult(level_of(cues), cues)


_RANK = {"none": 0, "abuse": 1, "crisis": 2}


@dataclass
class ConversationVerdict:
    level: Level  # how to answer the latest turn
    turn: int | None  # the turn whose disclosure set the level (None: no safety mode)
    result: SafetyResult  # that disclosure's evidence
    turns: list[SafetyResult]  # every turn on its own

    @property
    def carried(self) -> bool:
        """Safety mode comes from an earlier turn, not from the latest one."""
        return self.turn is not None and self.turn < len(self.turns) - 1


def screen_conversation(
    turns: list[str], detector: Detector | None = None, knowledge_dir: Path = DEFAULT_KNOWLEDGE
) -> ConversationVerdict:
    """Screen every turn and what was said together since the last explicit move-on."""
    rules: RuleSet = detector.rules if detector is not None else load_rules(knowledge_dir)

    def many(texts: list[str]) -> list[SafetyResult]:
        return detector.screen_many(texts) if detector is not None else [screen(t, knowledge_dir) for t in texts]

    results = many(turns)
    active: tuple[int, SafetyResult] | None = None
    start = 0  # the first turn since the person last moved on
    for i, (turn, r) in enumerate(zip(turns, results, strict=True)):
        if r.level != "none":
            if active is None or _RANK[r.level] >= _RANK[active[1].level]:
                active = (i, r)
        elif rules.moves_on(turn):
            active, start = None, i
    if active is None and len(turns) - start > 1:
        # Signals spread over several turns ("I gave my guitar away." ... "I wrote to my kids.")
        joined = many(["\n".join(turns[start:])])[0]
        if joined.level != "none":
            active = (len(turns) - 1, joined)
    if active is None:
        return ConversationVerdict("none", None, SafetyResult("none"), results)
    return ConversationVerdict(active[1].level, active[0], active[1], results)
