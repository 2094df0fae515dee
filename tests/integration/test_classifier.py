"""The journal red-flag classifier with the real bundled embedder and trained head.

Quality is measured on the held-out team set (tests/data/redflags_heldout.jsonl, never used in
training): per-label recall and the 17-flag macro-F1 are asserted over the whole set, not on
hand-picked examples. scripts/eval_redflags.py prints the full table and the public-data numbers.
The rest pins behaviour the coach relies on: harmless idioms, negation, evidence sentences, the
crisis route and the `hearth journal classify` CLI contract.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.journal.classifier import FLAGS, LABELS, Analysis, RedFlagClassifier
from assistant.services import Services
from tests.conftest import REPO, SHARED_CACHE, run_hearth

pytestmark = pytest.mark.slow

HELDOUT = REPO / "tests" / "data" / "redflags_heldout.jsonl"
FINDING_KEYS = {"label", "score", "evidence", "explanation", "article_id", "who"}

# Measured when this test was written (scripts/eval_redflags.py, head redflag-head-4fdc982de58bf579):
# 17-flag macro-F1 0.755 (all 22 labels 0.759); lowest per-label recall vulnerability 0.65 (13/20),
# defensiveness 0.67 (12/18), then avoidance and criticism 0.72; the rest 0.74-1.00.
MIN_RECALL = 0.5
MIN_FLAG_MACRO_F1 = 0.65


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> RedFlagClassifier:  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("classifier-home")
    return Services(Settings(home=home, cache=SHARED_CACHE), embedder=real_embedder).classifier


@pytest.fixture(scope="module")
def heldout(classifier: RedFlagClassifier) -> list[tuple[set[str], set[str]]]:
    """(gold labels, predicted labels) for every held-out entry."""
    rows = [json.loads(ln) for ln in HELDOUT.read_text(encoding="utf-8").splitlines() if ln.strip()]
    preds = classifier.classify_many([r["text"] for r in rows])
    return [(set(r["labels"]) & set(LABELS), _labels(a)) for r, a in zip(rows, preds, strict=True)]


@pytest.fixture(scope="module")
def heldout_analyses(classifier: RedFlagClassifier) -> list[Analysis]:
    rows = [json.loads(ln) for ln in HELDOUT.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return classifier.classify_many([r["text"] for r in rows])


def _labels(a: Analysis) -> set[str]:
    return {f.label for f in a.flags} | {s.label for s in a.strengths}


def _flags(a: Analysis) -> set[str]:
    return {f.label for f in a.flags}


def _f1(pairs: list[tuple[set[str], set[str]]], label: str) -> float:
    tp = sum(label in g and label in p for g, p in pairs)
    denom = sum(label in g for g, _ in pairs) + sum(label in p for _, p in pairs)
    return 2 * tp / denom if denom else 0.0


# --- quality on unseen team-written entries -----------------------------------------------------


@pytest.mark.parametrize("label", LABELS)
def test_heldout_recall_per_label(heldout: list[tuple[set[str], set[str]]], label: str) -> None:
    gold = [p for g, p in heldout if label in g]
    assert len(gold) >= 10, f"held-out set has only {len(gold)} {label} entries"
    recall = sum(label in p for p in gold) / len(gold)
    assert recall >= MIN_RECALL, f"{label}: recall {recall:.2f} on {len(gold)} held-out entries"


def test_heldout_flag_macro_f1(heldout: list[tuple[set[str], set[str]]]) -> None:
    macro = statistics.mean(_f1(heldout, lab) for lab in FLAGS)
    assert macro >= MIN_FLAG_MACRO_F1, f"17-flag macro-F1 {macro:.3f}"


# --- behaviour ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["We joked about killing the houseplant.", "This commute is killing me.", "He's possessive about his guitar."],
)
def test_harmless_triggers_raise_no_danger(classifier: RedFlagClassifier, text: str) -> None:
    a = classifier.classify(text)
    assert not _flags(a) & {"abuse_risk", "self_harm_risk"}, a.as_json()
    assert a.safety == "none", a.as_json()


def test_granted_space_is_a_healthy_boundary_not_guilt(classifier: RedFlagClassifier) -> None:
    a = classifier.classify("I asked for space and she said of course.")
    assert "healthy_boundary" in {s.label for s in a.strengths}, a.as_json()
    assert "boundary_guilt" not in _flags(a), a.as_json()


def test_negated_violence_is_not_abuse(classifier: RedFlagClassifier) -> None:
    a = classifier.classify("He has never hit me and I feel safe with him.")
    assert "abuse_risk" not in _flags(a), a.as_json()
    assert a.safety != "abuse"


def test_evidence_points_at_the_sentence(classifier: RedFlagClassifier) -> None:
    middle = "She gave me the silent treatment for two days."
    text = f"We had friends over for dinner on Saturday and the food was good. {middle} Today I planted tomatoes."
    a = classifier.classify(text)
    found = {f.label: f for f in a.flags}
    assert "stonewalling" in found, a.as_json()
    assert found["stonewalling"].evidence == [middle]


@pytest.mark.parametrize(
    "text", ["She hasn't cheated on me.", "He doesn't give me the silent treatment.", "Nobody called me stupid."]
)
def test_denied_patterns_raise_nothing(classifier: RedFlagClassifier, text: str) -> None:
    """The issue's three sentences: each used to be raised to 0.75 by a cue with itself as evidence."""
    a = classifier.classify(text)
    assert not _flags(a) & {"trust_breach", "stonewalling", "contempt"}, a.as_json()


