"""Red-flag patterns in journal entries: sentence embeddings + a trained linear head + the
shared safety screen.

- The head is one-vs-rest logistic regression over the bundled MiniLM embedding concatenated
  with TF-IDF word uni- and bigrams (the embedding carries meaning, the n-grams carry the
  cue phrases; together they beat either alone by about 0.07 macro-F1 in cross-validation).
  It is trained on the team-written set in knowledge/training/ (provenance in its README).
  Per-label thresholds are picked by 5-fold cross-validation on that set (best F1), so a
  score is comparable across labels: `score` is the probability rescaled so that the label's
  threshold maps to 0.5.
- The decision is made on the whole entry; the evidence is the entry's sentences that score
  highest for that label (sentence scores are noisier, so they only point, never decide).
- abuse_risk and self_harm_risk are decided by the safety detector (assistant/safety/), the same
  one the coach uses (rule phrases united with its learned heads, sentence by sentence): this
  head's own scores for those two labels are not used, so the journal and the coach never
  disagree about danger. Coercive-control signs (monitoring, isolation, financial control) the
  detector finds also raise "controlling".
- The trained head is cached under the data folder's cache/, keyed by the hash of the training
  data and the embedder; it holds nothing a user wrote.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from assistant.embed import Embedder
from assistant.journal.cues import cue_hits
from assistant.locks import exclusive, unique_sibling
from assistant.safety import SafetyResult, screen, sentences

if TYPE_CHECKING:
    from assistant.safety.detector import Detector

log = logging.getLogger(__name__)

# Every option that changes the trained head. The cache key covers these and the library
# versions, so a change to either retrains instead of loading a head trained differently.
TRAIN_OPTIONS: dict[str, Any] = {
    "ngram_range": (1, 2),
    "min_df": 2,
    "sublinear_tf": True,
    "C": 4.0,
    "class_weight": "balanced",
    "solver": "liblinear",
    "max_iter": 500,
    "folds": 5,
    "fold_seed": 7,
    "threshold_grid": (0.1, 0.95, 86),
}


def cache_key(rows: list[tuple[str, list[str]]], embedder_name: str) -> str:
    import sklearn

    digest = hashlib.sha256()
    digest.update(json.dumps(rows).encode())
    digest.update(embedder_name.encode())
    digest.update(json.dumps(TRAIN_OPTIONS, sort_keys=True).encode())
    digest.update(f"sklearn={sklearn.__version__} numpy={np.__version__}".encode())
    return digest.hexdigest()[:16]


FLAGS = [
    "criticism",
    "contempt",
    "defensiveness",
    "stonewalling",
    "escalation",
    "avoidance",
    "codependency",
    "enmeshment",
    "abandonment_fear",
    "boundary_guilt",
    "burnout",
    "isolation",
    "controlling",
    "gaslighting",
    "trust_breach",
    "abuse_risk",
    "self_harm_risk",
]
STRENGTHS = ["appreciation", "repair", "vulnerability", "quality_time", "healthy_boundary"]
LABELS = FLAGS + STRENGTHS
SAFETY_LABELS = {"abuse_risk": "abuse", "self_harm_risk": "crisis"}
# Patterns a coaching question may describe that call for care instead of tips (coach.py).
CARE_PATTERNS = ("gaslighting", "controlling", "isolation")


@dataclass
class Finding:
    label: str
    score: float
    evidence: list[str]
    explanation: str
    article_id: str
    spans: list[tuple[int, int]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "score": round(self.score, 3),
            "evidence": self.evidence,
            "explanation": self.explanation,
            "article_id": self.article_id,
        }


@dataclass
class Analysis:
    flags: list[Finding]
    strengths: list[Finding]
    safety: str = "none"

    def as_json(self) -> dict[str, Any]:
        return {
            "flags": [f.as_json() for f in self.flags],
            "strengths": [s.as_json() for s in self.strengths],
            "safety": self.safety,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Analysis:
        def finding(d: dict[str, Any]) -> Finding:
            return Finding(
                d["label"],
                float(d["score"]),
                list(d.get("evidence", [])),
                d.get("explanation", ""),
                d.get("article_id", ""),
            )

        return cls(
            [finding(d) for d in data.get("flags", [])],
            [finding(d) for d in data.get("strengths", [])],
            data.get("safety", "none"),
        )


@dataclass(frozen=True)
class Taxonomy:
    explanation: dict[str, str]
    article: dict[str, str]
    name: dict[str, str]
    why: dict[str, str]

    @classmethod
    def load(cls, knowledge_dir: Path) -> Taxonomy:
        data = yaml.safe_load((knowledge_dir / "redflags.yaml").read_text(encoding="utf-8"))
        items = data["flags"] + data["strengths"]
        return cls(
            {d["id"]: d.get("explanation", d.get("description", "")) for d in items},
            {d["id"]: (d.get("articles") or [""])[0] for d in items},
            {d["id"]: d.get("name", d["id"]) for d in items},
            {d["id"]: d.get("why_it_matters", "") for d in items},
        )


def load_training(knowledge_dir: Path) -> list[tuple[str, list[str]]]:
    rows = []
    for path in sorted((knowledge_dir / "training").glob("redflags_train*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                rows.append((obj["text"], [lab for lab in obj["labels"] if lab in LABELS]))
    return rows


class Features:
    """MiniLM embedding (L2-normalised) concatenated with sublinear TF-IDF n-grams."""

    def __init__(self, embedder: Embedder, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.embedder = embedder
        self.vocabulary = vocabulary
        self.idf = idf
        o = TRAIN_OPTIONS
        self._tfidf = TfidfVectorizer(
            ngram_range=o["ngram_range"], sublinear_tf=o["sublinear_tf"], vocabulary=vocabulary
        )
        self._tfidf.idf_ = idf

    @classmethod
    def fit(cls, embedder: Embedder, texts: list[str]) -> Features:
        from sklearn.feature_extraction.text import TfidfVectorizer

        o = TRAIN_OPTIONS
        vec = TfidfVectorizer(ngram_range=o["ngram_range"], min_df=o["min_df"], sublinear_tf=o["sublinear_tf"]).fit(
            texts
        )
        vocab = {str(k): int(v) for k, v in vec.vocabulary_.items()}
        return cls(embedder, vocab, np.asarray(vec.idf_, dtype=np.float64))

    def __call__(self, texts: list[str], emb: np.ndarray | None = None) -> Any:
        from scipy.sparse import csr_matrix, hstack

        dense = self.embedder.embed(texts) if emb is None else emb
        return hstack([self._tfidf.transform(texts), csr_matrix(dense)]).tocsr()


def _fit(x: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per label; returns (weights [L, D], bias [L])."""
    from sklearn.linear_model import LogisticRegression

    w = np.zeros((y.shape[1], x.shape[1]), dtype=np.float32)
    b = np.full(y.shape[1], -10.0, dtype=np.float32)
    for j in range(y.shape[1]):
        if y[:, j].sum() == 0:
            continue
        o = TRAIN_OPTIONS
        clf = LogisticRegression(C=o["C"], class_weight=o["class_weight"], solver=o["solver"], max_iter=o["max_iter"])
        clf.fit(x, y[:, j])
        w[j], b[j] = clf.coef_[0], clf.intercept_[0]
    return w, b


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def train(texts: list[str], labels: list[list[str]], embedder: Embedder) -> dict[str, Any]:
    folds = int(TRAIN_OPTIONS["folds"])
    emb = embedder.embed(texts)
    y = np.array([[lab in ls for lab in LABELS] for ls in labels], dtype=np.int32)
    # Out-of-fold probabilities pick each label's threshold honestly (no peeking at the fit).
    rng = np.random.default_rng(TRAIN_OPTIONS["fold_seed"])
    order = rng.permutation(len(texts))
    oof = np.zeros(y.shape, dtype=np.float32)
    for k in range(folds):
        test = order[k::folds]
        train_idx = np.setdiff1d(order, test)
        feats = Features.fit(embedder, [texts[i] for i in train_idx])
        w, b = _fit(feats([texts[i] for i in train_idx], emb[train_idx]), y[train_idx])
        oof[test] = _sigmoid(np.asarray(feats([texts[i] for i in test], emb[test]) @ w.T) + b)
    thresholds = np.zeros(len(LABELS), dtype=np.float32)
    for j in range(len(LABELS)):
        best, best_t = -1.0, 0.5
        for t in np.linspace(*TRAIN_OPTIONS["threshold_grid"]):
            pred = oof[:, j] >= t
            tp = float((pred & (y[:, j] == 1)).sum())
            f1 = 2 * tp / max(1.0, float(pred.sum() + y[:, j].sum()))
            if f1 > best:
                best, best_t = f1, float(t)
        thresholds[j] = best_t
    feats = Features.fit(embedder, texts)
    w, b = _fit(feats(texts, emb), y)
    return {"w": w, "b": b, "t": thresholds, "vocab": json.dumps(feats.vocabulary), "idf": feats.idf}


