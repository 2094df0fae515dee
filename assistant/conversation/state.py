"""The state of one coaching conversation: its turns and what each one retrieved and gave.

A conversation lives in memory, owned by whoever holds it (a browser session's state, the
`hearth chat` process, or one `ask --jsonl` line rebuilt from its "history"); nothing here is
written to disk. What the coach needs from the past is small: the words the person used (for the
safety screen and the thread), the articles and steps already given (so no step is repeated), the
curated sentences already said, and the choices of a clarifying question still open.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.kb.corpus import Corpus

# Kinds of turn (Answer.kind): what the coach did with the message.
ANSWERED = ("answer", "more", "detail", "repeat")
_STEP_LINE = re.compile(r"^\s*(\d+)\.\s+(.+?)\s*\[(\d+)\]\s*$")
_SOURCE_LINE = re.compile(r"^\s*\[(\d+)\]\s+.+\(([a-z0-9-]+)\)\s*$")
_CHOICE_LINE = re.compile(r"^\s*(\d+)\.\s+(.+?)\s*$")


@dataclass(frozen=True)
class Choice:
    """One answer to a clarifying question; picking it answers on that article."""

    n: int
    label: str
    article_id: str

    def as_json(self) -> dict:
        return {"n": self.n, "label": self.label, "article_id": self.article_id}


@dataclass
class Turn:
    user: str
    kind: str = "answer"
    safety: str = "none"
    answer: str = ""
    retrieved: list[str] = field(default_factory=list)  # article ids, best first
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, article id), as numbered
    cited: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    closing: str = ""  # the "ask each other" question given
    topic: str = ""  # the text this turn was retrieved on (the thread the next follow-up leans on)
    reflection: str = ""
    canned: bool = False


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)

    def add(self, turn: Turn) -> None:
        self.turns.append(turn)

    def clear(self) -> None:
        self.turns.clear()

    def user_texts(self) -> list[str]:
        return [t.user for t in self.turns]

    @property
    def given_steps(self) -> set[str]:
        return {s for t in self.turns for s, _ in t.steps}

    @property
    def given_articles(self) -> set[str]:
        return {a for t in self.turns for _, a in t.steps}

    @property
    def given_questions(self) -> set[str]:
        return {t.closing for t in self.turns if t.closing}

    @property
    def canned_used(self) -> set[str]:
        return {t.reflection for t in self.turns if t.canned}

    @property
    def said(self) -> set[str]:
        """Reflections already used (the coach varies them)."""
        return {t.reflection for t in self.turns if t.reflection}

    def last(self, kinds: tuple[str, ...] = ANSWERED) -> Turn | None:
        for t in reversed(self.turns):
            if t.kind in kinds:
                return t
        return None

    @property
    def pending(self) -> list[Choice]:
        """The choices of a clarifying question asked in the latest turn (else none)."""
        return list(self.turns[-1].choices) if self.turns and self.turns[-1].kind == "clarify" else []

    @property
    def thread(self) -> str:
        """What the latest answered turn was about: the topic an elliptical follow-up continues."""
        for t in reversed(self.turns):
            if t.kind in ANSWERED or t.kind in ("clarify", "care"):
                return t.topic
            if t.kind == "safety":
                return ""
        return ""

    # -- rebuilding a conversation from chat messages (`ask --jsonl` with "history") -------------

    @classmethod
    def from_messages(
        cls,
        messages: list[dict[str, Any]],
        corpus: Corpus,
        labels: dict[str, str],
        topic_of: Callable[[str, str], str] = lambda thread, message: message,
    ) -> Conversation:
        """Rebuild the state from [{"role": "user"|"assistant", "content": ...}, ...].

        An assistant message is read for the steps it gave ("1. step [n]" lines that are "Try
        this" bullets of the base), its sources ("[n] Title (article-id)") and the choices of a
        clarifying question; a user message without a reply after it still counts for safety.
        `topic_of(thread, message)` is the coach's rule for what a follow-up is retrieved on."""
        conv = cls()
        steps_by_text = {s: a.id for a in corpus.articles for s in a.steps}
        article_by_label = {v.lower(): k for k, v in labels.items()}
        pending_user: str | None = None
        for m in messages:
            role, content = m.get("role"), str(m.get("content", ""))
            if role == "user":
                if pending_user is not None:
                    conv.add(Turn(pending_user, kind="unanswered", topic=pending_user))
                pending_user = content
            elif role == "assistant":
                turn = _read_reply(pending_user or "", content, steps_by_text, article_by_label)
                if turn.kind in ANSWERED or turn.kind == "clarify":
                    turn.topic = topic_of(conv.thread, turn.user)
                conv.add(turn)
                pending_user = None
        if pending_user is not None:
            conv.add(Turn(pending_user, kind="unanswered", topic=pending_user))
        return conv


def _read_reply(user: str, content: str, steps_by_text: dict[str, str], article_by_label: dict[str, str]) -> Turn:
    lines = content.splitlines()
    sources = {int(m.group(1)): m.group(2) for ln in lines if (m := _SOURCE_LINE.match(ln))}
    steps = []
    for ln in lines:
        if (m := _STEP_LINE.match(ln)) and m.group(2) in steps_by_text:
            steps.append((m.group(2), steps_by_text[m.group(2)]))
    choices = []
    if not steps:
        for ln in lines:
            if (m := _CHOICE_LINE.match(ln)) and m.group(2).lower() in article_by_label:
                choices.append(Choice(int(m.group(1)), m.group(2), article_by_label[m.group(2).lower()]))
    kind = "answer" if steps else ("clarify" if choices else "other")
    retrieved = list(dict.fromkeys([a for _, a in steps] + list(sources.values())))
    return Turn(user, kind=kind, answer=content, retrieved=retrieved, steps=steps, cited=list(sources.values()),
                choices=choices, topic=user)  # fmt: skip
