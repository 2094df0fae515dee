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

A conversation (assistant/conversation/) is the unit, not a question: an elliptical follow-up is
retrieved leaning on the thread, a step already given is never given again (unless the person asks
to hear the steps again), "what else" moves to the next-best steps from other articles, "tell me
more about step 2" opens that step's explanation in its article, a torn or vague question gets one
clarifying question with choices, and a long post is read for its core question and situation.
The opening reflection is built from the person's own words first (reflect.py), then asked of the
model, and a curated sentence is the last resort, never said twice in one conversation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from assistant.conversation import reflect
from assistant.conversation.clarify import Clarifier, load_labels
from assistant.conversation.intent import Intent, IntentReader, Patterns
from assistant.conversation.longpost import Focus, find_focus, is_long
from assistant.conversation.screencache import RememberingDetector
from assistant.conversation.state import Choice, Conversation, Turn
from assistant.conversation.thread import blend, cap, own_weight, topic_of
from assistant.embed import Embedder
from assistant.errors import CheckFailed, UsageError
from assistant.generative import GroundedWriter, Source, Tally, claim_of
from assistant.generative import citation_problems as generative_citation_problems
from assistant.grounding import GroundingChecker, citation_problems, passage_sentences, split_sentences
from assistant.grounding import citations as gen_citations
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
    alternates: tuple[str, ...] = ()

    @classmethod
    def load(cls, knowledge_dir: Path) -> Reflections:
        import yaml

        data = yaml.safe_load((knowledge_dir / "reflections.yaml").read_text(encoding="utf-8"))
        return cls(
            dict(data.get("topics", {})),
            str(data.get("default", DEFAULT_REFLECTION)),
            tuple(str(a) for a in data.get("alternates", []) or []),
        )

    def fallback(self, topics: list[str], used: set[str] | None = None) -> str | None:
        """The topic's curated sentence, else the default, else an alternate: never one in `used`
        (a conversation hears each curated sentence at most once); None when all were said."""
        used = used or set()
        options = [self.by_topic[t] for t in topics if t in self.by_topic] + [self.default, *self.alternates]
        return next((o for o in options if o not in used), None)

    def is_curated(self, sentence: str) -> bool:
        return sentence == self.default or sentence in self.by_topic.values() or sentence in self.alternates


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
    # What the coach did: answer | more | detail | repeat | clarify | smalltalk | offtopic | safety | care
    kind: str = "answer"
    choices: list[Choice] = field(default_factory=list)  # a clarifying question's choices
    focus: str = ""  # the part of a long post this answer answers
    reflection_source: str = ""  # message | model | curated ("" when the answer has no reflection)
    retrieved: list[str] = field(default_factory=list)  # article ids retrieved, best first
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, article id), as numbered
    generation: dict = field(default_factory=dict)  # generative mode: sentences kept/recited/replaced/dropped

    def as_json(self) -> dict:
        return {
            "answer": self.text,
            "citations": [{"n": c.n, "article_id": c.article_id, "title": c.title} for c in self.citations],
            "safety": self.safety,
            "grounded_fraction": round(self.grounded_fraction, 4),
            **({"notice": self.notice} if self.notice else {}),
            "kind": self.kind,
            **({"choices": [c.as_json() for c in self.choices]} if self.choices else {}),
            **({"focus": self.focus} if self.focus else {}),
            **({"generation": self.generation} if self.generation else {}),
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
        knowledge_dir: Path | None = None,
        mode: str = "extractive",
    ) -> None:
        from assistant.config import PROJECT_ROOT

        self.detector = detector
        self._remembering = RememberingDetector(detector) if detector is not None else None
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
        kdir = knowledge_dir or PROJECT_ROOT / "knowledge"
        self.talk = Patterns.load(kdir)
        self.intents = IntentReader(self.talk, set(index._bm25.idf))
        self.labels = load_labels(kdir, self.corpus)
        self.clarifier = Clarifier(self.labels, self.talk.replies["clarify_lead"], self._article_similarity)
        self.lexicon = reflect.Lexicon.load(kdir)
        # Build the opening sentence from the message's own words before asking the model
        # (tests of the model's reflection switch this off).
        self.reflect_from_message = True
        self._profiles: np.ndarray | None = None
        # Generative grounded mode (a capable model writes from the passages, every sentence checked).
        self.writer: GroundedWriter | None = (
            GroundedWriter(llm, self.checker, GenOptions(max_tokens=320, temperature=self.options.temperature))
            if mode == "generative"
            else None
        )
        self.mode = mode

    def warm(self) -> None:
        self.llm.warm(SYSTEM_PROMPT)

    def ask(self, question: str, history: list[str] | None = None, conversation: Conversation | None = None) -> Answer:
        for event in self.stream(question, history, conversation):
            if event.answer is not None:
                return event.answer
        raise RuntimeError("coach stream ended without an answer")  # pragma: no cover

    def conversation_from(self, messages: list[dict]) -> Conversation:
        """A conversation rebuilt from chat messages ({"role", "content"}), e.g. `ask --jsonl`'s "history"."""
        return Conversation.from_messages(messages, self.corpus, self.labels, self._topic_rule)

    def _topic_rule(self, thread: str, message: str) -> str:
        return topic_of(thread, message, own_weight(len(self.talk.content_words(message)), bool(thread)))

    def stream(
        self,
        question: str,
        history: list[str] | None = None,
        conversation: Conversation | None = None,
        region: str | None = None,
    ) -> Iterator[Event]:
        """Answer `question` inside `conversation` (which gets the new turn when the answer is done).
        Without one, `history` is what the person said earlier (used for the safety screen only).
        `region` picks the helplines of a safety answer (default: the coach's own setting)."""
        where = region or self.region
        t0 = time.perf_counter()
        question = check_question(question)
        conv = (
            conversation if conversation is not None else Conversation([Turn(h, "unanswered") for h in history or []])
        )
        earlier = conv.user_texts()
        answer = Answer(question)
        turn = Turn(question)
        # Before anything else, and before any model call.
        qvec: np.ndarray | None = None
        if earlier:
            screener = self._remembering if self.detector is not None else None
            verdict = screen_conversation([*earlier, question], screener).result  # type: ignore[arg-type]
        elif self.detector is not None:
            verdict, qvec = self.detector.assess(question)
        else:
            verdict = screen(question)
        answer.timings["screen_ms"] = (time.perf_counter() - t0) * 1000
        if verdict.level != "none":
            answer.safety = verdict.level
            answer.text = respond(question, verdict, self.resources, where)
            yield from self._finish(answer, t0, conv, turn, "safety")
            return
        intent = self.intents.read(question, conv)
        if intent.kind in ("smalltalk", "offtopic"):
            answer.text = self.talk.replies[intent.sub or intent.kind]
            yield from self._finish(answer, t0, conv, turn, intent.kind)
            return
        if (
            intent.kind in ("question", "choice")
            and self.patterns is not None
            and (found := self.patterns(question, qvec))
        ):
            answer.patterns = found
            answer.text = concern_response(found, self.resources, where)
            answer.citations = [
                Citation(i, aid, self._title(aid), self._passage(aid, False))
                for i, (aid, _) in enumerate(PATTERN_ARTICLES, 1)
            ]
            turn.topic = question  # a follow-up after a care answer still leans on what was said
            yield from self._finish(answer, t0, conv, turn, "care")
            return
        if intent.kind == "detail":
            yield from self._detail(intent, answer, t0, conv, turn)
            return
        if intent.kind == "repeat":
            last = conv.last()
            if last is None:  # the intent reader only sees "repeat" after an answer
                raise CheckFailed("a repeat was asked for before any answer")
            turn.topic = last.topic
            yield from self._compose(answer, t0, conv, turn, "repeat", list(last.steps), None, lead="")
            return

        t1 = time.perf_counter()
        thread = "" if intent.sub == "new" else conv.thread
        focus: Focus | None = None
        weight = 1.0
        chosen = ""
        if intent.kind == "choice":
            if intent.choice is None:
                raise CheckFailed("a choice intent without its choice")
            chosen = intent.choice.article_id
            base = conv.turns[-1].topic
            query = f"{base} {intent.choice.label}"
            qvec = self.embedder.embed([query])[0]
            turn.topic = query
        elif intent.kind == "more":
            query = thread
            qvec = self.embedder.embed([thread])[0]
            turn.topic = thread
        else:
            if qvec is None:
                qvec = self.embedder.embed([question])[0]
            if is_long(question) and (focus := find_focus(question, self.embedder, self._article_profiles(), qvec)):
                query, qvec = focus.query, focus.vec
                answer.focus = focus.core
                turn.topic = focus.query
            else:
                weight = own_weight(len(self.talk.content_words(question)), bool(thread))
                qvec = blend(self.embedder, qvec, thread, weight)
                query = question if weight >= 1.0 else f"{question} {cap(thread)}"
                turn.topic = topic_of(thread, question, weight)
        k = self.top_k + (4 if intent.kind == "more" else 0)
        hits = self.index.search(query, k=k, qvec=qvec)
        if chosen:
            hits = sorted(hits, key=lambda h: h.article_id != chosen)
            if not any(h.article_id == chosen for h in hits):
                hits = [*self.index.search(self.labels.get(chosen, chosen), k=self.top_k), *hits]
                hits = sorted(hits, key=lambda h: h.article_id != chosen)
        answer.retrieved = [h.article_id for h in hits]
        turn.retrieved = answer.retrieved
        answer.timings["retrieve_ms"] = (time.perf_counter() - t1) * 1000

        if intent.kind == "question" and weight >= 1.0 and focus is None:
            asked = bool(conv.turns) and conv.turns[-1].kind == "clarify"
            content = len(self.talk.content_words(question))
            if choices := self.clarifier.choices(question, content, hits, asked):
                answer.choices = turn.choices = choices
                answer.text = self.clarifier.question(choices)
                yield from self._finish(answer, t0, conv, turn, "clarify")
                return

        given = conv.given_steps
        if intent.kind == "more":
            steps = self._pick_steps(qvec, hits, exclude=given, avoid=conv.given_articles)
            lead = self.talk.replies["more_lead"]
            if not steps:  # nothing new elsewhere: unused steps of the same articles
                steps = self._pick_steps(qvec, hits, exclude=given)
                lead = self.talk.replies["more_same_lead"]
            if not steps:
                answer.text = self.talk.replies["nothing_more"]
                yield from self._finish(answer, t0, conv, turn, "more")
                return
            yield from self._compose(answer, t0, conv, turn, "more", steps, qvec, lead=lead)
            return
        picker = partial(self._pick_steps, qvec, hits, exclude=given)
        yield from self._compose(answer, t0, conv, turn, "answer", picker, qvec, hits=hits, focus=focus)

    def _compose(
        self,
        answer: Answer,
        t0: float,
        conv: Conversation,
        turn: Turn,
        kind: str,
        steps: list[tuple[str, str]] | Callable[[], list[tuple[str, str]]],
        qvec: np.ndarray | None,
        *,
        lead: str | None = None,
        hits: list[Hit] | None = None,
        focus: Focus | None = None,
    ) -> Iterator[Event]:
        """Reflection (or a lead line), numbered cited steps, a closing question, sources.
        `steps` may be a callable: the reflection streams first, then the steps are chosen."""
        question = answer.question
        reflection: list[str] = []
        if lead is None:
            # 1. the reflection: built from the message, else the model's, else a curated one
            for sentence in self._reflect(question, focus, conv, answer, t0):
                reflection.append(sentence)
                yield Event(sentence)
                break
            if not reflection:
                top_art = self.corpus.get(hits[0].article_id) if hits else None
                fallback = self.reflections.fallback(top_art.topics if top_art else [], conv.canned_used)
                if fallback:
                    reflection.append(fallback)
                    turn.canned = True
                    answer.reflection_source = "curated"
                    answer.timings.setdefault("first_text_ms", (time.perf_counter() - t0) * 1000)
                    yield Event(fallback)
        elif lead:
            reflection.append(lead)
            answer.timings.setdefault("first_text_ms", (time.perf_counter() - t0) * 1000)
            yield Event(lead)
        turn.reflection = reflection[0] if reflection and lead is None else ""

        if callable(steps):
            steps = steps()
        used = []  # article ids in citation order
        for _, aid in steps:
            if aid not in used:
                used.append(aid)
        closing = None
        if qvec is not None:
            top = used[0] if used else (hits[0].article_id if hits else "")
            closing = self._pick_question(qvec, top, conv.given_questions)
        if closing and closing[1] not in used:
            used.append(closing[1])
        number = {aid: i + 1 for i, aid in enumerate(used)}

        # 2. steps and the closing question: the sources' own words, cited (or, in generative mode,
        # the model's sentences from those sources, each checked as it streams)
        lines: list[str] = ["", ""] if reflection else []
        if focus is not None:
            lines += [self.talk.replies["focus_lead"].format(focus=focus.core), ""]
        step_articles = {aid for _, aid in steps}
        written: list[str] = []
        if self.writer is not None and steps:
            sources = [Source(number[aid], aid, self._title(aid), self._passage(aid, True)) for aid in used]
            tally = Tally()
            head = "\n".join(lines)
            for sentence in self.writer.stream(focus.core if focus else question, sources, tally):
                piece = (head if not written else " ") + sentence
                written.append(sentence)
                answer.timings.setdefault("first_text_ms", (time.perf_counter() - t0) * 1000)
                yield Event(piece)
            answer.generation = tally.as_json()
            if written:  # the model's checked sentences replace the numbered steps
                lines = [head + " ".join(written)] if head else [" ".join(written)]
                keep = tally.cited | ({number[closing[1]]} if closing else set())
                used = [aid for aid in used if number[aid] in keep]
            else:  # nothing survived the check: the extractive answer, as if the model had not written
                if head:
                    yield Event("\n")
        if not written:
            if steps:
                lines.append("Things you could try:")
            for i, (step, aid) in enumerate(steps, 1):
                lines.append(f"{i}. {step} [{number[aid]}]")
        if closing:
            lines += ["", f"A question to ask each other: {closing[0]} [{number[closing[1]]}]"]
        # A written answer cites the passages the model was given (the steps), so a reader sees
        # exactly what each sentence was checked against.
        answer.citations = [
            Citation(number[aid], aid, self._title(aid), self._passage(aid, bool(written) or aid in step_articles))
            for aid in used
        ]
        if answer.citations:
            lines += ["", "Sources:"]
            lines += [f"[{c.n}] {c.title} ({c.article_id})" for c in answer.citations]
        if answer.notice:
            lines += ["", answer.notice]
        tail = "\n".join(lines)
        answer.timings.setdefault("first_text_ms", (time.perf_counter() - t0) * 1000)
        # What was already streamed (the written sentences) is not sent twice.
        yield Event(tail[len(lines[0]) :] if written else tail)
        answer.text = " ".join(reflection) + tail
        problems = (
            generative_citation_problems(answer.text, {c.n for c in answer.citations})
            if written
            else citation_problems(answer.text, len(answer.citations))
        )
        if problems:
            raise CheckFailed(f"citation rules broken: {problems[0]}")
        checked_reflection = reflection if lead is None else []
        focus_text = " ".join([*focus.situation, focus.core]) if focus else question
        if written:
            core = focus.core if focus else question
            answer.grounded_fraction = self._written_grounded(written, answer.citations, core)
        else:
            answer.grounded_fraction = self._grounded_fraction(focus_text, checked_reflection, steps, closing)
        answer.steps = turn.steps = steps
        turn.closing = closing[0] if closing else ""
        turn.cited = [c.article_id for c in answer.citations]
        answer.kind = turn.kind = kind
        turn.answer = answer.text
        conv.add(turn)
        answer.timings["total_ms"] = (time.perf_counter() - t0) * 1000
        yield Event(answer=answer)

    def _written_grounded(self, written: list[str], cites: list[Citation], question: str) -> float:
        """Generative mode: the share of shipped sentences supported by a passage they cite, or
        (uncited) passing the reflection check; after replacement every one should be, and this
        measures it rather than assuming it."""
        by_n = {c.n: c.passage for c in cites}
        ok = 0
        for sentence in written:
            claim = claim_of(sentence)
            ns = [n for n in gen_citations(sentence) if n in by_n]
            if not ns:
                ok += self.checker.is_reflection(claim, question)
                continue
            ok += any(self.checker.support(claim, by_n[n]).supported for n in ns)
        return ok / len(written) if written else 1.0

    def _detail(self, intent: Intent, answer: Answer, t0: float, conv: Conversation, turn: Turn) -> Iterator[Event]:
        """ "Tell me more about step 2": the sentences of that step's article that explain it, cited."""
        last = conv.last()
        if last is None:  # the intent reader only sees "step n" after an answer
            raise CheckFailed("a step was asked about before any answer")
        turn.topic = last.topic
        if not 1 <= intent.n <= len(last.steps):
            answer.text = self.talk.replies["detail_missing"].format(n=intent.n or "?")
            yield from self._finish(answer, t0, conv, turn, "detail")
            return
        step, aid = last.steps[intent.n - 1]
        art = self.corpus.get(aid)
        if art is None:  # the step came from the corpus in this process
            raise CheckFailed(f"article {aid} vanished from the knowledge base")
        explain = [s for s in art.sections if s.heading.lower() not in ("try this", "ask each other")]
        sents = [x for sec in explain for x in passage_sentences(sec.text) if len(x.split()) >= 5]
        if sents:
            sims = self._vectors(sents) @ self._vectors([step])[0]
            best = sorted(int(i) for i in np.argsort(-sims)[:3])  # in the article's own order
            chosen = [sents[i] for i in best]
        else:
            chosen = []
        lead = self.talk.replies["detail_lead"].format(n=intent.n, step=step)
        body = " ".join(f"{s} [1]" for s in chosen)
        answer.text = f"{lead}\n\n{body}\n\nSources:\n[1] {art.title} ({art.id})"
        section = "\n\n".join(sec.text for sec in explain)
        answer.citations = [Citation(1, art.id, art.title, section)]
        answer.retrieved = [art.id]
        checks = [self.checker.support(s, art.body).supported for s in chosen]
        answer.timings["first_text_ms"] = (time.perf_counter() - t0) * 1000
        yield Event(answer.text)
        if problems := citation_problems(answer.text, len(answer.citations)):
            raise CheckFailed(f"citation rules broken: {problems[0]}")
        answer.grounded_fraction = sum(checks) / len(checks) if checks else 1.0
        answer.kind = turn.kind = "detail"
        turn.retrieved, turn.cited, turn.answer = [art.id], [art.id], answer.text
        conv.add(turn)
        answer.timings["total_ms"] = (time.perf_counter() - t0) * 1000
        yield Event(answer=answer)

    @staticmethod
    def _finish(answer: Answer, t0: float, conv: Conversation, turn: Turn, kind: str) -> Iterator[Event]:
        """A templated answer (safety, care, small talk, a clarifying question): no model call,
        streamed in one piece."""
        answer.grounded_fraction = 1.0
        answer.kind = turn.kind = kind
        turn.safety, turn.answer = answer.safety, answer.text
        turn.cited = [c.article_id for c in answer.citations]
        conv.add(turn)
        answer.timings["total_ms"] = (time.perf_counter() - t0) * 1000
        answer.timings["first_text_ms"] = answer.timings["total_ms"]
        yield Event(answer.text)
        yield Event(answer=answer)

    # -- composition ---------------------------------------------------------------------------

    def _reflect(
        self, question: str, focus: Focus | None, conv: Conversation, answer: Answer, t0: float
    ) -> Iterator[str]:
        """The reflection built from the message if it passes its check, else the model's."""
        if self.reflect_from_message:
            source = " ".join([*focus.situation, focus.core]) if focus else question
            built = reflect.build(question, self.lexicon, focus=[*focus.situation, focus.core] if focus else None,
                                  avoid=conv.said)  # fmt: skip
            if built and built not in conv.said and reflect.check(built, source, self.embedder):
                answer.reflection_source = "message"
                answer.timings.setdefault("first_text_ms", (time.perf_counter() - t0) * 1000)
                yield built
                return
        for sentence in self._generate_checked(question, answer, t0):
            if sentence not in conv.said:
                answer.reflection_source = "model"
                yield sentence
            return

    def _article_profiles(self) -> np.ndarray:
        """One vector per article (title and summary): what the long-post reader scores sentences on."""
        if self._profiles is None:
            arts = [a for a in self.corpus.articles if not {"safety", "crisis"} & set(a.topics)]
            self._profiles = self._vectors([f"{a.title}. {a.summary}" for a in arts])
        return self._profiles

    def _article_similarity(self, a: str, b: str) -> float:
        arts = [self.corpus.get(a), self.corpus.get(b)]
        if arts[0] is None or arts[1] is None:
            return 1.0
        va, vb = self._vectors([f"{x.title}. {x.summary}" for x in arts if x is not None])
        return float(va @ vb)

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

    def _pick_steps(
        self, qvec: np.ndarray, hits: list[Hit], exclude: set[str] | None = None, avoid: set[str] | None = None
    ) -> list[tuple[str, str]]:
        """Up to MAX_STEPS steps; none in `exclude` (already given), none from `avoid` articles."""
        exclude, avoid = exclude or set(), avoid or set()
        candidates: list[tuple[str, str, int]] = []
        for rank, hit in enumerate(hits):
            art = self.corpus.get(hit.article_id)
            if art is None or "safety" in art.topics or "crisis" in art.topics or art.id in avoid:
                continue
            candidates += [(s, art.id, rank) for s in art.steps if s not in exclude]
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

    def _pick_question(
        self, qvec: np.ndarray, article_id: str, asked: set[str] | None = None
    ) -> tuple[str, str] | None:
        art = self.corpus.get(article_id)
        questions = [q for q in (art.questions if art else []) if q not in (asked or set())]
        if art is None or not questions:
            return None
        best = int(np.argmax(self._vectors(questions) @ qvec))
        return questions[best], art.id

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
            ok += (
                self.reflections.is_curated(sentence)
                or self.checker.is_reflection(sentence, question)
                or reflect.check(sentence, question, self.embedder)
            )
        cited = list(steps) + ([closing] if closing else [])
        for sentence, aid in cited:
            total += 1
            art = self.corpus.get(aid)
            ok += bool(art) and self.checker.support(sentence, art.body if art else "").supported
        return ok / total if total else 1.0
