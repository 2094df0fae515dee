"""The scripted LLM used by unit tests: records prompts, streams scripted replies."""

from __future__ import annotations

from assistant.llm.base import ChatMessage, GenOptions, complete
from assistant.llm.fake import FakeLLM


def _msgs(text: str) -> list[ChatMessage]:
    return [{"role": "system", "content": "sys"}, {"role": "user", "content": text}]


def test_records_prompts_and_streams_scripted_replies_in_order() -> None:
    llm = FakeLLM()
    llm.enqueue("First reply here.", "Second one.")
    pieces = list(llm.stream(_msgs("one"), GenOptions()))
    assert len(pieces) == 3  # streamed word by word, not in one piece
    assert "".join(pieces) == "First reply here."
    assert complete(llm, _msgs("two"), GenOptions()) == "Second one."
    assert llm.history == [_msgs("one"), _msgs("two")]


def test_default_reply_when_queue_empty() -> None:
    llm = FakeLLM(default="Default answer.")
    assert complete(llm, _msgs("x"), GenOptions()) == "Default answer."
    assert FakeLLM(["A", "B"]).replies == ["A", "B"]


def test_history_is_a_copy_of_the_messages() -> None:
    llm = FakeLLM()
    msgs = _msgs("original")
    complete(llm, msgs, GenOptions())
    msgs[1]["content"] = "mutated"
    assert llm.history[0][1]["content"] == "original"


def test_warm_records_system_prompt() -> None:
    llm = FakeLLM()
    llm.warm("be kind")
    assert llm.warmed == ["be kind"]
    assert llm.history == []
