"""What a message is retrieved on inside a conversation.

An elliptical follow-up ("Should I talk to him about it?") carries little topic of its own, so it
is retrieved on itself leaning on the thread (what the earlier answered turns were about); a
message rich in words of its own stands mostly on itself. The lean is soft, by the number of
topic-carrying words, so a short new question ("And what about her mother?") still moves the
search: nothing has to guess "follow-up or not" exactly.
"""

from __future__ import annotations

import numpy as np

from assistant.embed import Embedder

ALONE_WORDS = 6  # a message with this many topic words of its own stands alone
THREAD_WORDS = 80  # the thread is capped (the most recent words) so it cannot grow without end


def own_weight(content_words: int, has_thread: bool) -> float:
    """How much of the query is the message itself (the rest is the thread)."""
    if not has_thread:
        return 1.0
    return min(1.0, 0.35 + 0.1 * content_words) if content_words < ALONE_WORDS else 1.0


def cap(text: str, words: int = THREAD_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[-words:])


def topic_of(thread: str, message: str, weight: float) -> str:
    """The topic the next follow-up will lean on."""
    return message if weight >= 1.0 or not thread else cap(f"{thread} {message}")


def blend(embedder: Embedder, message_vec: np.ndarray, thread: str, weight: float) -> np.ndarray:
    if weight >= 1.0 or not thread:
        return message_vec
    v = weight * message_vec + (1 - weight) * embedder.embed([cap(thread)])[0]
    return v / (float(np.linalg.norm(v)) or 1.0)
