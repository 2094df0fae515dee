"""The deterministic hashing embedder used by unit tests."""

from __future__ import annotations

import numpy as np

from assistant.embed import DIM, FakeEmbedder


def test_shape_dtype_and_norm() -> None:
    vecs = FakeEmbedder().embed(["We keep arguing about chores.", "hello", "a b c d e f"])
    assert DIM == 384 and FakeEmbedder.dim == 384
    assert vecs.shape == (3, 384)
    assert vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_deterministic_across_instances() -> None:
    text = "My partner goes silent when we argue."
    a = FakeEmbedder().embed([text])
    b = FakeEmbedder().embed([text, "other"])[:1]
    assert np.array_equal(a, b)


def test_shared_words_are_closer() -> None:
    e = FakeEmbedder()
    base, near, far = e.embed(
        [
            "my partner goes silent whenever we argue",
            "my partner goes silent after we argue about money",
            "the train to leeds leaves at noon tomorrow",
        ]
    )
    assert float(base @ near) > float(base @ far) + 0.2
    assert float(base @ base) > 0.999


def test_empty_inputs() -> None:
    e = FakeEmbedder()
    assert e.embed([]).shape == (0, 384)
    row = e.embed([""])
    assert row.shape == (1, 384) and not np.any(row)
