"""The real bundled chat model and embedder."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.llm.base import ChatMessage, GenOptions, complete

pytestmark = pytest.mark.slow

MESSAGES: list[ChatMessage] = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Name one colour of the sky."},
]


def test_greedy_generation_is_reproducible(real_llm) -> None:  # type: ignore[no-untyped-def]
    opts = GenOptions(max_tokens=16, temperature=0.0, seed=42)
    first = complete(real_llm, MESSAGES, opts)
    second = complete(real_llm, MESSAGES, opts)
    assert isinstance(first, str) and first.strip()
    assert first == second
    assert real_llm.count_tokens(first) <= 16 + 1


def test_prefix_continuation_is_reproducible(real_llm) -> None:  # type: ignore[no-untyped-def]
    opts = GenOptions(max_tokens=16, temperature=0.0, seed=42, prefix="It sounds like", stop=("\n",))
    a = complete(real_llm, MESSAGES, opts)
    b = complete(real_llm, MESSAGES, opts)
    assert a.strip() and a == b
    assert not a.startswith("It sounds like")  # the stream yields the continuation only
    assert "\n" not in a


def test_chat_template_comes_from_gguf_metadata(real_llm) -> None:  # type: ignore[no-untyped-def]
    meta = real_llm.metadata
    template = meta.get("tokenizer.chat_template")
    assert template and "{%" in template
    prompt = real_llm._formatter()(messages=list(MESSAGES)).prompt
    assert "Name one colour of the sky." in prompt
    # SmolLM2's template is ChatML; the formatted prompt must use the template's markers.
    assert "<|im_start|>" in template and "<|im_start|>user" in prompt


def test_warm_leaves_model_usable(real_llm) -> None:  # type: ignore[no-untyped-def]
    real_llm.warm("You are a calm coach.")
    out = complete(real_llm, MESSAGES, GenOptions(max_tokens=8))
    assert out.strip()


def test_real_embedder_dimensions_and_paraphrase(real_embedder) -> None:  # type: ignore[no-untyped-def]
    vecs = real_embedder.embed(
        [
            "How can we stop fighting so much?",
            "How do we argue less?",
            "The train to Leeds leaves at noon.",
        ]
    )
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    para = float(vecs[0] @ vecs[1])
    unrelated = float(vecs[0] @ vecs[2])
    assert para > unrelated + 0.2, (para, unrelated)
    again = real_embedder.embed(["How can we stop fighting so much?"])
    assert np.allclose(again[0], vecs[0], atol=1e-5)
