"""Training the detector's heads (run by `hearth prepare`, cached; never on a user's first use).

Data: the team-written warning-sign sets in knowledge/safety/training/*.jsonl ({text, label
crisis|abuse|none, sign}), the red-flag set in knowledge/training/ (self_harm_risk -> crisis,
abuse_risk -> abuse, ordinary entries -> none), and any public training parts shipped under
knowledge/training/external/ (see knowledge/training/README.md for their licences).

Units: every text is scored as a whole and sentence by sentence (pairs of adjacent sentences are
an option, off: in cross-validation they added nothing and doubled the embedding cost). A long
positive text does not say which sentence carries the danger, so training is two-pass
(multiple-instance learning): a first head, fitted on whole texts and on the sentences of
negative texts, picks the most dangerous sentence of each positive text, and that sentence joins
the training units as a positive.

Features: the MiniLM embedding of the unit beside sublinear TF-IDF word uni- and bigrams (the
embedding carries meaning, the n-grams the words that matter: "choke", "pills", "tracker"; in
cross-validation together they beat either alone). Heads: two binary logistic regressions
(crisis vs rest, abuse vs rest) and one multinomial head over the signs, which only names what
was seen. Thresholds, one for whole texts and one for sentences per label, and the sentence
length penalty (train.adjust), are chosen on out-of-fold scores of a 5-fold cross-validation:
the setting with the fewest false alarms
among those that keep the recall target on the positives (rows the rule phrases already catch
count as caught, since the decision is the union). False alarms are counted on ordinary
relationship text (the red-flag set's entries, ordinary conflict, happy days, the counsel_chat
training questions) and, at a quarter of the weight, on the hard negatives (idioms, media, past
danger, helping a friend, Reddit supporters); ordinary false alarms are capped (else the best
recall within the cap: a fake embedder cannot reach the target).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embed import Embedder
from assistant.safety.text import sentences

LABELS = ("crisis", "abuse")
# Every option that changes the trained head (part of the cache key).
OPTIONS: dict[str, Any] = {
    "version": 5,  # bump when training code changes what a head is
    "C": 16.0,
    "sign_C": 8.0,
    "class_weight": "balanced",
    "max_iter": 3000,
    "folds": 5,
    "fold_seed": 11,
    "recall_target": 0.97,
    # ...unless reaching it costs more false alarms than this on any kind of ordinary text.
    "max_false_alarm": 0.1,
    "hard_negative_weight": 0.25,
    "ngram_range": (1, 2),
    "min_df": 2,
    "pairs": False,  # sentence pairs as units: no better in cross-validation, twice the embedding cost
    "max_units": 80,
    "length_betas": (0.0, 0.5, 1.0, 2.0),
    "length_cap": 12,
}
# Red-flag labels that overlap the abuse map (monitoring, isolation, control): such entries are
# neither clean negatives nor labelled abuse, so they are left out of the safety training.
_AMBIGUOUS_FLAGS = {"controlling", "isolation", "gaslighting"}
# Negatives that stand for ordinary relationship text (the false-route target is on these).
ORDINARY = {"neg_redflags", "neg_ordinary_conflict", "neg_happy", "neg_counsel_ordinary"}


@dataclass(frozen=True)
class Row:
    text: str
    label: str  # crisis | abuse | none
    sign: str  # a sign id, a neg_* kind, or "" when unknown
    source: str


def load_rows(knowledge_dir: Path) -> list[Row]:
    rows: list[Row] = []
    for path in sorted((knowledge_dir / "safety" / "training").glob("*.jsonl")):
        rows += _jsonl(path, path.stem)
    for path in sorted((knowledge_dir / "training" / "external").glob("*/*.jsonl")):
        rows += _jsonl(path, path.parent.name)
    for path in sorted((knowledge_dir / "training").glob("redflags_train*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            obj = json.loads(line)
            labels = set(obj["labels"])
            if "self_harm_risk" in labels:
                rows.append(Row(obj["text"], "crisis", "", "redflags"))
            elif "abuse_risk" in labels:
                rows.append(Row(obj["text"], "abuse", "", "redflags"))
            elif not labels & _AMBIGUOUS_FLAGS:
                rows.append(Row(obj["text"], "none", "neg_redflags", "redflags"))
    return rows


def _jsonl(path: Path, source: str) -> list[Row]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            if obj.get("label") in ("crisis", "abuse", "none") and str(obj.get("text", "")).strip():
                out.append(Row(str(obj["text"]), obj["label"], str(obj.get("sign", "")), source))
    return out


def cache_key(rows: list[Row], embedder_name: str, knowledge_dir: Path | None = None) -> str:
    """Hash of everything the head depends on: data, rule phrases (thresholds count the union with
    them), options, library versions and the embedder."""
    import sklearn

    digest = hashlib.sha256()
    if knowledge_dir is not None:
        digest.update((knowledge_dir / "safety" / "rules.yaml").read_bytes())
        digest.update((knowledge_dir / "safety" / "signs.yaml").read_bytes())
    digest.update(json.dumps([(r.text, r.label, r.sign) for r in rows]).encode())
    digest.update(embedder_name.encode())
    digest.update(json.dumps(OPTIONS, sort_keys=True).encode())
    digest.update(f"sklearn={sklearn.__version__} numpy={np.__version__}".encode())
    return digest.hexdigest()[:16]


def units(text: str, pairs: bool = True, max_units: int = 80) -> tuple[list[str], list[int], list[int]]:
    """(unit texts, kind per unit: 0 whole / 1 sentence / 2 pair, first sentence index per unit)."""
    sents = sentences(text) or [text]
    if len(sents) == 1:
        return [text], [0], [0]
    texts, kinds, where = [text], [0], [0]
    texts += sents
    kinds += [1] * len(sents)
    where += list(range(len(sents)))
    if pairs:
        for i in range(len(sents) - 1):
            texts.append(sents[i] + " " + sents[i + 1])
            kinds.append(2)
            where.append(i)
    # Very long posts: pairs only as room allows. The whole text and every sentence are always
    # scored: one dangerous sentence deep in a long entry must not fall off the end.
    keep = max(max_units, 1 + len(sents))
    if len(texts) > keep:
        texts, kinds, where = texts[:keep], kinds[:keep], where[:keep]
    return texts, kinds, where


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


class Features:
    """TF-IDF word n-grams (fixed vocabulary) beside the unit's embedding, as one sparse row."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self._tfidf = TfidfVectorizer(
            ngram_range=tuple(OPTIONS["ngram_range"]), sublinear_tf=True, vocabulary=vocabulary
        )
        self._tfidf.idf_ = self.idf

    @classmethod
    def fit(cls, texts: list[str]) -> Features:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(
            ngram_range=tuple(OPTIONS["ngram_range"]), min_df=OPTIONS["min_df"], sublinear_tf=True
        ).fit(texts)
        return cls({str(k): int(v) for k, v in vec.vocabulary_.items()}, vec.idf_)

    @property
    def dim(self) -> int:
        return len(self.vocabulary)

    def __call__(self, texts: list[str], emb: np.ndarray) -> Any:
        from scipy.sparse import csr_matrix, hstack

        return hstack([self._tfidf.transform(texts), csr_matrix(emb)]).tocsr()


