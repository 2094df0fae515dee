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


# --- the coach in generative mode (fake LLM that writes from the passages it is given) ----------


class PassageWriter(FakeLLM):
    """Writes one sentence copied from passage [1] (supported), one invented claim citing [2]."""

    def stream(self, messages: list[ChatMessage], options: GenOptions) -> Iterator[str]:
        import re

        from assistant.generative import PROMPT

        if messages[0]["content"] != PROMPT:
            yield from super().stream(messages, options)
            return
        self.history.append([dict(m) for m in messages])  # type: ignore[misc]
        user = messages[-1]["content"]
        first = user.split("[1] ", 1)[1].split("\n", 1)[1]
        bullet = next(ln.strip("-* ").strip() for ln in first.splitlines() if len(ln.split()) >= 6)
        bullet = re.sub(r"[.!?]+$", "", bullet)
        yield from (f"{bullet} [1]. ", "Buy your partner a speedboat and a castle in Scotland [2].")


def test_the_coach_in_generative_mode_ships_only_checked_cited_sentences(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assistant.config import Settings
    from assistant.grounding import citations as cites
    from assistant.services import Services

    s = Settings(home=tmp_path / "home", llm_backend="fake", embed_backend="fake", coach_mode="generative")
    llm = PassageWriter()
    svc = Services(s, llm=llm, embedder=FakeEmbedder())
    assert svc.coach_mode == "generative" and svc.coach.writer is not None
    ans = svc.coach.ask("My partner goes silent for days whenever we argue and I feel shut out.")
    assert ans.safety == "none", ans.text
    assert any(m[0]["content"].startswith("You are a careful relationship coach") for m in llm.history)
    assert "Things you could try" not in ans.text and "speedboat" not in ans.text
    assert ans.generation["generated"] == 2 and ans.generation["kept"] >= 1
    assert ans.generation["replaced"] + ans.generation["dropped"] + ans.generation["recited"] == 1
    listed = {c.n for c in ans.citations}
    assert set(cites(ans.text)) == listed
    assert ans.grounded_fraction == 1.0
    assert ans.as_json()["generation"] == ans.generation


def test_auto_mode_keeps_the_bundled_size_model_extractive(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assistant.config import Settings
    from assistant.services import Services

    s = Settings(home=tmp_path / "home", llm_backend="fake", embed_backend="fake")
    svc = Services(s, llm=FakeLLM(), embedder=FakeEmbedder())
    assert svc.coach_mode == "extractive" and svc.coach.writer is None
    big = FakeLLM()
    big.name = "qwen2.5-7b-instruct"  # type: ignore[misc]
    assert Services(s, llm=big, embedder=FakeEmbedder()).coach_mode == "generative"
