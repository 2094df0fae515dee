"""Generative grounded mode: a capable model writes the answer from the retrieved passages, and
every sentence is checked before anyone sees it.

The bundled 135M model cannot be trusted to write advice, so the coach quotes its sources
(extractive mode). A clinic that brings a 7B model on its own server can let the model write,
under the same rule the whole product follows: never ship a sentence the sources do not support.
As the stream arrives, each completed sentence is judged against the passages it cites:
- supported by a cited passage: kept, with only the markers that support it;
- citing a number that is not a source, or citing nothing: re-attributed to the one source that
  supports it, if any (a miscitation repaired), else treated as unsupported;
- unsupported: replaced by the cited (or best) source's own closest sentence with its marker, or
  dropped when no source sentence is close enough. A reflection of the person's own words with
  no advice may stand without a citation (the same check as the extractive reflection).
The counts go into the answer so evaluation can report grounded fraction and replacements."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from assistant.grounding import (
    COS_WEAK,
    GroundingChecker,
    citations,
    passage_sentences,
    split_sentences,
    strip_citations,
)
from assistant.llm.base import LLM, ChatMessage, GenOptions

PROMPT = (
    "You are a careful relationship coach. Answer the person's message using ONLY the numbered "
    "passages. After every sentence that gives information or a suggestion, put the number of the "
    "passage it comes from in square brackets, like [1]. Do not add facts that are not in the "
    "passages. Write 3 to 6 short sentences. Do not diagnose, and do not tell anyone to leave."
)

# A model's name from a server ("qwen2.5-7b-instruct", "Llama-3.1-8B") or a GGUF size label
# ("135M", "7B", "8x7B").
_SIZE = re.compile(r"(?:(\d+)x)?(\d+(?:\.\d+)?)\s*([bBmM])(?![a-zA-Z])")


def parameter_count(name: str = "", metadata: dict[str, str] | None = None) -> float | None:
    """Best guess of a model's parameters from GGUF metadata, else from its name; None if unknown."""
    meta = metadata or {}
    for key in ("general.parameter_count",):
        if str(meta.get(key, "")).isdigit():
            return float(meta[key])
    for text in (str(meta.get("general.size_label", "")), name):
        m = _SIZE.search(text or "")
        if m:
            experts = int(m.group(1) or 1)
            scale = 1e9 if m.group(3).lower() == "b" else 1e6
            return experts * float(m.group(2)) * scale
    return None


def choose_mode(setting: str, params: float | None, min_params: float) -> str:
    """`coach_mode`: extractive | generative | auto (generative only for a model known to be big enough)."""
    if setting in ("extractive", "generative"):
        return setting
    return "generative" if params is not None and params >= min_params else "extractive"


@dataclass(frozen=True)
class Source:
    n: int
    article_id: str
    title: str
    passage: str


@dataclass
class Tally:
    generated: int = 0
    kept: int = 0
    recited: int = 0  # kept after a miscitation was repaired
    replaced: int = 0
    dropped: int = 0
    cited: set[int] = field(default_factory=set)

    @property
    def grounded_before(self) -> float:
        """Share of the model's own sentences that were supported as written (or once re-cited)."""
        return (self.kept + self.recited) / self.generated if self.generated else 1.0

    def as_json(self) -> dict[str, float | int]:
        return {
            "generated": self.generated,
            "kept": self.kept,
            "recited": self.recited,
            "replaced": self.replaced,
            "dropped": self.dropped,
            "grounded_before_replacement": round(self.grounded_before, 3),
        }


def claim_of(sentence: str) -> str:
    """The sentence without its [n] markers, as it is judged (no space left before its full stop)."""
    return re.sub(r"\s+([.!?,;:])", r"\1", strip_citations(sentence))


def messages(question: str, sources: list[Source]) -> list[ChatMessage]:
    passages = "\n\n".join(f"[{s.n}] {s.title}\n{s.passage}" for s in sources)
    return [
        {"role": "system", "content": PROMPT},
        {"role": "user", "content": f"Passages:\n{passages}\n\nMessage: {question}"},
    ]


class GroundedWriter:
    def __init__(self, llm: LLM, checker: GroundingChecker, options: GenOptions | None = None) -> None:
        self.llm = llm
        self.checker = checker
        self.options = options or GenOptions(max_tokens=320)

    def stream(self, question: str, sources: list[Source], tally: Tally) -> Iterator[str]:
        """Checked sentences, each yielded as soon as the model has finished it."""
        buffer = ""
        for piece in self.llm.stream(messages(question, sources), self.options):
            buffer += piece
            parts = split_sentences(buffer)
            while len(parts) > 1:
                done = parts.pop(0)
                if (out := self.judge(done, question, sources, tally)) is not None:
                    yield out
                buffer = buffer[buffer.index(done) + len(done) :]
        for rest in split_sentences(buffer):
            if (out := self.judge(rest, question, sources, tally)) is not None:
                yield out

    def judge(self, sentence: str, question: str, sources: list[Source], tally: Tally) -> str | None:
        sentence = sentence.strip()
        if not strip_citations(sentence):
            return None
        tally.generated += 1
        by_n = {s.n: s for s in sources}
        marked = [n for n in dict.fromkeys(citations(sentence)) if n in by_n]
        claim = claim_of(sentence)
        if not citations(sentence) and self.checker.is_reflection(claim, question):
            tally.kept += 1
            return claim
        supporting = [n for n in marked if self.checker.support(claim, by_n[n].passage).supported]
        if supporting:
            tally.kept += 1
            return self._cite(claim, supporting, tally)
        # Miscited or uncited: does exactly one other source support it as written?
        others = [s.n for s in sources if s.n not in marked and self.checker.support(claim, s.passage).supported]
        if others:
            tally.recited += 1
            return self._cite(claim, others[:1], tally)
        # Unsupported: the closest sentence of the cited source (or of any source) in its own words.
        pool = [by_n[n] for n in marked] or sources
        best = self._closest(claim, pool)
        if best is None:
            tally.dropped += 1
            return None
        tally.replaced += 1
        return self._cite(best[1], [best[0]], tally)

    def _closest(self, claim: str, pool: list[Source]) -> tuple[int, str] | None:
        cands = [(s.n, sent) for s in pool for sent in passage_sentences(s.passage) if len(sent.split()) >= 4]
        if not cands:
            return None
        vecs = self.checker.embedder.embed([claim, *[c[1] for c in cands]])
        sims = vecs[1:] @ vecs[0]
        i = int(np.argmax(sims))
        return cands[i] if float(sims[i]) >= COS_WEAK else None

    @staticmethod
    def _cite(text: str, numbers: list[int], tally: Tally) -> str:
        tally.cited.update(numbers)
        text = text.rstrip()
        end = text[-1] if text and text[-1] in ".!?" else "."
        body = text[:-1] if text and text[-1] in ".!?" else text
        return f"{body} {''.join(f'[{n}]' for n in numbers)}{end}"


def citation_problems(text: str, listed: set[int]) -> list[str]:
    """Generative answers keep the numbers their sources had in the prompt, so the rule is set
    equality: every [n] is a listed source and every listed source is cited."""
    cited = set(citations(text))
    problems = [f"[{n}] points to no listed source" for n in sorted(cited - listed)]
    problems += [f"source [{n}] is never cited" for n in sorted(listed - cited)]
    return problems