class RedFlagClassifier:
    def __init__(
        self, head: dict[str, Any], embedder: Embedder, taxonomy: Taxonomy, detector: Detector | None = None
    ) -> None:
        self.detector = detector
        self.w, self.b, self.t = head["w"], head["b"], head["t"]
        self.features = Features(embedder, json.loads(str(head["vocab"])), np.asarray(head["idf"]))
        self.embedder = embedder
        self.taxonomy = taxonomy
        self.trained_now = False

    @classmethod
    def load(
        cls,
        knowledge_dir: Path,
        embedder: Embedder,
        embedder_name: str,
        cache_dir: Path,
        detector: Detector | None = None,
    ) -> RedFlagClassifier:
        rows = load_training(knowledge_dir)
        cache = cache_dir / f"redflag-head-{cache_key(rows, embedder_name)}.npz"
        trained_now = False
        # Two processes starting together on an empty cache must not train (and write) at once.
        with exclusive(cache_dir / ".redflag-head.lock"):
            if cache.exists():
                data = np.load(cache)
                head = {k: data[k] for k in ("w", "b", "t", "vocab", "idf")}
            else:
                log.info("training the red-flag classifier on %d team-written examples", len(rows))
                head = train([r[0] for r in rows], [r[1] for r in rows], embedder)
                tmp = unique_sibling(cache, ".npz")
                try:
                    np.savez(tmp, **head)
                    tmp.replace(cache)
                finally:
                    tmp.unlink(missing_ok=True)
                trained_now = True
        clf = cls(head, embedder, Taxonomy.load(knowledge_dir), detector)
        clf.trained_now = trained_now
        return clf

    def _scores(self, texts: list[str], emb: np.ndarray | None = None) -> np.ndarray:
        """Probabilities rescaled so each label's threshold maps to 0.5 (piecewise linear)."""
        p = _sigmoid(np.asarray(self.features(texts, emb) @ self.w.T) + self.b)
        t = self.t
        return np.where(p < t, 0.5 * p / t, 0.5 + 0.5 * (p - t) / np.maximum(1e-6, 1 - t))

    def classify(self, text: str) -> Analysis:
        return self.classify_many([text])[0]

    def classify_many(self, texts: list[str]) -> list[Analysis]:
        sents = [sentences(t) or [t] for t in texts]
        flat: list[str] = []
        for t, ss in zip(texts, sents, strict=True):
            flat.append(t)
            if len(ss) > 1:
                flat += ss
        emb = self.embedder.embed(flat)
        scores = self._scores(flat, emb)
        if self.detector is not None:
            # The detector's units are the same texts and sentences: its embeddings are reused.
            verdicts = self.detector.screen_many(texts, dict(zip(flat, emb, strict=True)))
        else:
            verdicts = [screen(t) for t in texts]
        out, pos = [], 0
        for t, ss, verdict in zip(texts, sents, verdicts, strict=True):
            n = 1 + (len(ss) if len(ss) > 1 else 0)
            out.append(self._analyse(t, ss, scores[pos : pos + n], verdict))
            pos += n
        return out

    def care_patterns(self, text: str, vec: np.ndarray | None = None) -> list[str]:
        """Gaslighting, control or isolation described in a question (head or cue rules), strongest
        first; `vec` is the text's embedding if the caller has it."""
        ss = sentences(text) or [text]
        whole = self._scores([text], None if vec is None else vec[None, :])[0]
        found = {lab: float(whole[LABELS.index(lab)]) for lab in CARE_PATTERNS if whole[LABELS.index(lab)] >= 0.5}
        for sent in ss:
            for lab in cue_hits(sent) & set(CARE_PATTERNS):
                found[lab] = max(found.get(lab, 0.0), 0.75)
        return sorted(found, key=lambda lab: -found[lab])

    def _analyse(self, text: str, sents: list[str], scores: np.ndarray, verdict: SafetyResult) -> Analysis:
        whole = scores[0]
        per_sentence = scores[1:] if len(scores) > 1 else scores[:1]
        findings: dict[str, Finding] = {}
        for j, label in enumerate(LABELS):
            score = float(whole[j])
            if score < 0.5:
                continue
            if len(sents) > 1:
                col = per_sentence[:, j]
                # The best sentence, plus any other that scores nearly as high on its own.
                idx = [i for i in range(len(sents)) if col[i] >= max(0.5, col.max() - 0.1)] or [int(np.argmax(col))]
            else:
                idx = [0]
            findings[label] = self._finding(label, score, [sents[i] for i in idx])
        # High-precision cue rules: a sentence that names the pattern raises it even when the
        # head is unsure (short, blunt entries), with that sentence as the evidence.
        for i, sent in enumerate(sents):
            for label in cue_hits(sent):
                if label in findings:
                    if sent not in findings[label].evidence:
                        findings[label].evidence.append(sent)
                else:
                    j = LABELS.index(label)
                    findings[label] = self._finding(label, max(0.75, float(whole[j])), [sents[i]])
        # The shared detector decides abuse_risk and self_harm_risk (recall first), with its
        # evidence sentences; this head's own guess at them is dropped.
        ss = sentences(text) or [text]
        safety: str = verdict.level

        def evidence(cues: list) -> list[str]:
            picked = {ss[c.sentence] for c in cues if 0 <= c.sentence < len(ss)}
            return sorted(picked, key=ss.index) or ss[:1]

        for label, level in (("self_harm_risk", "crisis"), ("abuse_risk", "abuse")):
            prev = findings.pop(label, None)
            if level == "crisis":
                cues = [c for c in verdict.cues if c.category == "crisis"]
            else:
                cues = [c for c in verdict.cues if c.category not in ("crisis", "control")]
            if cues:
                top = max([c.score for c in cues] + [prev.score if prev else 0.0])
                findings[label] = self._finding(label, max(0.9, top), evidence(cues))
        control = [c for c in verdict.cues if c.category == "control"]
        if control and "controlling" not in findings:
            findings["controlling"] = self._finding("controlling", 0.8, evidence(control))
        # A boundary that was granted is not boundary guilt: when one of the pair clearly wins,
        # the other is dropped.
        hb, bg = findings.get("healthy_boundary"), findings.get("boundary_guilt")
        if hb and bg and abs(hb.score - bg.score) >= 0.2:
            findings.pop("boundary_guilt" if hb.score > bg.score else "healthy_boundary")
        flags = sorted((f for f in findings.values() if f.label in FLAGS), key=lambda f: -f.score)
        strengths = sorted((f for f in findings.values() if f.label in STRENGTHS), key=lambda f: -f.score)
        return Analysis(flags, strengths, safety)

    def _finding(self, label: str, score: float, evidence: list[str]) -> Finding:
        return Finding(
            label,
            min(1.0, score),
            evidence,
            self.taxonomy.explanation.get(label, ""),
            self.taxonomy.article.get(label, ""),
        )
