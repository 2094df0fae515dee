"""A scripted LLM for unit tests: replies come from a queue; every prompt is recorded."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.llm.base import ChatMessage, GenOptions


class FakeLLM:
    name = "fake"

    def __init__(self, replies: list[str] | None = None, default: str = "I hear you.") -> None:
        self.replies: list[str] = list(replies or [])
        self.default = default
        self.history: list[list[ChatMessage]] = []
        self.warmed: list[str] = []

    def enqueue(self, *replies: str) -> None:
        self.replies.extend(replies)

    def stream(self, messages: list[ChatMessage], options: GenOptions) -> Iterator[str]:
        self.history.append([dict(m) for m in messages])  # type: ignore[misc]
        reply = self.replies.pop(0) if self.replies else self.default
        words = reply.split(" ")
        for i, word in enumerate(words):
            yield word if i == 0 else " " + word

    def warm(self, system_prompt: str) -> None:
        self.warmed.append(system_prompt)
