"""Generative grounded mode with the scripted fake LLM and the deterministic fake embedder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.embed import FakeEmbedder
from assistant.generative import GroundedWriter, Source, Tally, choose_mode, parameter_count
from assistant.grounding import GroundingChecker, citations
from assistant.llm.base import ChatMessage, GenOptions
from assistant.llm.fake import FakeLLM

FLOOD = "When your heart races during a fight, say that you need a pause and agree on a time to come back."
BIDS = "Notice the small bids your partner makes for attention and turn toward them when you can."
SOURCES = [
    Source(1, "stonewalling-flooding", "Stonewalling and flooding", f"## Try this\n\n- {FLOOD}\n- Breathe slowly."),
    Source(2, "bids-for-connection", "Bids for connection", f"## Try this\n\n- {BIDS}\n- Put the phone away."),
]
QUESTION = "My partner shuts down whenever we argue and I feel alone."


def run(reply: str) -> tuple[list[str], Tally]:
    writer = GroundedWriter(FakeLLM([reply]), GroundingChecker(FakeEmbedder()))
    tally = Tally()
    return list(writer.stream(QUESTION, SOURCES, tally)), tally


def test_a_supported_sentence_is_kept_with_its_citation() -> None:
    out, tally = run(f"{FLOOD[:-1]} [1].")
    assert out == [f"{FLOOD[:-1]} [1]."]
    assert (tally.generated, tally.kept, tally.replaced, tally.dropped) == (1, 1, 0, 0)
    assert tally.cited == {1}


def test_a_miscited_sentence_is_re_attributed_to_the_source_that_supports_it() -> None:
    out, tally = run(f"{BIDS[:-1]} [1]. {FLOOD[:-1]} [7].")
    assert [citations(s) for s in out] == [[2], [1]]
    assert tally.recited == 2 and tally.cited == {1, 2}


def test_an_unsupported_sentence_is_replaced_by_the_sources_own_words() -> None:
    invented = FLOOD[:-1] + (
        " and then buy an expensive gift, book a luxury cruise to Norway, move to another city, sell the house,"
        " adopt three cats and quit your job tomorrow morning [1]."
    )
    out, tally = run(invented)
    assert out == [f"{FLOOD[:-1]} [1]."]
    assert tally.replaced == 1 and tally.kept == 0 and tally.grounded_before == 0.0


def test_a_sentence_no_source_is_near_is_dropped() -> None:
    out, tally = run("The capital of France is Paris and the Seine is long [2]. " + f"{BIDS[:-1]} [2].")
    assert out == [f"{BIDS[:-1]} [2]."]
    assert tally.dropped == 1 and tally.kept == 1
    assert tally.as_json()["grounded_before_replacement"] == 0.5


def test_every_shipped_sentence_cites_a_listed_source() -> None:
    reply = (f"{FLOOD[:-1]} [3]. You should leave him tonight [1]. {BIDS[:-1]}. "
             "Couples who argue are doomed, studies prove it [2].")  # fmt: skip
    out, _ = run(reply)
    assert out, "something survives"
    for s in out:
        assert citations(s) and set(citations(s)) <= {1, 2}


def test_sentences_are_checked_and_shown_as_the_stream_arrives() -> None:
    seen: list[str] = []

    class Slow(FakeLLM):
        def stream(self, messages: list[ChatMessage], options: GenOptions) -> Iterator[str]:
            for piece in (f"{FLOOD[:-1]} [1]. ", f"{BIDS[:-1]} [2]. ", "Third sentence here [1]."):
                seen.append(piece)
                yield piece

    writer = GroundedWriter(Slow(), GroundingChecker(FakeEmbedder()))
    first = next(writer.stream(QUESTION, SOURCES, Tally()))
    assert first.startswith("When your heart races") and len(seen) == 2  # not after the whole reply


def test_the_prompt_carries_the_numbered_passages() -> None:
    llm = FakeLLM([f"{FLOOD[:-1]} [1]."])
    list(GroundedWriter(llm, GroundingChecker(FakeEmbedder())).stream(QUESTION, SOURCES, Tally()))
    user = llm.history[0][-1]["content"]
    assert "[1] Stonewalling and flooding" in user and "[2] Bids for connection" in user and QUESTION in user


@pytest.mark.parametrize(
    ("name", "meta", "expected"),
    [
        ("smollm2-135m-instruct", None, 135e6),
        ("qwen2.5-7b-instruct", None, 7e9),
        ("Llama-3.1-8B-Instruct", None, 8e9),
        ("Mixtral-8x7B", None, 56e9),
        ("model.gguf", {"general.size_label": "1.7B"}, 1.7e9),
        ("model.gguf", {"general.parameter_count": "134515008"}, 134515008.0),
        ("my-clinic-model", None, None),
    ],
)
def test_parameter_count_from_metadata_or_name(name: str, meta: dict | None, expected: float | None) -> None:
    assert parameter_count(name, meta) == pytest.approx(expected) if expected else parameter_count(name, meta) is None


def test_auto_mode_picks_generative_only_for_a_model_known_to_be_big() -> None:
    assert choose_mode("auto", 7e9, 3e9) == "generative"
    assert choose_mode("auto", 135e6, 3e9) == "extractive"
    assert choose_mode("auto", None, 3e9) == "extractive"
    assert choose_mode("generative", 135e6, 3e9) == "generative"
    assert choose_mode("extractive", 70e9, 3e9) == "extractive"


def test_citation_rules_for_kept_source_numbers() -> None:
    from assistant.generative import citation_problems

    assert citation_problems("One [1]. Three [3].", {1, 3}) == []
    assert citation_problems("One [1]. Two [2].", {1, 3}) == [
        "[2] points to no listed source",
        "source [3] is never cited",
    ]
