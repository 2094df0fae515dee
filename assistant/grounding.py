"""Is each generated sentence supported by the passage it cites?

The measure combines two signals, because each fails alone:
- semantic: the best cosine similarity between the sentence and any sentence of the passage
  (catches paraphrase, misses negation and swapped facts);
- lexical: the share of the sentence's content words that occur in the passage
  (catches invented specifics, misses paraphrase).
A sentence is supported when `cos >= COS_STRONG`, or `cos >= COS_WEAK` and
`overlap >= OVERLAP_MIN`. The thresholds come from `scripts/calibrate_grounding.py`, which
scores every "Try this" step against its own article (must pass), its first clause as a light
paraphrase (should pass) and a step against an article sharing no topic (must fail). With
0.72 / 0.60 / 0.60: own steps 100% accepted, paraphrases 94%, off-topic pairs 1.9%; loosening
COS_WEAK to 0.50 buys 4 points of paraphrase at the price of 6.5% off-topic acceptance.

Sentences that cite nothing are allowed only as reflections of the user's own words: they
must carry no advice and stay close to what the user wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.embed import Embedder
from assistant.kb.lexical import tokens

COS_STRONG = 0.72
COS_WEAK = 0.60
OVERLAP_MIN = 0.60
REFLECTION_MIN = 0.40
REFLECTION_MAX_WORDS = 40

_CITE = re.compile(r"\[(\d+)\]")
_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\[])")
_ADVICE = re.compile(
    r"\b(?:should|must|need to|try|consider|make sure|it'?s important|seek|therapist|counsel\w*|"
    r"professional|diagnos\w*|disorder|you can|you could|recommend|suggest|always|never|"
    r"underlying issue|red flag|abus\w*|leave (?:him|her|them))\b",
    re.IGNORECASE,
)


# A reflection is about the user; the model talking about itself ("I'm here for you", "I'm not
# a therapist") is filler at best.
_SELF = re.compile(r"\b(?:I|I'm|I am|I've|me|my)\b")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT_SPLIT.split(text.strip()) if s.strip()]


def citations(sentence: str) -> list[int]:
    return [int(n) for n in _CITE.findall(sentence)]


def strip_citations(sentence: str) -> str:
    return _CITE.sub("", sentence).strip()


@dataclass(frozen=True)
class Support:
    cosine: float
    overlap: float
    supported: bool


def lexical_overlap(sentence: str, passage: str) -> float:
    sent = set(tokens(sentence))
    if not sent:
        return 0.0
    return len(sent & set(tokens(passage))) / len(sent)


def passage_sentences(passage: str) -> list[str]:
    """Sentences of a Markdown passage: lines first (bullets, headings), then sentences."""
    out: list[str] = []
    for line in passage.splitlines():
        line = line.strip().lstrip("-*#").strip()
        if line:
            out += split_sentences(line)
    return out or [passage]


class GroundingChecker:
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        # Passages are articles or sections of the fixed base: embed each once per process.
        self._cache: dict[str, np.ndarray] = {}

    def _passage_vecs(self, passage: str) -> np.ndarray:
        vecs = self._cache.get(passage)
        if vecs is None:
            if len(self._cache) > 512:
                self._cache.clear()
            vecs = self.embedder.embed(passage_sentences(passage))
            self._cache[passage] = vecs
        return vecs

    def support(self, sentence: str, passage: str) -> Support:
        claim = strip_citations(sentence)
        pvecs = self._passage_vecs(passage)
        cvec = self.embedder.embed([claim])[0]
        cos = float(np.max(pvecs @ cvec)) if len(pvecs) else 0.0
        overlap = lexical_overlap(claim, passage)
        ok = cos >= COS_STRONG or (cos >= COS_WEAK and overlap >= OVERLAP_MIN)
        return Support(cos, overlap, ok)

    def is_reflection(self, sentence: str, question: str) -> bool:
        """A sentence with no citation may only mirror the user's words, never advise."""
        if _ADVICE.search(sentence) or _SELF.search(sentence) or "?" in sentence:
            return False
        if len(sentence.split()) > REFLECTION_MAX_WORDS or not re.search(r"\byou", sentence, re.I):
            return False
        vecs = self.embedder.embed([sentence, question])
        return float(vecs[0] @ vecs[1]) >= REFLECTION_MIN


def citation_problems(answer: str, n_sources: int) -> list[str]:
    """Every [n] must point to a listed source and every listed source must be cited."""
    cited = {int(n) for n in _CITE.findall(answer)}
    problems = [f"[{n}] points to no listed source" for n in sorted(cited) if not 1 <= n <= n_sources]
    problems += [f"source [{n}] is never cited" for n in range(1, n_sources + 1) if n not in cited]
    return problems