def _logreg(x: Any, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(
        C=c, class_weight=OPTIONS["class_weight"], solver="liblinear", max_iter=OPTIONS["max_iter"]
    )
    clf.fit(x, y)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


@dataclass
class _Units:
    row: np.ndarray  # row index per unit
    kind: np.ndarray  # 0 whole, 1 sentence, 2 pair
    texts: list[str]
    emb: np.ndarray

    def subset(self, sel: np.ndarray) -> _Units:
        return _Units(self.row[sel], self.kind[sel], [self.texts[i] for i in np.flatnonzero(sel)], self.emb[sel])


def _build_units(rows: list[Row], embedder: Embedder) -> _Units:
    texts: list[str] = []
    row_idx: list[int] = []
    kinds: list[int] = []
    for i, r in enumerate(rows):
        t, k, _ = units(r.text, OPTIONS["pairs"], OPTIONS["max_units"])
        texts += t
        kinds += k
        row_idx += [i] * len(t)
    uniq = list(dict.fromkeys(texts))
    pos = {t: j for j, t in enumerate(uniq)}
    emb = embedder.embed(uniq)
    return _Units(np.array(row_idx), np.array(kinds), texts, emb[[pos[t] for t in texts]])


def _labels(rows: list[Row]) -> np.ndarray:
    classes = ("none", *LABELS)
    return np.array([classes.index(r.label) for r in rows])


def _fit(rows: list[Row], u: _Units) -> tuple[Features, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fit on the rows `u` covers: (features, weights [2, D], bias [2], unit mask, unit labels)."""
    y = _labels(rows)[u.row]
    whole = u.kind == 0
    # Pass 1: whole texts, and every unit of a negative text.
    base = whole | (y == 0)
    feats = Features.fit([t for t, m in zip(u.texts, base, strict=True) if m])
    x = feats(u.texts, u.emb)
    mask = base.copy()
    for j in range(1, len(LABELS) + 1):
        w, b = _logreg(x[base], (y[base] == j).astype(int), OPTIONS["C"])
        s = np.asarray(x @ w).ravel() + b
        # Pass 2 adds, for each positive multi-unit text, its best sentence or pair.
        cand = ~whole & (y == j)
        for r in np.unique(u.row[cand]):
            idx = np.flatnonzero(cand & (u.row == r))
            mask[idx[int(np.argmax(s[idx]))]] = True
    ws, bs = [], []
    for j in range(1, len(LABELS) + 1):
        w, b = _logreg(x[mask], (y[mask] == j).astype(int), OPTIONS["C"])
        ws.append(w)
        bs.append(b)
    return feats, np.stack(ws), np.array(bs, dtype=np.float32), mask, y


def adjust(p: np.ndarray, n_sentences: np.ndarray, beta: float) -> np.ndarray:
    """A sentence's probability, made stricter in longer texts: logit(p) - beta * ln(n / 2).

    A text of n sentences gives n chances for one of them to cross the threshold by accident; a
    short coaching question (2 sentences) keeps the plain score, a long post pays for its length.
    """
    q = np.clip(p, 1e-6, 1 - 1e-6)
    # Capped: past a dozen sentences more length must not make one clear sentence unreadable
    # (a long journal entry would otherwise hide the one line that matters).
    n = np.clip(n_sentences, 2, OPTIONS["length_cap"])
    shift = beta * np.log(n / 2.0)
    return sigmoid(np.log(q / (1 - q)) - shift)


def _row_scores(
    u: _Units, n_rows: int, p: np.ndarray, n_sent: np.ndarray, betas: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row and label: the whole-text probability and the best (length-adjusted) sentence one."""
    whole = np.zeros((n_rows, p.shape[1]), dtype=np.float32)
    part = np.zeros((n_rows, p.shape[1]), dtype=np.float32)
    sel = u.kind == 0
    np.maximum.at(whole, u.row[sel], p[sel])
    sel = u.kind != 0
    for j in range(p.shape[1]):
        np.maximum.at(part[:, j], u.row[sel], adjust(p[sel, j], n_sent[u.row[sel]], float(betas[j])))
    return whole, part


def _pick_thresholds(
    whole: np.ndarray,
    part: np.ndarray,
    ruled: np.ndarray,
    pos: np.ndarray,
    ordinary: list[np.ndarray],
    hard: np.ndarray,
) -> tuple[tuple[float, ...], tuple[float, float]]:
    """(key, (whole, part) thresholds); see the module docstring. `ruled`: rows the rule phrases
    flag already (the decision is the union, so the detector need not catch those)."""
    target, cap, weight = OPTIONS["recall_target"], OPTIONS["max_false_alarm"], OPTIONS["hard_negative_weight"]
    grid = np.linspace(0.02, 0.99, 98)
    # Ties go to the higher thresholds, the sentence one first (sentences are the noisier units).
    best_key: tuple[float, ...] | None = None
    chosen = (0.5, 0.5)
    for tw in grid:
        fw = whole >= tw
        for tp in np.append(grid, 1.01):  # 1.01: sentences never decide on their own
            flag = fw | (part >= tp) | ruled
            recall = float(flag[pos].mean()) if pos.any() else 1.0
            rates = [float(flag[m].mean()) for m in ordinary if m.any()] or [0.0]
            alarms = max(rates)  # the cap holds for each kind of ordinary text, not just on average
            cost = float(np.mean(rates)) + weight * (float(flag[hard].mean()) if hard.any() else 0.0)
            if recall >= target and alarms <= cap:
                key: tuple[float, ...] = (0.0, cost, -tp, -tw)
            elif alarms <= cap:
                key = (1.0, -recall, cost, -tp, -tw)
            else:
                key = (2.0, alarms, -recall)
            if best_key is None or key < best_key:
                best_key, chosen = key, (float(tw), float(tp))
    return best_key or (3.0,), chosen


def _probabilities(feats: Features, w: np.ndarray, b: np.ndarray, u: _Units) -> np.ndarray:
    return sigmoid(np.asarray(feats(u.texts, u.emb) @ w.T) + b)


def rule_flags(rows: list[Row], knowledge_dir: Path) -> np.ndarray:
    """[n, 2]: does a rule phrase flag the row as crisis / as abuse?"""
    from assistant.safety.rules import load_rules
    from assistant.safety.signs import load_signs

    rules, signs = load_rules(knowledge_dir), load_signs(knowledge_dir)
    out = np.zeros((len(rows), len(LABELS)), dtype=bool)
    for i, r in enumerate(rows):
        for hit in rules.match(sentences(r.text) or [r.text]):
            out[i, LABELS.index(signs.kind(hit.sign))] = True
    return out


def train(rows: list[Row], embedder: Embedder, ruled: np.ndarray | None = None) -> dict[str, Any]:
    """Fit the heads; `ruled` ([n, 2], from rule_flags) makes thresholds and the report count the
    union with the rule phrases, as the decision does."""
    n = len(rows)
    ruled = np.zeros((n, len(LABELS)), dtype=bool) if ruled is None else ruled
    u = _build_units(rows, embedder)
    rng = np.random.default_rng(OPTIONS["fold_seed"])
    order = rng.permutation(n)
    folds = int(OPTIONS["folds"])
    n_sent = np.array([len(sentences(r.text) or [r.text]) for r in rows])
    oof = np.zeros((len(u.row), len(LABELS)), dtype=np.float32)  # out-of-fold probability per unit
    for k in range(folds):
        test = order[k::folds]
        in_test = np.isin(u.row, test)
        feats, w, b, _, _ = _fit(rows, u.subset(~in_test))
        oof[in_test] = _probabilities(feats, w, b, u.subset(in_test))
    labels = np.array([r.label for r in rows])
    kinds = np.array([r.sign for r in rows])
    ordinary = [(labels == "none") & (kinds == k) for k in sorted(ORDINARY)]
    hard = (labels == "none") & ~np.isin(kinds, list(ORDINARY))
    # Per label: whole threshold, sentence threshold, and the length penalty beta (train.adjust).
    thresholds = np.zeros((len(LABELS), 3), dtype=np.float32)
    for j, label in enumerate(LABELS):
        best: tuple[tuple[float, ...], tuple[float, float], float] | None = None
        for beta in OPTIONS["length_betas"]:
            betas = np.full(len(LABELS), beta)
            whole, part = _row_scores(u, n, oof, n_sent, betas)
            key, pair = _pick_thresholds(whole[:, j], part[:, j], ruled[:, j], labels == label, ordinary, hard)
            if best is None or key < best[0]:
                best = (key, pair, float(beta))
        if best is not None:
            thresholds[j] = (*best[1], best[2])
    feats, w, b, mask, y = _fit(rows, u)
    sign_ids, sw, sb = _fit_signs(rows, u, feats, mask, y)
    whole, part = _row_scores(u, n, oof, n_sent, thresholds[:, 2])
    flagged = (whole >= thresholds[:, 0]) | (part >= thresholds[:, 1]) | ruled
    return {
        "w": w,
        "b": b,
        "t": thresholds,
        "sign_w": sw,
        "sign_b": sb,
        "sign_ids": json.dumps(sign_ids),
        "vocab": json.dumps(feats.vocabulary),
        "idf": feats.idf,
        "report": json.dumps(cv_report(rows, flagged)),
    }


def _fit_signs(
    rows: list[Row], u: _Units, feats: Features, mask: np.ndarray, y: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    sign = np.array([r.sign for r in rows])[u.row]
    sel = mask & (y > 0) & np.array([bool(s) and not s.startswith("neg_") for s in sign])
    ids = sorted(set(sign[sel]))
    dim = feats.dim + u.emb.shape[1]
    if len(ids) < 2:
        return ids, np.zeros((len(ids), dim), dtype=np.float32), np.zeros(len(ids), dtype=np.float32)
    clf = LogisticRegression(C=OPTIONS["sign_C"], max_iter=OPTIONS["max_iter"])
    clf.fit(feats([u.texts[i] for i in np.flatnonzero(sel)], u.emb[sel]), sign[sel])
    return [str(c) for c in clf.classes_], clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32)


def cv_report(rows: list[Row], flagged: np.ndarray) -> dict[str, Any]:
    """Out-of-fold recall per sign (positives) and false-alarm rate per negative kind."""
    out: dict[str, Any] = {}
    by: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by.setdefault(r.sign or f"({r.source} {r.label})", []).append(i)
    for key, idx in sorted(by.items()):
        label = rows[idx[0]].label
        if label == "none":
            hits = int(flagged[idx].any(axis=1).sum())
            out[key] = {"n": len(idx), "false_alarm": round(hits / len(idx), 3)}
        else:
            # crisis must reach crisis; abuse counts when the text leaves coaching (abuse or crisis)
            hit = flagged[idx, 0] if label == "crisis" else flagged[idx].any(axis=1)
            out[key] = {"n": len(idx), "recall": round(int(hit.sum()) / len(idx), 3)}
    return out
