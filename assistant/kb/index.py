"""Hybrid search over the knowledge base: chromadb (dense, our own embeddings) + BM25
(lexical), fused with reciprocal rank fusion and grouped by article.

The chromadb folder lives in the data folder with telemetry off. We always hand chromadb the
embeddings ourselves: its default embedding function would download a model. The collection
records the base's content hash and the embedder's name; a start with an unchanged base reuses
it without embedding anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.embed import Embedder
from assistant.kb.corpus import Chunk, Corpus
from assistant.kb.lexical import BM25
from assistant.locks import exclusive

log = logging.getLogger(__name__)
COLLECTION = "knowledge"
RRF_K = 60


@dataclass(frozen=True)
class Hit:
    article_id: str
    title: str
    topics: tuple[str, ...]
    score: float
    text: str
    heading: str
    chunk_id: str

    def as_json(self) -> dict:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "topics": list(self.topics),
            "score": round(self.score, 6),
            "text": self.text,
        }


def open_client(path: Path):  # type: ignore[no-untyped-def]
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    )


def index_state(corpus: Corpus, path: Path, embedder_name: str) -> str:
    """'up to date', 'stale' or 'missing', without building anything (for `hearth doctor`)."""
    if not path.exists():
        return "missing"
    try:
        with exclusive(path / ".build.lock"):  # a first open migrates the schema (see KnowledgeIndex)
            coll = open_client(path).get_collection(COLLECTION, embedding_function=None)
    except Exception:  # chromadb raises different errors across versions for "missing"
        return "missing"
    meta = coll.metadata or {}
    ok = meta.get("fingerprint") == f"{corpus.content_hash}:{embedder_name}" and coll.count() == len(corpus.chunks())
    return "up to date" if ok else "stale"


class KnowledgeIndex:
    def __init__(self, corpus: Corpus, embedder: Embedder, path: Path, embedder_name: str) -> None:
        self.corpus = corpus
        self.embedder = embedder
        self.chunks: list[Chunk] = corpus.chunks()
        self._by_id = {c.id: c for c in self.chunks}
        self._bm25 = BM25([c.text for c in self.chunks])
        self.fingerprint = f"{corpus.content_hash}:{embedder_name}"
        self.rebuilt = False
        # Two processes starting on a fresh data folder would both build the collection, and
        # opening the client is inside the lock too: chromadb runs its schema migrations when the
        # client opens, and two first opens race to create the same tables.
        path.mkdir(parents=True, exist_ok=True)
        with exclusive(path / ".build.lock"):
            self.client = open_client(path)
            self.collection = self._ensure()

    def _ensure(self):  # type: ignore[no-untyped-def]
        existing = None
        try:
            existing = self.client.get_collection(COLLECTION, embedding_function=None)
        except Exception:  # chromadb raises different errors across versions for "missing"
            existing = None
        if existing is not None:
            meta = existing.metadata or {}
            if meta.get("fingerprint") == self.fingerprint and existing.count() == len(self.chunks):
                return existing
            self.client.delete_collection(COLLECTION)
        log.info("building the knowledge index (%d chunks)", len(self.chunks))
        coll = self.client.create_collection(
            COLLECTION,
            embedding_function=None,
            # A few hundred sections: a wide HNSW search is exact in practice, so every install
            # returns the same neighbours for the same question.
            metadata={
                "fingerprint": self.fingerprint,
                "hnsw:space": "cosine",
                "hnsw:construction_ef": 400,
                "hnsw:search_ef": 400,
                "hnsw:M": 32,
            },
        )
        vecs = self.embedder.embed([c.text for c in self.chunks])
        coll.add(
            ids=[c.id for c in self.chunks],
            embeddings=vecs.tolist(),
            metadatas=[{"article_id": c.article_id} for c in self.chunks],
        )
        self.rebuilt = True
        return coll

    def dense(self, query: str, n: int, qvec: np.ndarray | None = None) -> list[str]:
        qv = self.embedder.embed([query])[0] if qvec is None else qvec
        res = self.collection.query(query_embeddings=[qv.tolist()], n_results=min(n, len(self.chunks)))
        return list(res["ids"][0])

    def lexical(self, query: str, n: int) -> list[str]:
        scores = self._bm25.scores(query)
        order = np.argsort(-np.asarray(scores), kind="stable")[:n]
        return [self.chunks[i].id for i in order if scores[i] > 0]

    def search(self, query: str, k: int = 4, pool: int = 30, qvec: np.ndarray | None = None) -> list[Hit]:
        """Top-k articles for a query; each carries its best-matching section. Pass `qvec` when
        the caller already embedded the query."""
        fused: dict[str, float] = {}
        for rank, cid in enumerate(self.dense(query, pool, qvec)):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        # Lexical hits add their rank share plus a share of their strength: plain RRF throws the
        # strength away, and a word that occurs in a single article (a name, a rare term) then
        # loses to sections that are only middling in both lists.
        scores = np.asarray(self._bm25.scores(query))
        top = float(scores.max()) if scores.size else 0.0
        for rank, i in enumerate(np.argsort(-scores, kind="stable")[:pool]):
            if scores[i] <= 0:
                break
            cid = self.chunks[int(i)].id
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1) + (scores[i] / top) ** 2 / (RRF_K + 1)
        best: dict[str, tuple[float, str]] = {}
        totals: dict[str, float] = {}
        for cid, score in fused.items():
            aid = self._by_id[cid].article_id
            # An article's score: its best section plus a small bonus for other matching sections.
            totals[aid] = totals.get(aid, 0.0) + score
            if aid not in best or score > best[aid][0]:
                best[aid] = (score, cid)
        ranked = sorted(best, key=lambda a: -(best[a][0] + 0.25 * (totals[a] - best[a][0])))
        hits = []
        for aid in ranked[:k]:
            score, cid = best[aid]
            c = self._by_id[cid]
            total = score + 0.25 * (totals[aid] - score)
            hits.append(Hit(aid, c.title, c.topics, total, c.text, c.heading, c.id))
        return hits
