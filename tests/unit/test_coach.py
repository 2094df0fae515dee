"""The coach pipeline with a scripted LLM, the FakeEmbedder and the real knowledge base."""

from __future__ import annotations

import re

import pytest

from assistant.coach import (
    MAX_QUESTION_CHARS,
    MODEL_QUESTION_CHARS,
    REFLECTION_PREFIX,
    SYSTEM_PROMPT,
    Answer,
    Reflections,
)
from assistant.errors import UsageError
from assistant.grounding import citation_problems
from assistant.llm.fake import FakeLLM
from assistant.services import Services

QUESTIONS = [
    "My partner goes silent whenever we argue, what can I do?",
    "We keep fighting about chores and it always turns into who does more.",
    "I get jealous when she texts her ex.",
    "How do I apologise properly after I said something hurtful?",
]
STEP = re.compile(r"^(\d+)\. (.+) \[(\d+)\]$")
CLOSING = re.compile(r"^A question to ask each other: (.+) \[(\d+)\]$")
SOURCE = re.compile(r"^\[(\d+)\] (.+) \(([a-z0-9-]+)\)$")


def _parse(ans: Answer) -> tuple[list[tuple[str, int]], tuple[str, int] | None, list[tuple[int, str]]]:
    lines = ans.text.splitlines()
    steps = [(m.group(2), int(m.group(3))) for ln in lines if (m := STEP.match(ln))]
    closings = [(m.group(1), int(m.group(2))) for ln in lines if (m := CLOSING.match(ln))]
    sources = [(int(m.group(1)), m.group(3)) for ln in lines if (m := SOURCE.match(ln))]
    return steps, (closings[0] if closings else None), sources


@pytest.mark.parametrize("question", QUESTIONS)
def test_answer_shape_and_citation_rules(fake_services: Services, question: str) -> None:
    ans = fake_services.coach.ask(question)
    assert ans.safety == "none"
    text = ans.text
    lines = text.splitlines()
    # a reflection first, before any step
    assert lines[0].startswith("It sounds like") and not STEP.match(lines[0])
    assert "Things you could try:" in lines
    steps, closing, sources = _parse(ans)
    assert 2 <= len(steps) <= 4
    assert [int(ln.split(".")[0]) for ln in lines if STEP.match(ln)] == list(range(1, len(steps) + 1))
    for ln in lines:
        if re.match(r"^\d+\. ", ln):
            assert STEP.match(ln), f"step without a trailing [n]: {ln!r}"
    assert closing is not None and closing[0].endswith("?")
    assert "Sources:" in lines
    assert lines.index("Sources:") > max(i for i, ln in enumerate(lines) if ln.startswith("A question"))
    # citation rules: every [n] is listed, every listed source is cited
    assert citation_problems(text, len(ans.citations)) == []
    assert [c.n for c in ans.citations] == list(range(1, len(ans.citations) + 1))
    assert sources == [(c.n, c.article_id) for c in ans.citations]
    cited = {n for _, n in steps} | {closing[1]}
    assert cited == {c.n for c in ans.citations}
    assert ans.grounded_fraction == 1.0


@pytest.mark.parametrize("question", QUESTIONS)
def test_steps_are_verbatim_try_this_bullets(fake_services: Services, question: str) -> None:
    ans = fake_services.coach.ask(question)
    corpus = fake_services.corpus
    by_n = {c.n: c.article_id for c in ans.citations}
    steps, closing, _ = _parse(ans)
    for step, n in steps:
        art = corpus.get(by_n[n])
        assert art is not None
        assert step in art.steps, (step, art.id)
        assert "safety" not in art.topics and "crisis" not in art.topics
    assert closing is not None
    art = corpus.get(by_n[closing[1]])
    assert art is not None and closing[0] in art.questions
    for c in ans.citations:
        art = corpus.get(c.article_id)
        assert art is not None and c.title == art.title and c.passage


def test_a_good_scripted_reflection_is_kept_and_prompt_recorded(fake_services: Services, fake_llm: FakeLLM) -> None:
    question = "My partner goes silent whenever we argue and I feel shut out."
    fake_llm.enqueue(" you feel shut out when your partner goes silent whenever you argue. Extra sentence.")
    fake_services.coach.reflect_from_message = False  # the model's reflection is what is tested here
    ans = fake_services.coach.ask(question)
    first = "It sounds like you feel shut out when your partner goes silent whenever you argue."
    assert ans.text.startswith(first + "\n")
    assert "Extra sentence" not in ans.text
    assert ans.generated_sentences == 1 and ans.generated_kept == 1
    assert len(fake_llm.history) == 1
    assert fake_llm.history[0] == [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": question},
    ]


