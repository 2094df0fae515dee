"""Hybrid search: FakeEmbedder + real chromadb in a tmp folder."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from assistant.config import PROJECT_ROOT
from assistant.embed import FakeEmbedder
from assistant.kb.corpus import Corpus, load
from assistant.kb.index import KnowledgeIndex
from assistant.kb.lexical import tokens

KNOWLEDGE = PROJECT_ROOT / "knowledge"


class CountingEmbedder:
    """A real FakeEmbedder that counts how many texts it was asked to embed."""

    dim = 384

    def __init__(self) -> None:
        self.inner = FakeEmbedder()
        self.calls = 0
        self.texts = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load(KNOWLEDGE)


@pytest.fixture(scope="module")
def index(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeIndex:
    return KnowledgeIndex(corpus, FakeEmbedder(), tmp_path_factory.mktemp("idx"), "FakeEmbedder")


def test_first_build_embeds_then_reuses(corpus: Corpus, tmp_path: Path) -> None:
    path = tmp_path / "index"
    e1 = CountingEmbedder()
    first = KnowledgeIndex(corpus, e1, path, "FakeEmbedder")
    assert first.rebuilt is True
    assert e1.texts == len(first.chunks) > 100
    assert first.collection.count() == len(first.chunks)

    e2 = CountingEmbedder()
    second = KnowledgeIndex(corpus, e2, path, "FakeEmbedder")
    assert second.rebuilt is False
    assert e2.calls == 0 and e2.texts == 0
    # and it still answers queries (embedding only the query)
    assert second.search("we argue about chores", k=2)
    assert e2.texts == 1


def test_changed_embedder_name_rebuilds(corpus: Corpus, tmp_path: Path) -> None:
    path = tmp_path / "index"
    KnowledgeIndex(corpus, FakeEmbedder(), path, "FakeEmbedder")
    again = KnowledgeIndex(corpus, FakeEmbedder(), path, "SomeOtherEmbedder")
    assert again.rebuilt is True


def test_changed_article_rebuilds(tmp_path: Path) -> None:
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    path = tmp_path / "index"
    assert KnowledgeIndex(load(kdir), FakeEmbedder(), path, "FakeEmbedder").rebuilt
    assert not KnowledgeIndex(load(kdir), FakeEmbedder(), path, "FakeEmbedder").rebuilt

    art = kdir / "articles" / "jealousy.md"
    text = art.read_text(encoding="utf-8")
    art.write_text(text.replace("## Try this", "Zanzibarish feelings pass.\n\n## Try this", 1), encoding="utf-8")
    e = CountingEmbedder()
    changed = KnowledgeIndex(load(kdir), e, path, "FakeEmbedder")
    assert changed.rebuilt is True and e.texts == len(changed.chunks)
    # the stored vector of the edited section is the new text's
    (cid,) = changed.lexical("zanzibarish", 5)
    assert cid.startswith("jealousy#")
    stored = changed.collection.get(ids=[cid], include=["embeddings"])["embeddings"][0]
    fresh = FakeEmbedder().embed([changed._by_id[cid].text])[0]
    assert np.allclose(np.asarray(stored), fresh, atol=1e-5)


def _rare_words(corpus: Corpus) -> dict[str, str]:
    """Words (as written) whose lexical token occurs in exactly one article; long ones only."""
    where: dict[str, set[str]] = defaultdict(set)
    for ch in corpus.chunks():
        for t in tokens(ch.text):
            where[t].add(ch.article_id)
    out: dict[str, str] = {}
    for ch in corpus.chunks():
        for word in re.findall(r"[A-Za-z]+", ch.text):
            toks = tokens(word)
            if len(word) >= 9 and len(toks) == 1 and len(where[toks[0]]) == 1:
                out.setdefault(word.lower(), ch.article_id)
    return dict(sorted(out.items()))


@pytest.mark.parametrize(
    "query, article_id",
    [
        ("Bartholomew", "attachment-styles"),
        ("our kids are bilingual", "cultural-differences"),
        ("collectivism", "cultural-differences"),
        ("what is capitalization", "celebrating-milestones"),
    ],
)
def test_rare_exact_word_ranks_its_article_top3(index: KnowledgeIndex, query: str, article_id: str) -> None:
    # Each query's content word occurs in exactly one article: BM25 ranks that article's
    # section first, and the fused ranking must keep it in the top 3.
    assert index.lexical(query, 1) and index._by_id[index.lexical(query, 1)[0]].article_id == article_id
    ids = [h.article_id for h in index.search(query, k=4)]
    assert article_id in ids[:3], ids


def test_rare_words_sample(index: KnowledgeIndex, corpus: Corpus) -> None:
    """Every 10th word that occurs in exactly one article, searched on its own."""
    rare = _rare_words(corpus)
    assert len(rare) > 50
    sample = list(rare.items())[::10]
    misses = []
    for word, aid in sample:
        ids = [h.article_id for h in index.search(word, k=3)]
        if aid not in ids:
            misses.append((word, aid, ids))
    assert not misses, f"{len(misses)}/{len(sample)} rare words missed: {misses[:5]}"


def test_results_grouped_by_article(index: KnowledgeIndex) -> None:
    for q in ("my partner goes silent when we argue", "jealousy and trust", "money fights"):
        hits = index.search(q, k=6)
        ids = [h.article_id for h in hits]
        assert len(hits) == 6
        assert len(ids) == len(set(ids)), ids
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        for h in hits:
            assert h.chunk_id.startswith(h.article_id + "#")
            assert h.text.startswith(h.title)


def test_hit_as_json_keys(index: KnowledgeIndex) -> None:
    hit = index.search("silent treatment", k=1)[0]
    assert set(hit.as_json()) == {"article_id", "title", "topics", "score", "text"}
    assert isinstance(hit.as_json()["topics"], list)


def test_lexical_only_returns_matching_chunks(index: KnowledgeIndex) -> None:
    assert index.lexical("qwertyuiopasdf", 10) == []
    ids = index.lexical("stonewalling", 5)
    assert ids and all("stonewalling" in index._by_id[i].text.lower() for i in ids)
