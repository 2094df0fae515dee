"""question -> safety screen -> retrieve -> compose -> grounding check -> cited answer, streamed.

Safety comes first: the detector (rules + learned heads, assistant/safety/) screens the question,
and with `history` every earlier turn of the conversation too; a disclosure made earlier keeps the
conversation in safety mode until the person moves on explicitly. A question that describes
gaslighting, control, monitoring or isolation gets no coaching steps (they would ask the person to
doubt their memory or to accommodate more): it gets the pattern named gently, the articles on it
and the safety check.

The bundled model is tiny, so it never carries the substance. It writes the reflection (one or
two sentences mirroring what the person said); the steps are the cited passages' own words
("Try this" bullets of the retrieved articles) and the closing question is an "Ask each other"
question from the best article. Every generated sentence goes through the grounding check as
soon as it is complete, so what streams to the user has already been checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from assistant.embed import Embedder
from assistant.errors import CheckFailed, UsageError
from assistant.grounding import GroundingChecker, citation_problems, split_sentences
from assistant.kb.corpus import Corpus
from assistant.kb.index import Hit, KnowledgeIndex
from assistant.llm.base import LLM, ChatMessage, GenOptions
from assistant.safety import PATTERN_ARTICLES, Resources, concern_response, respond, screen, screen_conversation

if TYPE_CHECKING:
    from assistant.safety.detector import Detector

SYSTEM_PROMPT = (
    "You are Hearth, a warm and calm relationship coach. Reflect back what the person feels, "
    "in one or two short sentences, without advice."
)
# The reply is made to start here; the tiny model stays on task far more often this way.
REFLECTION_PREFIX = "It sounds like"
MAX_STEPS = 3
# A question longer than this is refused before any work (the journal's entry limit).
MAX_QUESTION_CHARS = 20_000
# The model sees at most this much of a question (about 400 tokens of the 2,048-token window);
# the safety screen and retrieval always read all of it.
MODEL_QUESTION_CHARS = 1_500
TRIMMED_NOTICE = (
    "(Your message is long: the model read its first {n:,} characters; the safety check and the "
    "search for sources read all of it.)"
)


DEFAULT_REFLECTION = "It sounds like this matters a lot to you, and you want things to feel closer."


@dataclass(frozen=True)
class Reflections:
    """Curated reflections by topic (knowledge/reflections.yaml), used when the model's fails."""

    by_topic: dict[str, str]
    default: str

    @classmethod
    def load(cls, knowledge_dir: Path) -> Reflections:
        import yaml

        data = yaml.safe_load((knowledge_dir / "reflections.yaml").read_text(encoding="utf-8"))
        return cls(dict(data.get("topics", {})), str(data.get("default", DEFAULT_REFLECTION)))

    def fallback(self, topics: list[str]) -> str:
        for t in topics:
            if t in self.by_topic:
                return self.by_topic[t]
        return self.default

    def is_curated(self, sentence: str) -> bool:
        return sentence == self.default or sentence in self.by_topic.values()


@dataclass(frozen=True)
class Citation:
    n: int
    article_id: str
    title: str
    passage: str


def check_question(question: str) -> str:
    """The question as the coach reads it; a question over the limit is refused before any work."""
    question = question.strip()
    if len(question) > MAX_QUESTION_CHARS:
        raise UsageError(
            f"a question holds up to {MAX_QUESTION_CHARS:,} characters and this one has {len(question):,}; "
            "shorten it or write it in the journal"
        )
    return question


@dataclass
class Answer:
    question: str
    text: str = ""
    safety: Literal["none", "abuse", "crisis"] = "none"
    citations: list[Citation] = field(default_factory=list)
    grounded_fraction: float = 1.0
    generated_sentences: int = 0
    generated_kept: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    # Gaslighting, control or isolation the question described (answered with care, not tips).
    patterns: list[str] = field(default_factory=list)
    notice: str = ""  # said to the person with the answer, e.g. that the model read part of it

    def as_json(self) -> dict:
        return {
            "answer": self.text,
            "citations": [{"n": c.n, "article_id": c.article_id, "title": c.title} for c in self.citations],
            "safety": self.safety,
            "grounded_fraction": round(self.grounded_fraction, 4),
            **({"notice": self.notice} if self.notice else {}),
        }


@dataclass(frozen=True)
class Event:
    """A streamed piece of the answer; the last event has `done` set and carries the Answer."""

    text: str = ""
    answer: Answer | None = None

    @property
    def done(self) -> bool:
        return self.answer is not None