def test_every_evidence_sentence_carries_its_pattern_alone(
    classifier: RedFlagClassifier, heldout_analyses: list[Analysis]
) -> None:
    """Over the whole team held-out set: each evidence sentence of a pattern scores for that pattern
    on its own (the head's score for the sentence alone reaches the label's threshold), or names it
    (a cue phrase), or, for controlling, is a sentence in which the safety detector finds a
    coercive-control sign. The safety labels' evidence comes from the safety detector instead."""
    from assistant.journal.classifier import SAFETY_LABELS
    from assistant.journal.cues import cue_hits

    pairs = {(f.label, ev) for a in heldout_analyses for f in a.flags + a.strengths if f.label not in SAFETY_LABELS
             for ev in f.evidence}  # fmt: skip
    assert len(pairs) > 200
    sents = sorted({ev for _, ev in pairs})
    scores = dict(zip(sents, classifier._scores(sents), strict=True))
    assert classifier.detector is not None
    from assistant.safety import sentences

    texts = [json.loads(ln)["text"] for ln in HELDOUT.read_text(encoding="utf-8").splitlines() if ln.strip()]
    control = set()  # sentences in which the detector finds a coercive-control sign (in their entry)
    for text, r in zip(texts, classifier.detector.screen_many(texts), strict=True):
        ss = sentences(text) or [text]
        control |= {ss[c.sentence] for c in r.cues if c.category == "control" and 0 <= c.sentence < len(ss)}

    def carried(label: str, sent: str) -> bool:
        return (
            scores[sent][LABELS.index(label)] >= 0.5
            or label in cue_hits(sent)
            or (label == "controlling" and sent in control)
        )

    missing = [(lab, ev) for lab, ev in pairs if not carried(lab, ev)]
    assert not missing, missing[:5]


def test_whose_pattern_it_is(classifier: RedFlagClassifier) -> None:
    mine = classifier.classify("I gave him the silent treatment for two days.")
    theirs = classifier.classify("He gave me the silent treatment for two days.")
    assert [f.who for f in mine.flags if f.label == "stonewalling"] == ["writer"], mine.as_json()
    assert [f.who for f in theirs.flags if f.label == "stonewalling"] == ["partner"], theirs.as_json()


def test_self_harm_entry_is_a_crisis(classifier: RedFlagClassifier) -> None:
    a = classifier.classify(
        "I can't keep doing this. I've been thinking about killing myself and I wrote a note last night."
    )
    assert a.safety == "crisis"
    assert "self_harm_risk" in _flags(a), a.as_json()


# --- the CLI contract ---------------------------------------------------------------------------


def test_cli_classify_jsonl_contract(tmp_path: Path) -> None:
    entries = [
        ("a1", "He reads my messages every night and tells me who I can see."),
        ("b2", "We cooked dinner together and I told her how much I appreciated her help this week."),
        ("c3", "Work has been fine. Nothing much to report."),
    ]
    stdin = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in entries)
    proc = run_hearth("journal", "classify", "--jsonl", input=stdin)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 3
    for (eid, _), line in zip(entries, lines, strict=True):
        obj = json.loads(line)
        assert obj["id"] == eid
        assert set(obj) == {"id", "flags", "strengths", "safety"}
        assert obj["safety"] in {"none", "abuse", "crisis"}
        for finding in obj["flags"] + obj["strengths"]:
            assert set(finding) == FINDING_KEYS
            assert 0.0 <= finding["score"] <= 1.0
            assert isinstance(finding["evidence"], list) and all(isinstance(e, str) for e in finding["evidence"])
        assert all(f["label"] in FLAGS for f in obj["flags"])
        assert all(s["label"] in LABELS and s["label"] not in FLAGS for s in obj["strengths"])


def test_cli_classify_empty_stdin_is_a_usage_error() -> None:
    proc = run_hearth("journal", "classify", input="")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
