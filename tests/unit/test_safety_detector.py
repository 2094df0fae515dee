"""The learned detector with the deterministic FakeEmbedder: training, the cache, sentence-level
scoring, the union with the rules, and conversations. The real embedder's quality is measured in
tests/integration/test_safety_detector.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.embed import FakeEmbedder
from assistant.safety import screen_conversation
from assistant.safety import train as training
from assistant.safety.detector import Detector
from assistant.services import Services
from tests.conftest import REPO

CRISIS = [
    "I keep thinking about jumping from the bridge tonight.",
    "I have been saving my tablets for the night I jump from the bridge.",
    "Thinking about the bridge again tonight, I want to jump.",
    "I wrote goodbye notes and I keep thinking about the bridge.",
    "The bridge keeps calling me, I think tonight I jump.",
    "I drove to the bridge and looked down and wanted to jump.",
]
ABUSE = [
    "He locks me in the cellar when he is angry.",
    "My husband locks me in the cellar every weekend.",
    "She locked me in the cellar again and took my keys.",
    "He locks me in the cellar and says nobody will hear me.",
    "Locked in the cellar again by him last night.",
    "He threatens to lock me in the cellar if I go out.",
]
NONE = [
    "We went to the farmers market and bought peaches.",
    "Lovely walk by the river with the dog today.",
    "We argued about the dishes and then laughed about it.",
    "Dinner with my sister was fun, we talked for hours.",
    "He made pancakes and we watched a film.",
    "Work was busy but fine, I went to the gym after.",
    "We planted tomatoes in the garden this morning.",
    "The bridge club meets on Tuesdays and I love the card games.",
    "We cleaned the cellar together and found old photos.",
    "My sister and I booked a holiday by the sea.",
    "Quiet evening, tea and a book, early night.",
    "We painted the kitchen yellow, it looks great.",
]


def _knowledge(tmp: Path, extra_none: list[str] | None = None) -> Path:
    k = tmp / "knowledge"
    (k / "safety" / "training").mkdir(parents=True)
    for name in ("signs.yaml", "rules.yaml"):
        shutil.copy(REPO / "knowledge" / "safety" / name, k / "safety" / name)
    rows = [{"text": t, "label": "crisis", "sign": "rehearsal"} for t in CRISIS]
    # the danger buried in an ordinary entry: the sentence-level threshold learns from these
    buried = [f"{a} {c} {b}" for a, b, c in zip(NONE, NONE[3:], CRISIS, strict=False)]
    rows += [{"text": t, "label": "crisis", "sign": "rehearsal"} for t in buried]
    rows += [{"text": f"{a} {b}", "label": "none", "sign": "neg_happy"} for a, b in zip(NONE, NONE[1:], strict=False)]
    rows += [{"text": t, "label": "abuse", "sign": "isolation"} for t in ABUSE]
    rows += [{"text": t, "label": "none", "sign": "neg_happy"} for t in NONE * 2 + (extra_none or [])]
    (k / "safety" / "training" / "team.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return k


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _knowledge(tmp_path_factory.mktemp("detector"))


@pytest.fixture(scope="module")
def detector(knowledge: Path, tmp_path_factory: pytest.TempPathFactory) -> Detector:
    return Detector.load(knowledge, FakeEmbedder(), "FakeEmbedder", tmp_path_factory.mktemp("cache"))


def test_trains_once_then_loads_from_the_cache(knowledge: Path, tmp_path: Path) -> None:
    first = Detector.load(knowledge, FakeEmbedder(), "FakeEmbedder", tmp_path)
    assert first.trained_now
    files = list(tmp_path.glob("safety-head-*.npz"))
    assert len(files) == 1 and not list(tmp_path.glob(".safety-head-*"))  # no tmp file left behind
    second = Detector.load(knowledge, FakeEmbedder(), "FakeEmbedder", tmp_path)
    assert not second.trained_now
    np.testing.assert_array_equal(first.w, second.w)
    # another embedder name is another head
    assert Detector.load(knowledge, FakeEmbedder(), "OtherEmbedder", tmp_path).trained_now


def test_the_cache_key_covers_the_data(tmp_path: Path) -> None:
    a = _knowledge(tmp_path / "a")
    b = _knowledge(tmp_path / "b", extra_none=["One more ordinary day at the office."])
    Detector.load(a, FakeEmbedder(), "FakeEmbedder", tmp_path / "cache")
    assert Detector.load(b, FakeEmbedder(), "FakeEmbedder", tmp_path / "cache").trained_now
    assert len(list((tmp_path / "cache").glob("safety-head-*.npz"))) == 2


def test_the_report_has_recall_per_sign(detector: Detector) -> None:
    assert set(detector.report) >= {"rehearsal", "isolation", "neg_happy"}
    assert "recall" in detector.report["rehearsal"] and "false_alarm" in detector.report["neg_happy"]


def test_learned_phrasings_route_without_any_rule(detector: Detector) -> None:
    r = detector.screen("Thinking about the bridge tonight, I want to jump.")
    assert r.level == "crisis"
    assert any(c.source == "detector" for c in r.cues)
    assert detector.screen("He locks me in the cellar again.").level == "abuse"
    assert detector.screen("We went to the river and bought peaches.").level == "none"


def test_one_dangerous_sentence_in_a_happy_entry(detector: Detector) -> None:
    happy = "Lovely walk by the river with the dog today. We planted tomatoes. Dinner with my sister was fun."
    danger = "I keep thinking about jumping from the bridge tonight."
    assert detector.screen(happy).level == "none"
    r = detector.screen(f"{happy} {danger} We painted the kitchen yellow.")
    assert r.level == "crisis"
    hit = [c for c in r.cues if c.source == "detector" and c.category == "crisis"]
    assert hit and hit[0].text == danger and hit[0].sentence == 3


def test_every_sentence_of_a_long_entry_is_a_unit() -> None:
    # Past the unit budget (max_units) the detector once dropped sentences, so sentence 120 of a
    # long entry was never looked at by the learned half; now only sentence pairs give way.
    days = " ".join(f"On day {i} we planted tomatoes and walked the dog." for i in range(120))
    danger = "I keep thinking about jumping from the bridge tonight."
    texts, kinds, where = training.units(f"{days} {danger}", pairs=True, max_units=80)
    assert kinds.count(1) == 121 and texts[kinds.index(1) + 120] == danger and where[kinds.index(1) + 120] == 120


def test_the_length_penalty_stops_growing() -> None:
    # A clear sentence in a 200-sentence entry pays no more than in a 12-sentence one.
    p = np.array([0.99, 0.99, 0.99])
    adjusted = training.adjust(p, np.array([12, 50, 200]), beta=2.0)
    assert adjusted[0] == adjusted[1] == adjusted[2] and adjusted[0] < 0.99


def test_rules_and_detector_are_united(detector: Detector) -> None:
    r = detector.screen("We painted the kitchen yellow. He threatened to kill me.")
    assert r.level == "abuse"
    assert any(c.source == "rule" and c.sign == "threats" for c in r.cues)


def test_no_negation_touches_the_detector(detector: Detector) -> None:
    # The heads never see a negation filter: a denial in front does not hide what they learnt.
    r = detector.screen("I'm not okay. I keep thinking about jumping from the bridge tonight.")
    assert r.level == "crisis"


def test_assess_returns_the_whole_text_embedding(detector: Detector) -> None:
    text = "How do we split chores fairly?"
    result, vec = detector.assess(text)
    assert result.level == "none"
    np.testing.assert_allclose(vec, FakeEmbedder().embed([text])[0])


def test_the_decision_is_deterministic(detector: Detector) -> None:
    texts = CRISIS + ABUSE + NONE
    assert detector.screen_many(texts) == detector.screen_many(texts)
    assert [detector.screen(t) for t in texts] == detector.screen_many(texts)


# --- conversations -------------------------------------------------------------------------------


def test_a_disclosure_keeps_the_conversation_in_safety_mode(detector: Detector) -> None:
    turns = ["We argued about the dishes.", "I want to die.", "Anyway, how do we split chores?"]
    v = screen_conversation(turns, detector)
    assert v.level == "crisis" and v.turn == 1 and v.carried
    assert v.turns[2].level == "none"


def test_moving_on_explicitly_ends_safety_mode(detector: Detector) -> None:
    turns = ["I want to die.", "I'm safe now, can we talk about something else?", "How do we split chores?"]
    assert screen_conversation(turns, detector).level == "none"
    # a move-on phrase inside a new disclosure does not end anything
    assert screen_conversation(["I want to die.", "I'm okay now, but I want to die."], detector).level == "crisis"


def test_crisis_outranks_an_earlier_abuse_disclosure() -> None:
    v = screen_conversation(["He threatened to kill me.", "Some days I wish I was dead."])
    assert v.level == "crisis" and v.turn == 1


def test_signals_spread_over_turns_are_read_together(detector: Detector) -> None:
    turns = ["We painted the kitchen.", "The bridge keeps calling me.", "I think tonight I jump."]
    assert all(r.level == "none" for r in detector.screen_many(turns[:1]))
    assert screen_conversation(turns, detector).level == "crisis"


# --- one detector everywhere ---------------------------------------------------------------------


def test_services_wire_one_detector_into_coach_and_journal(fake_services: Services) -> None:
    det = fake_services.detector
    assert fake_services.detector is det
    assert fake_services.coach.detector is det
    assert fake_services.classifier.detector is det
