"""The core question and the situation of a long post.

A 300-word post embeds badly as one text (the embedder reads about the first 200 words, and the
one question is often buried in the middle), so its sentences are scored one by one: how close
each is to anything the knowledge base covers (the articles' titles and summaries), a bonus for
a question (a question mark, or a question's first word), and a small one for the first and the
last sentence, where people tend to say what it is about and what they want. The core is the
best question (or the best sentence when there is none); the situation is the two best other
sentences. Retrieval reads those, with a share of the whole post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.embed import Embedder
from assistant.safety.text import sentences

LONG_WORDS = 90  # from here on a message is read as a long post
_QUESTION_START = re.compile(
    r"^(?:so |and |but |now |anyway,? |honestly,? )?(?:how|what|why|should|shall|is|am|are|do|does|did|can|could|"
    r"would|will|when|where|which|who|any (?:advice|tips|ideas)|advice)\b",
    re.I,
)
QUESTION_BONUS = 0.12
FIRST_BONUS, LAST_BONUS = 0.03, 0.06


@dataclass(frozen=True)
class Focus:
    core: str
    situation: list[str]
    vec: np.ndarray

    @property
    def query(self) -> str:
        return " ".join([*self.situation, self.core])


def is_long(text: str) -> bool:
    return len(text.split()) >= LONG_WORDS


def is_question(sentence: str) -> bool:
    return "?" in sentence or bool(_QUESTION_START.match(sentence.strip()))


def find_focus(text: str, embedder: Embedder, profiles: np.ndarray, whole: np.ndarray) -> Focus | None:
    """`profiles`: one row per article (title and summary); `whole`: the post's own vector."""
    sents = [s for s in sentences(text) if len(s.split()) >= 3]
    if len(sents) < 3:
        return None
    vecs = embedder.embed(sents)
    topic = (vecs @ profiles.T).max(axis=1)
    score = topic.copy()
    questions = np.array([is_question(s) for s in sents])
    score += QUESTION_BONUS * questions
    score[0] += FIRST_BONUS
    score[-1] += LAST_BONUS
    pool = np.flatnonzero(questions) if questions.any() else np.arange(len(sents))
    core = int(pool[np.argmax(score[pool])])
    rest = [i for i in np.argsort(-topic) if i != core][:2]
    situation = [sents[i] for i in sorted(rest)]
    v = 0.45 * vecs[core] + 0.35 * vecs[rest].mean(axis=0) + 0.2 * whole
    return Focus(sents[core], situation, v / (float(np.linalg.norm(v)) or 1.0))
