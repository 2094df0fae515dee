"""The Insights tab's view without a browser: whose, how many, charts only with data, every
pattern and article named in words, weeks without entries drawn as 0, and what changed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from assistant.errors import HearthError
from assistant.journal import service as journal
from assistant.journal.classifier import LABELS
from assistant.services import Services
from ui.tabs.insights import InsightsTab

PW = "a long passphrase for ana"


def test_insights_say_whose_and_draw_only_what_there_is(fake_services: Services) -> None:
    tab = InsightsTab(fake_services)
    journal.init_profile(fake_services, "Ana", PW)
    vs = journal.unlock(fake_services, "Ana", PW)
    v = tab.view(vs)
    assert v.flags.empty and v.strengths.empty and v.people.empty and v.articles == []
    assert v.text.startswith("**Insights for Ana: 0 entries.**")
    journal.add_entry(fake_services, vs, "He gave me the silent treatment for three days and walked out whenever I "
                      "tried to talk.")  # fmt: skip
    v = tab.view(vs, "UK-IE")
    # one week is not a line: the charts wait for a second week, and the text says so
    assert "1 entries" in v.text and v.flags.empty and v.people.empty
    plain = v.text.replace("\\", "")
    assert "appear once your entries cover two weeks" in plain and "Stonewalling: 1 of 1 entry" in plain
    _store(fake_services, vs, (date.today() - timedelta(weeks=1)).isoformat(), [("stonewalling", "partner")])
    v = tab.view(vs, "UK-IE")
    assert not v.flags.empty and "Stonewalling" in set(v.flags["pattern"]) and v.people["entries"].sum() >= 2
    vs.lock()
    with pytest.raises(HearthError):
        tab.view(vs)


def _finding(label: str, who: str = "unclear") -> dict[str, object]:
    return {"label": label, "score": 0.8, "evidence": ["x"], "explanation": "", "article_id": "", "who": who}


def _store(svc: Services, vs, day: str, flags=(), strengths=(), text: str = "an entry") -> None:  # type: ignore[no-untyped-def]
    """An entry as the vault holds it after classification: its findings stored beside it."""
    analysis = {"flags": [_finding(f, w) for f, w in flags], "strengths": [_finding(s) for s in strengths],
                "safety": "none"}  # fmt: skip
    svc.vaults.add(vs, text, analysis=analysis, created=f"{day}T10:00:00+00:00")


@pytest.fixture
def history(fake_services: Services):  # type: ignore[no-untyped-def]
    """November: 11 entries, 6 with stonewalling (theirs), none in the week of 16 Nov; December:
    9 entries, 4 with stonewalling, 3 with quality time. The classifier never runs."""
    svc = fake_services
    journal.init_profile(svc, "Ana", PW)
    vs = journal.unlock(svc, "Ana", PW)
    nov = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-09", "2026-11-10", "2026-11-11",
           "2026-11-12", "2026-11-24", "2026-11-25", "2026-11-26"]  # fmt: skip
    for i, day in enumerate(nov):
        _store(svc, vs, day, [("stonewalling", "partner")] if i < 6 else [])
    for i in range(9):
        _store(svc, vs, f"2026-12-{i + 1:02d}", [("stonewalling", "writer")] if i < 4 else [],
               ["quality_time"] if i < 3 else [], text="<img src=x onerror=alert(1)> *bold*")  # fmt: skip
    return svc, vs


def test_insights_name_patterns_and_articles_in_words(history) -> None:  # type: ignore[no-untyped-def]
    svc, vs = history
    tab = InsightsTab(svc)
    v = tab.view(vs)
    assert set(v.flags["pattern"]) == {"Stonewalling"} and set(v.strengths["strength"]) == {"Quality time"}
    assert set(v.people["whose"]) == {"Theirs", "Yours"}
    plain = (v.text + v.reading).replace("\\", "")  # Markdown's escapes off: the text as a person reads it
    assert not [lab for lab in LABELS if "_" in lab and re.search(rf"\b{lab}\b", plain)], plain
    assert "Stonewalling:" in plain and "Quality time:" in plain
    assert "`" not in plain and "<img" not in plain
    # articles by their titles, offered to open; their slugs nowhere in the text
    assert v.articles and all(title and title != aid for title, aid in v.articles)
    for title, aid in v.articles:
        assert title in plain and aid not in plain
        assert tab.article_md(aid).startswith(f"## {title}\n")
    assert "Read what Hearth suggested" in plain
    assert "classifier" not in svc.__dict__  # insights read the stored findings: nothing was classified


def test_insights_weeks_run_without_gaps_and_empty_weeks_are_zero(history) -> None:  # type: ignore[no-untyped-def]
    svc, vs = history
    v = InsightsTab(svc).view(vs)
    assert v.weeks == ["2 Nov", "9 Nov", "16 Nov", "23 Nov", "30 Nov", "7 Dec"]  # each Monday, in order
    assert list(v.flags["week"]) == v.weeks and list(v.strengths["week"]) == v.weeks
    # the week of 16 Nov had no entries: there, not skipped, and 0 on every chart
    for df in (v.flags, v.strengths, v.people):
        assert list(dict.fromkeys(df["week"])) == v.weeks
        gap = df[df["week"] == "16 Nov"]
        assert len(gap) == df.iloc[:, 1].nunique() and gap["entries"].sum() == 0
    stone = v.flags.set_index("week")["entries"]
    assert stone.sum() == 10 and list(stone) == [4, 2, 0, 0, 4, 0]
    assert "from 2 Nov 2026 to 7 Dec 2026" in v.text


def test_insights_say_what_changed_with_strengths_beside_them(history) -> None:  # type: ignore[no-untyped-def]
    svc, vs = history
    plain = InsightsTab(svc).view(vs).text.replace("\\", "")
    assert "## What changed in December 2026" in plain and "beside November 2026" in plain
    assert "- Stonewalling: 4 of 9 entries this month, fewer than last month (6 of 11)." in plain
    assert "### Strengths beside them\n- Quality time: 3 of 9 entries this month, none last month (0 of 11)." in plain
    assert plain.index("Stonewalling: 4 of 9") < plain.index("Quality time: 3 of 9")