class Coach:
    def __init__(
        self,
        llm: LLM,
        index: KnowledgeIndex,
        embedder: Embedder,
        resources: Resources,
        *,
        options: GenOptions | None = None,
        top_k: int = 4,
        region: str = "all",
        reflections: Reflections | None = None,
        detector: Detector | None = None,
        patterns: Callable[[str, np.ndarray | None], list[str]] | None = None,
    ) -> None:
        self.detector = detector
        self.patterns = patterns
        self.reflections = reflections or Reflections({}, DEFAULT_REFLECTION)
        self._vec_cache: dict[str, np.ndarray] = {}
        self.llm = llm
        self.index = index
        self.corpus: Corpus = index.corpus
        self.embedder = embedder
        self.checker = GroundingChecker(embedder)
        self.resources = resources
        self.options = options or GenOptions()
        self.top_k = top_k
        self.region = region

    def warm(self) -> None:
        self.llm.warm(SYSTEM_PROMPT)

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        for event in self.stream(question, history):
            if event.answer is not None:
                return event.answer
        raise RuntimeError("coach stream ended without an answer")  # pragma: no cover

    def stream(self, question: str, history: list[str] | None = None) -> Iterator[Event]:
        """Answer `question`; `history` is what the person said earlier in this conversation."""
        t0 = time.perf_counter()
        question = check_question(question)
        answer = Answer(question)
        # Before anything else, and before any model call.
        qvec: np.ndarray | None = None
        if history:
            verdict = screen_conversation([*history, question], self.detector).result
        elif self.detector is not None:
            verdict, qvec = self.detector.assess(question)
        else:
            verdict = screen(question)
        answer.timings["screen_ms"] = (time.perf_counter() - t0) * 1000
        if verdict.level != "none":
            answer.safety = verdict.level
            answer.text = respond(question, verdict, self.resources, self.region)
            yield from self._finish(answer, t0)
            return
        if self.patterns is not None and (found := self.patterns(question, qvec)):
            answer.patterns = found
            answer.text = concern_response(found, self.resources, self.region)
            answer.citations = [
                Citation(i, aid, self._title(aid), self._passage(aid, False))
                for i, (aid, _) in enumerate(PATTERN_ARTICLES, 1)
            ]
            yield from self._finish(answer, t0)
            return

        t1 = time.perf_counter()
        if qvec is None:
            qvec = self.embedder.embed([question])[0]
        hits = self.index.search(question, k=self.top_k, qvec=qvec)
        answer.timings["retrieve_ms"] = (time.perf_counter() - t1) * 1000
        steps = self._pick_steps(qvec, hits)
        used = []  # article ids in citation order
        for _, aid in steps:
            if aid not in used:
                used.append(aid)
        closing = self._pick_question(qvec, used[0] if used else (hits[0].article_id if hits else ""))
        if closing and closing[1] not in used:
            used.append(closing[1])
        number = {aid: i + 1 for i, aid in enumerate(used)}

        # 1. the reflection: the model's, if it passes the check, else the curated one
        reflection: list[str] = []
        for sentence in self._generate_checked(question, answer, t0):
            reflection.append(sentence)
            yield Event(sentence)
            break
        if not reflection:
            top = self.corpus.get(hits[0].article_id) if hits else None
            fallback = self.reflections.fallback(top.topics if top else [])
            reflection.append(fallback)
            answer.timings.setdefault("first_text_ms", (time.perf_counter() - t0) * 1000)
            yield Event(fallback)

        # 2. steps and the closing question: the sources' own words, cited
        lines = ["", "", "Things you could try:"] if steps else []
        for i, (step, aid) in enumerate(steps, 1):
            lines.append(f"{i}. {step} [{number[aid]}]")
        if closing:
            lines += ["", f"A question to ask each other: {closing[0]} [{number[closing[1]]}]"]
        step_articles = {aid for _, aid in steps}
        answer.citations = [
            Citation(number[aid], aid, self._title(aid), self._passage(aid, aid in step_articles)) for aid in used
        ]
        if answer.citations:
            lines += ["", "Sources:"]
            lines += [f"[{c.n}] {c.title} ({c.article_id})" for c in answer.citations]
        if answer.notice:
            lines += ["", answer.notice]
        tail = "\n".join(lines)
        yield Event(tail)
        answer.text = " ".join(reflection) + tail
        if problems := citation_problems(answer.text, len(answer.citations)):
            raise CheckFailed(f"citation rules broken: {problems[0]}")
        answer.grounded_fraction = self._grounded_fraction(question, reflection, steps, closing)
        answer.timings["total_ms"] = (time.perf_counter() - t0) * 1000
        yield Event(answer=answer)

    @staticmethod
    def _finish(answer: Answer, t0: float) -> Iterator[Event]:
        """A templated answer (safety or care): no model call, streamed in one piece."""
        answer.grounded_fraction = 1.0
        answer.timings["total_ms"] = (time.perf_counter() - t0) * 1000
        answer.timings["first_text_ms"] = answer.timings["total_ms"]
        yield Event(answer.text)
        yield Event(answer=answer)

    # -- composition ---------------------------------------------------------------------------

    def _generate_checked(self, question: str, answer: Answer, t0: float) -> Iterator[str]:
        """The model's first sentence, if it passes the reflection check; generation stops there."""
        if len(question) > MODEL_QUESTION_CHARS:
            # Cut at a word boundary so the model never sees half a word.
            question = question[:MODEL_QUESTION_CHARS].rsplit(None, 1)[0]
            answer.notice = TRIMMED_NOTICE.format(n=len(question))
        messages: list[ChatMessage] = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": question},
        ]
        opts = replace(self.options, prefix=REFLECTION_PREFIX, stop=("\n",))
        buffer = REFLECTION_PREFIX
        for piece in self.llm.stream(messages, opts):
            answer.timings.setdefault("first_token_ms", (time.perf_counter() - t0) * 1000)
            buffer += piece
            if len(split_sentences(buffer)) > 1:
                break
        first = (split_sentences(buffer) or [""])[0].strip()
        if first and first[-1] in ".!" and (checked := self._check(first, question, answer)):
            answer.timings.setdefault("first_text_ms", (time.perf_counter() - t0) * 1000)
            yield checked

    def _check(self, sentence: str, question: str, answer: Answer) -> str | None:
        answer.generated_sentences += 1
        if self.checker.is_reflection(sentence, question):
            answer.generated_kept += 1
            return sentence
        return None

    def _vectors(self, texts: list[str]) -> np.ndarray:
        """Embeddings of knowledge-base sentences, computed once per process (the base is fixed)."""
        missing = [t for t in texts if t not in self._vec_cache]
        if missing:
            for t, v in zip(missing, self.embedder.embed(missing), strict=True):
                self._vec_cache[t] = v
        return np.stack([self._vec_cache[t] for t in texts])

    def _pick_steps(self, qvec: np.ndarray, hits: list[Hit]) -> list[tuple[str, str]]:
        candidates: list[tuple[str, str, int]] = []
        for rank, hit in enumerate(hits):
            art = self.corpus.get(hit.article_id)
            if art is None or "safety" in art.topics or "crisis" in art.topics:
                continue
            candidates += [(s, art.id, rank) for s in art.steps]
        if not candidates:
            return []
        sims = self._vectors([c[0] for c in candidates]) @ qvec
        # Prefer the best-ranked articles, then the step closest to the question; at most two
        # steps from one article so the answer draws on more than one source when it can.
        score = sims - 0.05 * np.array([c[2] for c in candidates])
        picked: list[tuple[str, str]] = []
        per_article: dict[str, int] = {}
        for i in np.argsort(-score):
            step, aid, _ = candidates[int(i)]
            if per_article.get(aid, 0) >= 2:
                continue
            picked.append((step, aid))
            per_article[aid] = per_article.get(aid, 0) + 1
            if len(picked) == MAX_STEPS:
                break
        return picked

    def _pick_question(self, qvec: np.ndarray, article_id: str) -> tuple[str, str] | None:
        art = self.corpus.get(article_id)
        if art is None or not art.questions:
            return None
        best = int(np.argmax(self._vectors(art.questions) @ qvec))
        return art.questions[best], art.id

    def _title(self, article_id: str) -> str:
        art = self.corpus.get(article_id)
        return art.title if art else article_id

    def _passage(self, article_id: str, cited_steps: bool) -> str:
        """The section the cited words come from: "Try this" for steps, else "Ask each other"."""
        art = self.corpus.get(article_id)
        if art is None:
            return ""
        section = art.section("Try this" if cited_steps else "Ask each other")
        return section.text if section else art.summary

    def _grounded_fraction(
        self,
        question: str,
        reflection: list[str],
        steps: list[tuple[str, str]],
        closing: tuple[str, str] | None,
    ) -> float:
        """Re-check the final answer: every cited sentence against its article's text, every
        uncited sentence as a reflection of the question."""
        ok = total = 0
        for sentence in reflection:
            total += 1
            ok += self.reflections.is_curated(sentence) or self.checker.is_reflection(sentence, question)
        cited = list(steps) + ([closing] if closing else [])
        for sentence, aid in cited:
            total += 1
            art = self.corpus.get(aid)
            ok += bool(art) and self.checker.support(sentence, art.body if art else "").supported
        return ok / total if total else 1.0
