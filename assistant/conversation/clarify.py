"""When to ask before answering, and what to ask.

Retrieval is torn when its best two articles share no topic (they call for different advice) and
score close to each other; a message is too vague when it names almost nothing ("we have
problems"). Then the coach asks one short question with two or three choices, made from the
articles' labels (knowledge/clarify.yaml), and answers after the choice. It never asks twice in a
row, never on a follow-up that leans on a thread, and never on a long post (a long post says
enough; the focus finder reads it instead).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.conversation.state import Choice
from assistant.kb.corpus import Corpus
from assistant.kb.index import Hit

# Torn: the second-best article scores at least this share of the best, shares no topic with it,
# and their title+summary vectors are this far apart (fused scores are compressed, so on the
# team's dev set a looser ratio asked about clear questions: "we live in different countries").
TORN_RATIO = 0.97
TORN_COSINE = 0.30
TORN_WORDS = 12
VAGUE_WORDS = 0  # no topic-carrying word at all...
VAGUE_LENGTH = 7  # ...in a message of at most this many words
MAX_WORDS = 25  # a message this long has said enough to answer


def load_labels(knowledge_dir: Path, corpus: Corpus) -> dict[str, str]:
    data = yaml.safe_load((knowledge_dir / "clarify.yaml").read_text(encoding="utf-8"))
    labels = {str(k): str(v) for k, v in (data.get("labels") or {}).items()}
    for a in corpus.articles:
        # An unlabelled article (a new one) is named by its title's first part.
        labels.setdefault(a.id, a.title.split(":")[0].strip().rstrip(".").lower())
    return labels


@dataclass(frozen=True)
class Clarifier:
    labels: dict[str, str]
    lead: str
    similarity: Callable[[str, str], float]  # of two articles, by their title and summary

    def choices(self, message: str, content_words: int, hits: list[Hit], asked_before: bool) -> list[Choice]:
        """The choices to offer, or none when the coach should just answer."""
        if asked_before or len(message.split()) > MAX_WORDS or len(hits) < 2:
            return []
        coaching = [h for h in hits if not {"safety", "crisis"} & set(h.topics)]
        if len(coaching) < 2:
            return []
        a, b = coaching[0], coaching[1]
        vague = content_words <= VAGUE_WORDS and len(message.split()) <= VAGUE_LENGTH
        torn = (
            len(message.split()) <= TORN_WORDS
            and not set(a.topics) & set(b.topics)
            and b.score >= TORN_RATIO * a.score
            and self.similarity(a.article_id, b.article_id) < TORN_COSINE
        )
        if not (vague or torn):
            return []
        picked = [a, b]
        for h in coaching[2:]:
            if len(picked) == 3:
                break
            if not any(set(h.topics) & set(p.topics) for p in picked) and h.score >= TORN_RATIO * b.score:
                picked.append(h)
        return [Choice(i, self.labels.get(h.article_id, h.title), h.article_id) for i, h in enumerate(picked, 1)]

    def question(self, choices: list[Choice]) -> str:
        names = [c.label for c in choices]
        listed = ", or about ".join(names) if len(names) == 2 else f"{names[0]}, about {names[1]}, or about {names[2]}"
        lines = [f"{self.lead} is this mostly about {listed}?", ""]
        lines += [f"{c.n}. {c.label}" for c in choices]
        return "\n".join(lines)
