"""The grounding check: support of cited sentences, citation rules, reflections."""

from __future__ import annotations

import pytest

from assistant.config import PROJECT_ROOT
from assistant.embed import FakeEmbedder
from assistant.grounding import (
    GroundingChecker,
    citation_problems,
    citations,
    lexical_overlap,
    passage_sentences,
    split_sentences,
    strip_citations,
)
from assistant.kb.corpus import load

ARTICLE = load(PROJECT_ROOT / "knowledge").get("four-horsemen")
assert ARTICLE is not None
PASSAGE = ARTICLE.body
COPIED = (
    "Stonewalling is withdrawing from the interaction: going silent, looking away, turning to a "
    "phone, leaving the room without a word."
)
UNRELATED = "The train to Leeds leaves at noon, so pack sandwiches and a warm coat [1]."
QUESTION = "My partner goes silent whenever we argue and I feel shut out."


@pytest.fixture
def checker() -> GroundingChecker:
    return GroundingChecker(FakeEmbedder())


def test_helpers() -> None:
    assert split_sentences("One thing. Two things! Three?  ") == ["One thing.", "Two things!", "Three?"]
    assert citations("Do this [1] and that [12].") == [1, 12]
    assert strip_citations("Do this [2]") == "Do this"
    assert lexical_overlap("stonewalling contempt", PASSAGE) == 1.0
    assert lexical_overlap("zebra giraffe", PASSAGE) == 0.0
    sents = passage_sentences("## Heading\n- A bullet. Second sentence.\n\nPlain line.")
    assert sents == ["Heading", "A bullet.", "Second sentence.", "Plain line."]


def test_support_accepts_copied_sentence(checker: GroundingChecker) -> None:
    s = checker.support(COPIED + " [1]", PASSAGE)
    assert s.supported
    assert s.cosine > 0.99 and s.overlap == 1.0


def test_support_accepts_copied_try_this_step(checker: GroundingChecker) -> None:
    for step in ARTICLE.steps:
        assert checker.support(f"{step} [2]", PASSAGE).supported, step


def test_support_rejects_unrelated_sentence(checker: GroundingChecker) -> None:
    s = checker.support(UNRELATED, PASSAGE)
    assert not s.supported
    assert s.overlap < 0.5


def test_support_rejects_invented_specifics(checker: GroundingChecker) -> None:
    s = checker.support("Gottman found that couples who eat spicy food divorce within three years [1].", PASSAGE)
    assert not s.supported


@pytest.mark.slow
def test_support_with_real_embedder(real_embedder) -> None:  # type: ignore[no-untyped-def]
    c = GroundingChecker(real_embedder)
    assert c.support(COPIED + " [1]", PASSAGE).supported
    assert not c.support(UNRELATED, PASSAGE).supported
    # A close paraphrase of a passage sentence still counts as supported.
    para = "Stonewalling means withdrawing from the interaction, going silent or leaving the room without a word [1]."
    assert c.support(para, PASSAGE).supported
    for step in ARTICLE.steps:
        assert c.support(f"{step} [1]", PASSAGE).supported, step
    # The step of an unrelated article is not supported by this one.
    other = load(PROJECT_ROOT / "knowledge").get("long-distance-rituals")
    assert other is not None
    assert not c.support(other.steps[0] + " [1]", PASSAGE).supported


def test_citation_problems() -> None:
    assert citation_problems("Do this [1]. And that [2].", 2) == []
    out_of_range = citation_problems("Do this [1]. And that [2]. Also [3].", 2)
    assert out_of_range == ["[3] points to no listed source"]
    uncited = citation_problems("Do this [1].", 2)
    assert uncited == ["source [2] is never cited"]
    both = citation_problems("Only [3].", 2)
    assert "[3] points to no listed source" in both
    assert "source [1] is never cited" in both and "source [2] is never cited" in both
    assert citation_problems("[0] is never valid", 0) == ["[0] points to no listed source"]


@pytest.mark.parametrize(
    "sentence",
    [
        "You should see a therapist.",
        "I'm here for you.",
        "I am not a therapist, but you feel shut out.",
        "It sounds like you might need to leave him, it's a red flag.",
        "It sounds like you consider this abuse.",
        "Do you feel shut out when your partner goes silent?",
        "It sounds like your partner has an underlying issue with silence when you argue.",
    ],
)
def test_is_reflection_rejects_advice_self_talk_and_questions(checker: GroundingChecker, sentence: str) -> None:
    assert not checker.is_reflection(sentence, QUESTION)


def test_is_reflection_accepts_a_mirror_of_the_question(checker: GroundingChecker) -> None:
    good = "It sounds like you feel shut out when your partner goes silent whenever you argue."
    assert checker.is_reflection(good, QUESTION)


def test_is_reflection_rejects_off_topic_and_overlong(checker: GroundingChecker) -> None:
    assert not checker.is_reflection("It sounds like you enjoy trains to Leeds at noon.", QUESTION)
    long = "It sounds like you feel shut out " + "and " * 40 + "alone."
    assert not checker.is_reflection(long, QUESTION)
    # must be about the user ("you")
    assert not checker.is_reflection("It sounds like the partner goes silent whenever we argue.", QUESTION)
