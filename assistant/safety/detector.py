"""The learned half of the decision: trained heads over the bundled embedder, deterministic.

A text is cut into units (the whole text and each sentence; train.units can add pairs of
adjacent sentences, off by default) and embedded in one batch; each unit's features are that
embedding beside TF-IDF word n-grams (train.Features). Two logistic heads score every unit for
crisis and for abuse; a unit flags when its score reaches the threshold for its kind (whole
text, or sentence: a sentence's score first pays a length penalty, so a long post is not flagged
by the accident of having many sentences), chosen for recall by cross-validation (train.py).
One dangerous sentence in a short or happy entry is enough. No negation or idiom handling
touches these scores: the heads learnt denials and idioms from hard negatives, and a
disclosure is never hidden by a rule.

`Detector.screen` is the full decision: these cues united with the rule phrases (rules.py).
The head is cached under the cache folder, keyed by the training data, options, library versions
and embedder; `hearth prepare` trains it, so the app never trains on first use.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embed import Embedder
from assistant.locks import exclusive, unique_sibling
from assistant.safety import train as training
from assistant.safety.rules import RuleSet, load_rules
from assistant.safety.screen import Cue, SafetyResult, level_of, rule_cues
from assistant.safety.signs import SignMap, load_signs
from assistant.safety.text import sentences

log = logging.getLogger(__name__)
# Below this share of its kind's probability, the sign head's guess is not named in an answer.
NAME_SIGN_FROM = 0.5
HEAD_KEYS = ("w", "b", "t", "sign_w", "sign_b", "sign_ids", "vocab", "idf", "report")


class Detector:
    def __init__(self, head: dict[str, Any], embedder: Embedder, signs: SignMap, rules: RuleSet) -> None:
        self.w = np.asarray(head["w"], dtype=np.float32)  # [2, D]: crisis, abuse
        self.b = np.asarray(head["b"], dtype=np.float32)
        self.t = np.asarray(head["t"], dtype=np.float32)  # [2, 3]: (whole, sentence, beta) per label
        self.sign_w = np.asarray(head["sign_w"], dtype=np.float32)
        self.sign_b = np.asarray(head["sign_b"], dtype=np.float32)
        self.sign_ids: list[str] = json.loads(str(head["sign_ids"]))
        self.report: dict[str, Any] = json.loads(str(head["report"]))
        self.features = training.Features(json.loads(str(head["vocab"])), np.asarray(head["idf"]))
        self.embedder = embedder
        self.signs = signs
        self.rules = rules
        self.trained_now = False
        self._sign_kind = np.array([signs.kind(s) if s in signs else "" for s in self.sign_ids])

    @classmethod
    def load(cls, knowledge_dir: Path, embedder: Embedder, embedder_name: str, cache_dir: Path) -> Detector:
        rows = training.load_rows(knowledge_dir)
        cache = cache_dir / f"safety-head-{training.cache_key(rows, embedder_name, knowledge_dir)}.npz"
        trained_now = False
        # Two processes starting together on an empty cache must not train (and write) at once.
        with exclusive(cache_dir / ".safety-head.lock"):
            if cache.exists():
                data = np.load(cache)
                head = {k: data[k] for k in HEAD_KEYS}
            else:
                log.info("training the safety detector on %d examples", len(rows))
                head = training.train(rows, embedder, training.rule_flags(rows, knowledge_dir))
                tmp = unique_sibling(cache, ".npz")
                try:
                    np.savez(tmp, **head)
                    tmp.replace(cache)
                finally:
                    tmp.unlink(missing_ok=True)
                trained_now = True
        det = cls(head, embedder, load_signs(knowledge_dir), load_rules(knowledge_dir))
        det.trained_now = trained_now
        return det

    # -- scoring -----------------------------------------------------------------------------------

    def _normalised(self, p: np.ndarray, kinds: np.ndarray, n_sentences: int) -> np.ndarray:
        """Probabilities rescaled so that each label's threshold for the unit's kind maps to 0.5;
        sentences first pay the length penalty of their text (train.adjust)."""
        p = p.copy()
        parts = kinds != 0
        for j in range(p.shape[1]):
            p[parts, j] = training.adjust(p[parts, j], np.full(int(parts.sum()), n_sentences), float(self.t[j, 2]))
        t = np.where((kinds == 0)[:, None], self.t[:, 0][None, :], self.t[:, 1][None, :])
        t = np.clip(t, 1e-6, 1.0)
        above = 0.5 + 0.5 * (p - t) / np.maximum(1e-6, 1.0 - t)
        return np.where(p < t, 0.5 * p / t, np.minimum(1.0, above))

    def screen(self, text: str) -> SafetyResult:
        return self.assess_many([text])[0][0]

    def screen_many(self, texts: list[str], known: dict[str, np.ndarray] | None = None) -> list[SafetyResult]:
        """`known`: embeddings a caller already has (unit text -> vector), reused, not recomputed."""
        return [r for r, _ in self.assess_many(texts, known)]

    def assess(self, text: str) -> tuple[SafetyResult, np.ndarray]:
        """The decision and the whole text's embedding (the coach reuses it for retrieval)."""
        return self.assess_many([text])[0]

    def assess_many(
        self, texts: list[str], known: dict[str, np.ndarray] | None = None
    ) -> list[tuple[SafetyResult, np.ndarray]]:
        per_text = [training.units(t, training.OPTIONS["pairs"], training.OPTIONS["max_units"]) for t in texts]
        flat = [u for units, _, _ in per_text for u in units]
        emb = self._embed(flat, known or {})
        x = self.features(flat, emb) if flat else None
        out: list[tuple[SafetyResult, np.ndarray]] = []
        pos = 0
        for text, (units, kinds, where) in zip(texts, per_text, strict=True):
            rows = slice(pos, pos + len(units))
            pos += len(units)
            out.append((self._decide(text, x[rows], np.array(kinds), where), emb[rows][0]))  # type: ignore[index]
        return out

    def _embed(self, units: list[str], known: dict[str, np.ndarray]) -> np.ndarray:
        """All units in one embedder call, minus those the caller already embedded."""
        if not units:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        missing = list(dict.fromkeys(u for u in units if u not in known))
        if missing:
            known = {**known, **dict(zip(missing, self.embedder.embed(missing), strict=True))}
        return np.stack([known[u] for u in units]).astype(np.float32)

    def _decide(self, text: str, x: Any, kinds: np.ndarray, where: list[int]) -> SafetyResult:
        sents = sentences(text) or [text]
        cues = rule_cues(sents, self.rules.match(sents), self.signs)
        scores = self._normalised(training.sigmoid(np.asarray(x @ self.w.T) + self.b), kinds, len(sents))
        parts = np.flatnonzero(kinds != 0)
        for j, label in enumerate(training.LABELS):
            col = scores[:, j]
            if col.max() < 0.5:
                continue
            # Evidence: every sentence (or pair) that flags on its own; when only the whole text
            # flags, its best-scoring sentence. A pair points at its stronger sentence.
            chosen = [int(i) for i in parts if col[i] >= 0.5]
            if not chosen:
                chosen = [int(parts[np.argmax(col[parts])])] if len(parts) else [0]
            evidence: dict[int, int] = {}  # sentence index -> unit index
            for i in chosen:
                s_idx = 0 if kinds[i] == 0 else where[i]
                if kinds[i] == 2:
                    s_idx = self._stronger(where[i], kinds, where, col)
                if s_idx not in evidence or col[i] > col[evidence[s_idx]]:
                    evidence[s_idx] = i
            for s_idx, i in evidence.items():
                sentence = sents[s_idx] if s_idx < len(sents) else text
                sign = self._sign(x[i], label)
                score = round(float(max(col[i], col[0])), 4)
                cues.append(Cue(self._group(sign, label), sentence, s_idx, 0, len(sentence), sign, "detector", score))
        cues.sort(key=lambda c: (c.sentence, c.start, c.source))
        return SafetyResult(level_of(cues), cues)

    @staticmethod
    def _stronger(first: int, kinds: np.ndarray, where: list[int], col: np.ndarray) -> int:
        singles = {where[i]: float(col[i]) for i in range(len(kinds)) if kinds[i] == 1}
        return first if singles.get(first, 0.0) >= singles.get(first + 1, 0.0) else first + 1

    def _sign(self, vec: Any, label: str) -> str:
        """The most likely sign of this label's kind, or "" when the head is not sure which."""
        of_kind = self._sign_kind == label
        if not of_kind.any():
            return ""
        z = np.asarray(vec @ self.sign_w.T).ravel() + self.sign_b
        p = np.where(of_kind, np.exp(z - z.max()), 0.0)
        best = int(np.argmax(p))
        return self.sign_ids[best] if p[best] / max(1e-12, p.sum()) >= NAME_SIGN_FROM else ""

    def _group(self, sign: str, label: str) -> str:
        if sign and sign in self.signs:
            return self.signs[sign].group
        return "crisis" if label == "crisis" else "threat"
