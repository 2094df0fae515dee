"""Every answer template against the written checklist (knowledge/safety/answer_checklist.yaml,
framed on the dimensions of VERA-MH): every region, every sign, and the care answer the coach
gives to gaslighting, control, monitoring and isolation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from assistant.kb.corpus import load
from assistant.safety import Cue, Resources, SafetyResult, concern_response, load_resources, load_signs, respond
from tests.conftest import REPO

KNOWLEDGE = REPO / "knowledge"
CHECKLIST = yaml.safe_load((KNOWLEDGE / "safety" / "answer_checklist.yaml").read_text(encoding="utf-8"))["items"]
SIGNS = load_signs(KNOWLEDGE)
REGIONS = ("all", "US", "UK-IE", "EU")


@pytest.fixture(scope="module")
def resources() -> Resources:
    return load_resources(KNOWLEDGE)


def _result(level: str, signs: list[str], source: str = "rule") -> SafetyResult:
    cues = [Cue(SIGNS[s].group, "x", 0, 0, 1, s, source, 1.0) for s in signs]  # type: ignore[arg-type]
    return SafetyResult(level, cues)  # type: ignore[arg-type]


def _answers(resources: Resources) -> list[tuple[str, str, str]]:
    """(kind, description, text) for every template variant."""
    out = []
    for region in REGIONS:
        for sign in SIGNS.ids("crisis"):
            out.append(("crisis", f"{sign}/{region}", respond("t", _result("crisis", [sign]), resources, region)))
        out.append(("crisis", f"unnamed/{region}", respond("t", _result("crisis", []), resources, region)))
        out.append(
            (
                "crisis",
                f"with abuse/{region}",
                respond("t", _result("crisis", ["wish_dead", "physical"]), resources, region),
            )
        )
        for sign in SIGNS.ids("abuse"):
            out.append(("abuse", f"{sign}/{region}", respond("t", _result("abuse", [sign]), resources, region)))
        out.append(("abuse", f"unnamed/{region}", respond("t", _result("abuse", []), resources, region)))
        for patterns in (["gaslighting"], ["controlling"], ["isolation"], ["gaslighting", "isolation"], []):
            out.append(("concern", f"{patterns}/{region}", concern_response(patterns, resources, region)))
    return out


def _checks(kind: str) -> list[dict]:
    return [c for c in CHECKLIST if kind in c["applies_to"]]


def test_the_checklist_is_framed_and_complete() -> None:
    dims = {c["dimension"] for c in CHECKLIST}
    assert dims == {
        "detects risk",
        "clarifies risk",
        "guides to human support",
        "collaborates and validates appropriately",
        "maintains safe boundaries",
    }
    for kind in ("crisis", "abuse", "concern"):
        assert len(_checks(kind)) >= 7


def test_every_template_passes_every_item(resources: Resources) -> None:
    failures = []
    for kind, what, text in _answers(resources):
        for item in _checks(kind):
            for rx in item.get("require", []):
                if not re.search(rx, text, re.IGNORECASE | re.MULTILINE):
                    failures.append(f"{kind} {what}: {item['id']} needs /{rx}/")
            anyof = item.get("require_any", [])
            if anyof and not any(re.search(rx, text, re.IGNORECASE | re.MULTILINE) for rx in anyof):
                failures.append(f"{kind} {what}: {item['id']} needs one of {anyof}")
            for rx in item.get("forbid", []):
                if m := re.search(rx, text, re.IGNORECASE):
                    failures.append(f"{kind} {what}: {item['id']} forbids {m.group(0)!r}")
    assert failures == [], "\n".join(failures[:20])


def test_the_checklist_catches_a_bad_answer() -> None:
    bad = "Don't worry, every couple fights. Things you could try: use an I statement."
    found = [c["id"] for c in CHECKLIST for rx in c.get("forbid", []) if re.search(rx, bad, re.IGNORECASE)]
    assert {"no_tips", "no_minimising"} <= set(found)


def test_answers_name_what_was_said(resources: Resources) -> None:
    for sign in SIGNS.signs:
        text = respond("t", _result(sign.kind, [sign.id]), resources)
        assert sign.said in text, sign.id


def test_unsure_detector_signs_are_not_named(resources: Resources) -> None:
    # A detector cue without a sign (the sign head was unsure) gets the general wording.
    text = respond("t", SafetyResult("crisis", [Cue("crisis", "x", 0, 0, 1, "", "detector", 0.7)]), resources)
    assert "thoughts of not wanting to be alive" in text


def test_strangulation_and_weapons_get_their_warning(resources: Resources) -> None:
    assert "especially dangerous" in respond("t", _result("abuse", ["strangulation"]), resources)
    assert "strongest warning signs" in respond("t", _result("abuse", ["weapons"]), resources)


def test_every_article_an_answer_names_exists_with_that_title(resources: Resources) -> None:
    corpus = load(KNOWLEDGE)
    for _, _, text in _answers(resources):
        for title, aid in re.findall(r"'([^']+)' \(([a-z0-9-]+)\)", text):
            art = corpus.get(aid)
            assert art is not None and art.title == title, (aid, title)
        for title, aid in re.findall(r"^\[\d+\] (.+) \(([a-z0-9-]+)\)$", text, re.MULTILINE):
            art = corpus.get(aid)
            assert art is not None and art.title == title, (aid, title)


def test_every_sign_points_to_an_article() -> None:
    ids = {p.stem for p in Path(KNOWLEDGE / "articles").glob("*.md")}
    assert all(s.article in ids for s in SIGNS.signs)
    assert all(s.frame and s.description and s.said for s in SIGNS.signs)
