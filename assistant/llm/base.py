"""The LLM protocol: a stream of text for a list of chat messages. Everything else (prompting,
grounding, streaming to the UI) lives around it, so a backend implements one method."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypedDict


class ChatMessage(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class GenOptions:
    max_tokens: int = 160
    temperature: float = 0.0
    seed: int = 42
    stop: tuple[str, ...] = field(default_factory=tuple)
    # The reply is made to start with this text and the model continues it; the stream yields
    # the continuation only. Steering a tiny model with a prefix beats asking it nicely.
    prefix: str = ""


class LLM(Protocol):
    name: str

    def stream(self, messages: list[ChatMessage], options: GenOptions) -> Iterator[str]:
        """Yield the reply in pieces as they are generated."""
        ...

    def warm(self, system_prompt: str) -> None:
        """Precompute whatever a fixed system prompt costs, so questions need not pay it."""
        ...


def complete(llm: LLM, messages: list[ChatMessage], options: GenOptions) -> str:
    return "".join(llm.stream(messages, options))


def warm_by_one_token(llm: LLM, system_prompt: str) -> None:
    """Generate one token after the system block, so a backend's prompt cache holds that block."""
    messages: list[ChatMessage] = [{"role": "system", "content": system_prompt}, {"role": "user", "content": "Hi"}]
    complete(llm, messages, GenOptions(max_tokens=1))
