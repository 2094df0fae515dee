"""Journal patterns (issue 13), fast: cue negation, who does what, the analysis layering (head,
evidence, cues, safety, per-profile shifts), feedback and calibration, and insights over time.

The classifier here runs a hand-built head over a tiny vocabulary with the deterministic fake
embedder (its embedding weights are zero), so every score is known in advance and nothing is
trained: the tests pin the layering, not the learned weights (the real head is measured in
tests/integration/test_classifier.py and scripts/eval_redflags.py).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.config import PROJECT_ROOT
from assistant.embed import DIM, FakeEmbedder
from assistant.errors import UsageError
from assistant.journal import calibration, service, who
from assistant.journal.classifier import LABELS, Analysis, RedFlagClassifier, Taxonomy
from assistant.journal.cues import cue_hits
from assistant.journal.insights import compute
from assistant.journal.vault import Entry
from assistant.practice import Practice
from assistant.safety.responses import load_resources
from assistant.services import Services

KNOWLEDGE = PROJECT_ROOT / "knowledge"

# --- cues and negation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "She hasn't cheated on me.",
        "He doesn't give me the silent treatment.",
        "Nobody called me stupid.",
        "He has never once gone through my phone.",
        "No one ever called me stupid at school.",
    ],
)
def test_denied_cues_do_not_fire(sentence: str) -> None:
    assert cue_hits(sentence) == set()


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("She cheated on me.", "trust_breach"),
        ("He gives me the silent treatment.", "stonewalling"),
        ("He called me stupid.", "contempt"),
        # a purpose, fear or question clause is not a denial
        ("I hope he doesn't give me the silent treatment again.", "stonewalling"),
        ("I don't know why he gives me the silent treatment.", "stonewalling"),
        # another word in the way: the denial is about knowing, not about the cheating
        ("Nobody knows she cheated on me.", "trust_breach"),
        # a clause break ends the denial
        ("He is not sorry, and he gives me the silent treatment.", "stonewalling"),
    ],
)
def test_cues_that_stand(sentence: str, label: str) -> None:
    assert label in cue_hits(sentence)


def test_safety_keeps_the_narrow_reading() -> None:
    from assistant.safety.text import negated

    # Recall first: the safety screen does not treat a far-off "not" as a denial.
    assert not negated("he doesn't give me the ")
    assert negated("he doesn't give me the ", wide=True)
    assert not negated("nobody ")
    assert negated("nobody ", wide=True)


# --- who does what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "sentences", "names", "expected"),
    [
        ("stonewalling", ["He stonewalls me whenever I bring up money."], set(), "partner"),
        ("stonewalling", ["I stonewalled him all evening."], set(), "writer"),
        ("escalation", ["We shouted at each other in the car."], set(), "both"),
        ("contempt", ["I was called pathetic in front of everyone."], set(), "partner"),
        ("stonewalling", ["Sam walked out mid sentence."], {"Sam"}, "partner"),
        ("stonewalling", ["Sam walked out mid sentence."], set(), "unclear"),
        ("burnout", ["So much to do, no rest."], set(), "writer"),
        ("criticism", ["My mum says I'm lazy."], set(), "partner"),
        ("stonewalling", ["He walked out.", "I went quiet for days."], set(), "both"),
    ],
)
def test_who_resolves_actor(label: str, sentences: list[str], names: set[str], expected: str) -> None:
    assert who.resolve(label, sentences, names) == expected


def test_names_are_words_used_mid_sentence() -> None:
    names = who.names_in(["Dinner with Priya and Tom.", "Then Priya left early. Tonight was quiet."])
    assert {"Priya", "Tom"} <= names
    assert "Tonight" not in names and "Then" not in names and "Dinner" not in names


# --- the analysis layering, with a hand-built head ------------------------------------------------

VOCAB = ["grumpy", "tired", "sulked", "thanks", "stupid"]


def _head() -> dict[str, object]:
    """Weights over the tiny vocabulary (TF-IDF features first, then the embedding, all zero).

    - stonewalling: needs "grumpy" and "tired" together (either alone scores below threshold), so
      an entry can score as a whole while none of its sentences does;
    - avoidance: "sulked" alone;
    - appreciation: "thanks" alone;
    - abuse_risk: "stupid" (the head's own guess at a safety label, which must be ignored).
    """
    d = len(VOCAB) + DIM
    w = np.zeros((len(LABELS), d), dtype=np.float32)
    b = np.full(len(LABELS), -8.0, dtype=np.float32)

    def set_(label: str, words: dict[str, float], bias: float) -> None:
        j = LABELS.index(label)
        for word, weight in words.items():
            w[j, VOCAB.index(word)] = weight
        b[j] = bias

    set_("stonewalling", {"grumpy": 6.0, "tired": 6.0}, -7.0)
    set_("avoidance", {"sulked": 3.85}, -3.0)  # p = 0.7: a moderately sure finding
    set_("appreciation", {"thanks": 10.0}, -3.0)
    set_("abuse_risk", {"stupid": 10.0}, -3.0)
    return {
        "w": w,
        "b": b,
        "t": np.full(len(LABELS), 0.5, dtype=np.float32),
        "vocab": json.dumps({word: i for i, word in enumerate(VOCAB)}),
        "idf": np.ones(len(VOCAB)),
    }


@pytest.fixture(scope="module")
def clf() -> RedFlagClassifier:
    return RedFlagClassifier(_head(), FakeEmbedder(), Taxonomy.load(KNOWLEDGE), detector=None)


def _labels(a: Analysis) -> set[str]:
    return {f.label for f in a.flags + a.strengths}


def test_head_scores_are_what_the_weights_say(clf: RedFlagClassifier) -> None:
    s = clf._scores(["grumpy tired", "grumpy", "sulked"])
    j, k = LABELS.index("stonewalling"), LABELS.index("avoidance")
    assert s[0, j] > 0.5 > s[1, j]
    assert s[2, k] > 0.5


def test_whole_entry_score_without_a_sentence_that_carries_it_is_not_a_flag(clf: RedFlagClassifier) -> None:
    # As one sentence the pair scores; split over two sentences neither does on its own.
    assert "stonewalling" in _labels(clf.classify("Grumpy and tired."))
    assert _labels(clf.classify("I was grumpy. I was tired.")) == set()


def test_every_evidence_sentence_scores_for_its_label_on_its_own(clf: RedFlagClassifier) -> None:
    texts = [
        "He sulked. Dinner was nice. Thanks for the flowers, I said.",
        "Grumpy and tired tonight. We watched a film. He gave me the silent treatment after.",
        "She sulked all day. I sulked back.",
    ]
    for a in clf.classify_many(texts):
        for f in a.flags + a.strengths:
            for sent in f.evidence:
                alone = clf.classify(sent)
                assert f.label in _labels(alone) or f.label in cue_hits(sent), (f.label, sent)


def test_head_guess_at_a_safety_label_is_dropped(clf: RedFlagClassifier) -> None:
    # "stupid" drives the head's abuse_risk weight, but only the safety screen decides abuse_risk.
    assert "abuse_risk" not in _labels(clf.classify("That film was stupid."))


def test_cue_raises_a_pattern_the_head_misses(clf: RedFlagClassifier) -> None:
    a = clf.classify("Quiet day. He gave me the silent treatment again.")
    (f,) = [f for f in a.flags if f.label == "stonewalling"]
    assert f.evidence == ["He gave me the silent treatment again."]
    assert f.who == "partner"


def test_writer_pattern_is_told_to_the_writer(clf: RedFlagClassifier) -> None:
    tax = Taxonomy.load(KNOWLEDGE)
    mine = [f for f in clf.classify("I gave him the silent treatment.").flags if f.label == "stonewalling"][0]
    theirs = [f for f in clf.classify("He gave me the silent treatment.").flags if f.label == "stonewalling"][0]
    assert (mine.who, theirs.who) == ("writer", "partner")
    assert mine.explanation == tax.explanation_self["stonewalling"] != theirs.explanation
    assert mine.as_json()["who"] == "writer"


def test_names_from_earlier_entries_resolve_who(clf: RedFlagClassifier) -> None:
    text = "Nadia walked out mid sentence."
    assert [f.who for f in clf.classify(text).flags] == ["unclear"]
    assert [f.who for f in clf.classify(text, names={"Nadia"}).flags] == ["partner"]


def test_shifts_move_pattern_thresholds_but_never_safety(clf: RedFlagClassifier) -> None:
    assert "avoidance" in _labels(clf.classify("He sulked."))
    assert "avoidance" not in _labels(clf.classify("He sulked.", shifts={"avoidance": 0.5}))
    assert "stonewalling" not in _labels(clf.classify("He gave me the silent treatment.", {"stonewalling": 0.3}))
    crisis = "I want to kill myself."
    assert "self_harm_risk" in _labels(clf.classify(crisis, shifts={"self_harm_risk": 0.5}))


def test_analysis_json_round_trip_keeps_who(clf: RedFlagClassifier) -> None:
    a = clf.classify("I gave him the silent treatment.")
    back = Analysis.from_json(json.loads(json.dumps(a.as_json())))
    assert [(f.label, f.who) for f in back.flags] == [(f.label, f.who) for f in a.flags]


# --- calibration from marks -----------------------------------------------------------------------


def _marked(**marks: str) -> dict[str, object]:
    return {"flags": [], "feedback": {lab: {"mark": m, "score": 0.6} for lab, m in marks.items()}}


def test_calibration_counts_marks_and_says_what_changed() -> None:
    cal = calibration.learn([_marked(stonewalling="doesnt-fit")] * 3 + [_marked(criticism="fits")])
    assert cal.shifts == {"stonewalling": pytest.approx(0.15), "criticism": pytest.approx(-0.05)}
    changes = calibration.describe(cal)
    assert "Hearth now flags stonewalling less often for you (3 said it doesn't fit)." in changes
    assert any(c.startswith("Hearth now flags criticism a little more readily") for c in changes)


def test_calibration_is_bounded_and_skips_safety() -> None:
    cal = calibration.learn([_marked(avoidance="doesnt-fit", abuse_risk="doesnt-fit")] * 50)
    assert cal.shifts == {"avoidance": calibration.MAX_SHIFT}
    assert calibration.MAX_SHIFT + 0.5 < 0.75  # a cue phrase still raises the pattern
    assert any("never shows safety help less often" in c for c in calibration.describe(cal))


# --- feedback through the service: sealed, per profile, reset ----------------------------------


@pytest.fixture
def svc(fake_services: Services, clf: RedFlagClassifier) -> Services:
    fake_services.classifier = clf  # the hand-built head instead of training one
    return fake_services


def test_feedback_is_sealed_per_profile_and_can_be_reset(svc: Services) -> None:
    service.init_profile(svc, "ana", "correct horse battery 1")
    service.init_profile(svc, "ben", "correct horse battery 2")
    ana = service.unlock(svc, "ana", "correct horse battery 1")
    ben = service.unlock(svc, "ben", "correct horse battery 2")
    text = "He sulked after dinner."
    before_ben = service.add_entry(svc, ben, text).analysis.as_json()
    first = service.add_entry(svc, ana, text)
    assert "avoidance" in _labels(first.analysis)
    changes: list[str] = []
    for _ in range(4):
        added = service.add_entry(svc, ana, text)
        if "avoidance" in _labels(added.analysis):
            changes = service.feedback(svc, ana, added.id, "avoidance", "doesnt-fit")
    changes = service.feedback(svc, ana, first.id, "avoidance", "doesnt-fit")
    assert any("flags avoidance less often" in c for c in changes)
    # ana's entries now need more; ben's results are exactly what they were.
    assert "avoidance" not in _labels(service.add_entry(svc, ana, text).analysis)
    assert service.add_entry(svc, ben, text).analysis.as_json() == before_ben
    assert service.calibration_of(svc, ben).marks == 0
    # The marks are inside the sealed entry record, not in the clear.
    raw = svc.settings.vault_path.read_bytes()
    assert b"doesnt-fit" not in raw and b"avoidance" not in raw
    # Reset: the calibration is gone and the pattern shows again.
    assert service.reset_feedback(svc, ana) >= 2
    assert service.calibration_of(svc, ana).shifts == {}
    assert "avoidance" in _labels(service.add_entry(svc, ana, text).analysis)


def test_feedback_refuses_bad_input(svc: Services) -> None:
    service.init_profile(svc, "ana", "correct horse battery 1")
    ana = service.unlock(svc, "ana", "correct horse battery 1")
    added = service.add_entry(svc, ana, "He sulked.")
    with pytest.raises(UsageError, match="mark must be one of"):
        service.feedback(svc, ana, added.id, "avoidance", "maybe")
    with pytest.raises(UsageError, match="has no finding 'contempt'"):
        service.feedback(svc, ana, added.id, "contempt", "fits")


# --- insights over time -------------------------------------------------------------------------


def _entry(i: int, created: str, flags: list[tuple[str, str]], strengths: tuple[str, ...] = (), **marks: str) -> Entry:
    def f(label: str, whose: str = "unclear") -> dict[str, object]:
        return {"label": label, "score": 0.7, "evidence": ["x"], "explanation": "", "article_id": "", "who": whose}

    analysis: dict[str, object] = {
        "flags": [f(lab, w) for lab, w in flags],
        "strengths": [f(s) for s in strengths],
        "safety": "none",
    }
    if marks:
        analysis["feedback"] = {k: {"mark": v, "score": 0.7} for k, v in marks.items()}
    return Entry(f"e{i}", created, created, 1, "text", analysis=analysis)


def test_insights_say_what_recurs_and_what_improves() -> None:
    sw = [("stonewalling", "partner")]
    nov = [_entry(i, f"2026-11-{i + 1:02d}T10:00:00+00:00", sw if i < 6 else []) for i in range(10)]
    dec = [
        _entry(20 + i, f"2026-12-{i + 1:02d}T10:00:00+00:00", sw if i < 4 else [], ("appreciation",) if i < 3 else ())
        for i in range(9)
    ]
    # one more December entry the person marked "doesn't fit": not counted anywhere
    dec.append(_entry(99, "2026-12-20T10:00:00+00:00", [("stonewalling", "writer")], stonewalling="doesnt-fit"))
    tax = Taxonomy.load(KNOWLEDGE)
    out = compute(nov + dec, tax, load_resources(KNOWLEDGE), exercises=Practice.load(KNOWLEDGE).exercises)
    assert out["month"] == "2026-12"
    top = out["recurring"][0]
    assert (top["label"], top["this_month"], top["entries"], top["last_month"], top["last_entries"]) == (
        "stonewalling",
        4,
        10,
        6,
        10,
    )
    assert top["change"] == "fewer"
    assert top["text"] == "Stonewalling: 4 of 10 entries this month, fewer than last month (6 of 10)."
    (app,) = out["strengths_over_time"]
    assert (app["label"], app["this_month"], app["change"]) == ("appreciation", 3, "new")
    tip = out["try_next"]
    assert tip["label"] == "stonewalling" and tip["article_id"] in tax.articles["stonewalling"]
    assert sum(r["count"] for r in out["weeks_by_person"] if r["who"] == "writer") == 0
    assert sum(r["count"] for r in out["weeks_by_person"] if r["who"] == "partner") == 10
    assert out["totals"]["flags"] == {"stonewalling": 10}


def test_insights_weeks_are_the_last_twelve_every_one_present_across_a_new_year() -> None:
    from datetime import date, timedelta

    # a year of entries, one every week but for the last three weeks of November
    days = [date(2026, 1, 5) + timedelta(weeks=i) for i in range(53)]
    days = [d for d in days if not date(2026, 11, 9) <= d <= date(2026, 11, 29)]
    entries = [_entry(i, f"{d.isoformat()}T10:00:00+00:00", [("stonewalling", "partner")]) for i, d in enumerate(days)]
    out = compute(entries, Taxonomy.load(KNOWLEDGE), load_resources(KNOWLEDGE))
    weeks = [r["week"] for r in out["weeks"]]
    assert weeks == [r["week"] for r in out["weeks_by_person"] if r["who"] == "partner"]
    assert len(weeks) == 12 and weeks[0] == "2026-W43" and weeks[-1] == "2027-W01" and "2026-W53" in weeks
    assert [r["count"] for r in out["weeks"]] == [1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert {r["name"] for r in out["weeks"]} == {"Stonewalling"} and out["weeks"][0]["start"] == "2026-10-19"
    assert {r["whose"] for r in out["weeks_by_person"]} == {"Theirs", "Yours"}
    assert out["month_name"] == "January 2027" and out["last_month_name"] == "December 2026"


def test_insights_without_entries_say_nothing() -> None:
    out = compute([], Taxonomy.load(KNOWLEDGE), load_resources(KNOWLEDGE))
    assert out["recurring"] == [] and out["try_next"] is None and out["weeks_by_person"] == []


# --- the CLI: hearth journal feedback / calibration / feedback-reset ------------------------------


def test_cli_feedback_calibration_and_reset(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, clf: RedFlagClassifier
) -> None:
    import io
    import sys

    from assistant import cli

    monkeypatch.setenv("HEARTH_LLM_BACKEND", "fake")
    monkeypatch.setenv("HEARTH_EMBED_BACKEND", "fake")
    monkeypatch.setenv("HEARTH_PASSPHRASE", "a long enough passphrase")
    monkeypatch.setattr(Services, "classifier", clf)  # every Services the CLI builds uses the hand-built head

    def run(*argv: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("journal", "init")[0] == 0
    code, out, _ = run("journal", "add", "--text", "He sulked after dinner.", "--json")
    entry = json.loads(out)
    assert code == 0 and [f["label"] for f in entry["flags"]] == ["avoidance"]
    assert entry["flags"][0]["who"] == "partner"
    short = entry["id"][:6]

    code, out, _ = run("journal", "feedback", short, "avoidance", "doesnt-fit")
    assert code == 0 and out.strip() == "Hearth now flags avoidance less often for you (1 said it doesn't fit)."
    code, out, _ = run("journal", "calibration", "--json")
    assert code == 0 and json.loads(out)["shifts"] == {"avoidance": calibration.STEP}

    code, _, err = run("journal", "feedback", short, "avoidance", "maybe")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = run("journal", "feedback", short, "contempt", "fits")
    assert code == 2 and err.startswith("hearth: error:") and "has no finding 'contempt'" in err

    code, out, _ = run("journal", "feedback-reset")
    assert code == 0 and out.startswith("forgot 1 mark;")
    code, out, _ = run("journal", "calibration")
    assert code == 0 and out.startswith("No marks yet")
