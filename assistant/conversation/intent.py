"""What kind of message this is, inside its conversation.

Order matters and mirrors what a person means: an open clarifying question is answered first
("2", "the second", or the choice's words); then small talk ("thanks, that helps"); then the
follow-ups that refer to the last answer ("tell me more about step 2", "repeat the steps",
"that didn't work"); then off-topic. Everything else is a question, fresh or leaning on the
thread (thread.py decides how much). The patterns are data (knowledge/conversation.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.conversation.state import Choice, Conversation
from assistant.kb.lexical import tokens

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3}
_PICK = re.compile(
    r"^\W*(?:(?:option|choice|number|no\.?|#)\s*)?(?P<n>[1-9])\W*$|"
    r"^\W*(?:the\s+)?(?P<ord>first|second|third|1st|2nd|3rd)(?:\s+(?:one|option|choice))?\b",
    re.I,
)


@dataclass(frozen=True)
class Intent:
    kind: str  # question | choice | smalltalk | detail | repeat | more | offtopic
    sub: str = ""  # smalltalk: thanks / hello / bye; question: "new" when the person changes topic
    n: int = 0  # detail: the step number (0 = "the last one")
    choice: Choice | None = None


@dataclass(frozen=True)
class Patterns:
    smalltalk: dict[str, re.Pattern[str]]
    replies: dict[str, str]
    more: re.Pattern[str]
    detail: re.Pattern[str]
    repeat: re.Pattern[str]
    new_topic: re.Pattern[str]
    relationship: re.Pattern[str]
    anaphora: re.Pattern[str]
    vague: frozenset[str]

    @classmethod
    def load(cls, knowledge_dir: Path) -> Patterns:
        data = yaml.safe_load((knowledge_dir / "conversation.yaml").read_text(encoding="utf-8"))

        def rx(p: str) -> re.Pattern[str]:
            return re.compile(p, re.I)

        return cls(
            {k: rx(v) for k, v in data["smalltalk"].items()},
            {k: str(v) for k, v in data["replies"].items()},
            rx(data["more"]),
            rx(data["detail"]),
            rx(data["repeat"]),
            rx(data["new_topic"]),
            rx(data["relationship_words"]),
            rx(data["anaphora"]),
            frozenset(t for w in data["vague_words"] for t in tokens(str(w))),
        )

    def content_words(self, text: str) -> list[str]:
        """Words that carry a topic of their own (not stopwords, not vague filler)."""
        return [t for t in tokens(text) if t not in self.vague]


def _straight(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'").strip()


def match_choice(message: str, choices: list[Choice]) -> Choice | None:
    """The choice a reply picks: its number, its ordinal, or most of its words."""
    if not choices:
        return None
    if m := _PICK.match(message):
        n = int(m.group("n")) if m.group("n") else _ORDINALS[m.group("ord").lower()]
        return next((c for c in choices if c.n == n), None)
    said = set(tokens(message))
    best, best_share = None, 0.0
    for c in choices:
        label = set(tokens(c.label))
        share = len(label & said) / len(label) if label else 0.0
        if share > best_share:
            best, best_share = c, share
    return best if best_share >= 0.5 else None


class IntentReader:
    def __init__(self, patterns: Patterns, vocabulary: set[str]) -> None:
        self.p = patterns
        # Words the knowledge base uses: a message sharing none of them is not about what we know.
        self.vocabulary = vocabulary

    def read(self, message: str, conv: Conversation) -> Intent:
        text = _straight(message)
        if (choice := match_choice(text, conv.pending)) is not None:
            return Intent("choice", choice=choice)
        for sub, rx in self.p.smalltalk.items():
            if rx.search(text):
                return Intent("smalltalk", sub)
        last = conv.last()
        if last is not None and last.steps:
            if m := self.p.detail.search(text):
                n = m.group("n") or m.group("n2")
                ordinal = (m.group("ord") or "").lower()
                number = int(n) if n else (len(last.steps) if ordinal == "last" else _ORDINALS.get(ordinal, 0))
                return Intent("detail", n=number)
            if self.p.repeat.search(text):
                return Intent("repeat")
        if conv.thread and self.p.more.search(text):
            return Intent("more")
        if self.offtopic(text, bool(conv.thread)):
            return Intent("offtopic")
        return Intent("question", "new" if self.p.new_topic.search(text) else "")

    def offtopic(self, text: str, has_thread: bool) -> bool:
        if self.p.relationship.search(text):
            return False
        words = self.p.content_words(text)
        if has_thread and (self.p.anaphora.search(text) or not words):
            return False  # "what about weekends?" leans on what came before
        known = [w for w in words if w in self.vocabulary]
        return len(known) < max(1, len(words) // 2)