def test_unsupported_advice_reflection_is_replaced_by_curated_one(fake_services: Services, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue(" you should leave him, it's a red flag.")
    fake_services.coach.reflect_from_message = False
    ans = fake_services.coach.ask("My partner goes silent whenever we argue, what can I do?")
    assert len(fake_llm.history) == 1  # the model was asked...
    assert "leave him" not in ans.text and "red flag" not in ans.text  # ...and its advice dropped
    assert ans.generated_sentences == 1 and ans.generated_kept == 0
    first = ans.text.splitlines()[0]
    curated = Reflections.load(fake_services.settings.knowledge_dir)
    assert curated.is_curated(first)
    assert ans.grounded_fraction == 1.0


def test_unscripted_reply_without_a_clean_sentence_falls_back(fake_services: Services, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue(" you")  # no sentence end: nothing generated survives
    fake_services.coach.reflect_from_message = False
    ans = fake_services.coach.ask("We keep fighting about chores.")
    first = ans.text.splitlines()[0]
    assert Reflections.load(fake_services.settings.knowledge_dir).is_curated(first)


def test_stream_pieces_add_up_to_the_answer(fake_services: Services) -> None:
    events = list(fake_services.coach.stream("My partner goes silent whenever we argue."))
    assert events[-1].done and all(not e.done for e in events[:-1])
    ans = events[-1].answer
    assert ans is not None
    assert "".join(e.text for e in events[:-1]) == ans.text
    assert ans.text.startswith(REFLECTION_PREFIX)


@pytest.mark.parametrize(
    "question, level",
    [
        ("I don't want to be alive anymore", "crisis"),
        ("how do I word things so he doesn't grab my wrist?", "abuse"),
    ],
)
def test_safety_questions_never_reach_the_model(
    fake_services: Services, fake_llm: FakeLLM, question: str, level: str
) -> None:
    ans = fake_services.coach.ask(question)
    assert ans.safety == level
    assert re.search(r"\b\d{3}\b", ans.text), "no phone number in the safety answer"
    assert fake_llm.history == []
    assert ans.citations == []
    assert "Things you could try" not in ans.text
    assert ans.as_json()["safety"] == level


def test_abuse_answer_gives_no_wording_tips(fake_services: Services) -> None:
    ans = fake_services.coach.ask("how do I word things so he doesn't grab my wrist?")
    assert "1-800-799-7233" in ans.text
    assert "not your fault" in ans.text


def test_as_json_keys(fake_services: Services) -> None:
    data = fake_services.coach.ask("My partner goes silent whenever we argue.").as_json()
    # the fields the JSON always had, plus what the coach did with the message
    assert set(data) == {"answer", "citations", "safety", "grounded_fraction", "kind"}
    assert data["kind"] == "answer"
    assert isinstance(data["answer"], str) and data["answer"]
    assert data["citations"] and all(set(c) == {"n", "article_id", "title"} for c in data["citations"])
    assert data["safety"] == "none"
    assert 0.0 <= data["grounded_fraction"] <= 1.0
    crisis = fake_services.coach.ask("I don't want to be alive anymore").as_json()
    assert set(crisis) == {"answer", "citations", "safety", "grounded_fraction", "kind"}
    assert crisis["kind"] == "safety"


def test_a_long_question_is_trimmed_for_the_model_with_a_notice(fake_services: Services, fake_llm: FakeLLM) -> None:
    # 56,000 characters once overflowed the model's window and the UI showed an empty error.
    situation = "My partner goes silent whenever we argue and I feel shut out for days afterwards. "
    question = situation * 200  # about 16,600 characters: under the limit, far over the model's share
    fake_services.coach.reflect_from_message = False
    ans = fake_services.coach.ask(question)
    sent = fake_llm.history[0][1]["content"]
    assert len(sent) <= MODEL_QUESTION_CHARS and question.startswith(sent) and not sent.endswith(" ")
    assert ans.notice and f"{len(sent):,} characters" in ans.notice
    assert ans.text.rstrip().endswith(ans.notice) and ans.as_json()["notice"] == ans.notice
    assert ans.citations  # retrieval still read the question


def test_a_short_question_carries_no_notice(fake_services: Services, fake_llm: FakeLLM) -> None:
    ans = fake_services.coach.ask("My partner goes silent whenever we argue.")
    assert ans.notice == "" and "notice" not in ans.as_json()


def test_the_safety_screen_reads_past_the_models_share(fake_services: Services, fake_llm: FakeLLM) -> None:
    filler = "We had a long talk about the holidays and where to spend them this year. " * 40
    ans = fake_services.coach.ask(filler + "I don't want to be alive anymore.")
    assert len(filler) > MODEL_QUESTION_CHARS
    assert ans.safety == "crisis" and fake_llm.history == []


def test_a_question_over_the_limit_is_refused_before_any_work(fake_services: Services, fake_llm: FakeLLM) -> None:
    with pytest.raises(UsageError, match=r"up to 20,000 characters and this one has 20,001"):
        fake_services.coach.ask("x" * (MAX_QUESTION_CHARS + 1))
    assert fake_llm.history == []
