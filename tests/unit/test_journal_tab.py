"""The Journal tab's handlers without a browser: a real vault in a temporary folder, fake models."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.config import Settings
from assistant.embed import FakeEmbedder
from assistant.errors import HearthError, UsageError
from assistant.journal import service as journal
from assistant.journal.classifier import Analysis, Finding
from assistant.llm.fake import FakeLLM
from assistant.services import Services
from ui.guard import COOKIE
from ui.tabs.journal import UNDO_SECONDS, JournalTab, card_label
from ui.tabs.session import Sessions

PW = "a long passphrase for ana"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def tab(fake_services: Services) -> tuple[JournalTab, Clock]:
    clock = Clock()
    return JournalTab(fake_services, Sessions(fake_services), clock=clock), clock


@pytest.fixture
def vs(fake_services: Services):  # type: ignore[no-untyped-def]
    journal.init_profile(fake_services, "Ana", PW)
    return journal.unlock(fake_services, "Ana", PW)


def _files(home: Path) -> bytes:
    return b"".join(f.read_bytes() for f in home.rglob("*") if f.is_file())


def test_cards_show_date_title_mood_and_tags_newest_first(tab, vs) -> None:  # type: ignore[no-untyped-def]
    t, _ = tab
    t.save(vs, "We walked by the river.\nIt was calm.", title="", mood="calm", tags="walks, Sunday")
    t.save(vs, "A long talk about money.", title="Money talk", mood="", tags="")
    choices, note = t.cards(vs)
    assert note == "2 entries."
    (newest, _), (older, _) = choices
    assert newest.splitlines()[0].endswith("· Money talk")
    first, meta, *_ = older.splitlines()
    assert first.endswith("· We walked by the river.")  # no title: the first line stands in
    assert meta == "calm · #walks #sunday"
    assert re.match(r"\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d · ", first)


def test_search_reads_text_title_mood_and_tags_and_needs_every_word(tab, vs) -> None:  # type: ignore[no-untyped-def]
    t, _ = tab
    t.save(vs, "We argued about the dishes again.", title="Kitchen", mood="angry", tags="home")
    t.save(vs, "A quiet dinner; we laughed about the dog.", title="Dinner", mood="happy", tags="dog")

    def found(q: str) -> list[str]:
        return [label.splitlines()[0].split(" · ")[1] for label, _ in t.cards(vs, q)[0]]

    assert found("DISHES") == ["Kitchen"]
    assert found("#dog") == ["Dinner"] and found("angry") == ["Kitchen"]
    assert found("dinner laughed") == ["Dinner"] and found("dinner dishes") == []
    assert sorted(found("")) == ["Dinner", "Kitchen"]
    assert t.cards(vs, "nothing like this")[1] == "No entry holds all of those words."


def test_edit_reanalyses_and_leaves_no_trace_of_the_old_version(tab, vs, fake_services, home) -> None:  # type: ignore[no-untyped-def]
    t, _ = tab
    opened, _ = t.save(vs, "First words, about the weekend away.", title="Weekend", mood="hopeful", tags="trip")
    db = fake_services.settings.home / "journal.sqlite3"
    with sqlite3.connect(db) as c:
        (old_blob,) = c.execute("SELECT sealed FROM entries WHERE id=?", (opened.entry_id,)).fetchone()
    assert old_blob[40:72] in _files(home)  # the old ciphertext is on disk before the edit

    text = "He gave me the silent treatment for three days and walked out whenever I tried to talk."
    after, status = t.save(vs, text, title="Silence", mood="hurt", tags="", editing=opened.entry_id)
    assert after.entry_id == opened.entry_id and "old one is gone" in status
    e = journal.get_entry(fake_services, vs, opened.entry_id)
    assert (e.text, e.title, e.mood, e.tags, e.version) == (text, "Silence", "hurt", [], 2)
    assert Analysis.from_json(e.analysis).flags  # read again: the new words raise a pattern
    assert len(journal.list_entries(fake_services, vs)) == 1
    disk = _files(home)
    # Neither the sealed old version nor any 32-byte run of it is left in the vault's files.
    assert all(old_blob[i : i + 32] not in disk for i in range(0, len(old_blob) - 32, 16))
    assert "First words" not in t.cards(vs)[0][0][0]


def test_delete_then_undo_within_the_window_only(tab, vs, fake_services, home) -> None:  # type: ignore[no-untyped-def]
    t, clock = tab
    opened, _ = t.save(vs, "Keep this one, please.", title="Keeper", mood="calm", tags="a, b")
    created = journal.get_entry(fake_services, vs, opened.entry_id).created
    with sqlite3.connect(fake_services.settings.home / "journal.sqlite3") as c:
        (blob,) = c.execute("SELECT sealed FROM entries WHERE id=?", (opened.entry_id,)).fetchone()
    held = t.delete(vs, opened.entry_id)
    assert t.cards(vs)[0] == []
    disk = _files(home)  # the deleted ciphertext is gone from the files, not only from the table
    assert all(blob[i : i + 32] not in disk for i in range(0, len(blob) - 32, 16))
    clock.now += UNDO_SECONDS - 1
    assert not t.expired(held)
    back = t.undo(vs, held)
    assert (back.text, back.title, back.mood, back.tags, back.created) == (
        "Keep this one, please.", "Keeper", "calm", ["a", "b"], created,
    )  # fmt: skip
    held = t.delete(vs, back.id)
    clock.now += UNDO_SECONDS + 1
    assert t.expired(held)
    with pytest.raises(UsageError, match="too late"):
        t.undo(vs, held)
    with pytest.raises(UsageError):
        t.delete(vs, None)


def test_user_text_is_escaped_in_the_opened_entry_and_cards_are_plain_text(tab, vs) -> None:  # type: ignore[no-untyped-def]
    t, _ = tab
    evil = '<img src=x onerror="alert(1)"> & <b>bold</b>'
    opened, _ = t.save(vs, evil + "\nsecond line", title=evil, mood="", tags="<svg>")
    assert "<img" not in opened.entry_html and "<svg" not in opened.entry_html and "<b>" not in opened.entry_html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in opened.entry_html
    assert "<br>second line" in opened.entry_html  # line breaks kept as written
    # The card is the literal text (Gradio renders a radio label as text).
    label = card_label(journal.get_entry(t.svc, vs, opened.entry_id))
    assert label.splitlines()[0].endswith(" · " + evil) and label.splitlines()[1] == "#<svg>"


def _finding(label: str, evidence: str) -> Finding:
    return Finding(label, 0.9, [evidence], f"why {label}", "stonewalling-flooding" if label != "repair" else "")


def test_the_entry_sits_above_an_analysis_in_words_with_strengths_apart(tab, fake_services) -> None:  # type: ignore[no-untyped-def]
    t, _ = tab
    text = "He walked out again. Later we apologised to each other."
    a = Analysis([_finding("stonewalling", "He walked out again.")],
                 [_finding("repair", "Later we apologised to each other.")])  # fmt: skip
    entry = journal.Entry("e1", "2026-12-01T20:00:00+00:00", "2026-12-01T20:00:00+00:00", 1, text)
    body = t.entry_html(entry, a)
    assert "<mark class='hl-flag'>He walked out again.</mark>" in body
    assert "<mark class='hl-strength'>Later we apologised to each other.</mark>" in body
    html = t.analysis_html(a)
    name = fake_services.classifier.taxonomy.name
    assert "0.9" not in html  # no raw scores
    assert name["stonewalling"] in html and "Why Hearth noticed this: you wrote &ldquo;He walked out" in html
    assert html.index("an-flags") < html.index("an-strengths") and "finding-strength" in html
    assert "stonewalling-flooding" not in html  # the article by its title, not its id
    assert t._title("stonewalling-flooding") in html


def test_strengths_have_their_own_calm_colour() -> None:
    from ui.tabs.journal import JOURNAL_CSS

    def colour(cls: str) -> str:
        m = re.search(r"\." + cls + r"\s*\{[^}]*background:\s*(#[0-9a-fA-F]{6})", JOURNAL_CSS)
        assert m, cls
        return m.group(1).lower()

    flag, strength = colour("hl-flag"), colour("hl-strength")
    assert flag != strength
    r, g, b = (int(strength[i : i + 2], 16) for i in (1, 3, 5))
    assert r < g or r < b  # green or blue, never a red


@pytest.mark.parametrize(("region", "shown", "not_shown"), [
    ("UK-IE", ["UK and Ireland", "Anywhere", "Samaritans"], ["United States", "988", "Europe"]),
    ("US", ["United States", "Anywhere", "988"], ["UK and Ireland", "Samaritans"]),
])  # fmt: skip
def test_resources_show_the_chosen_region_under_headings(tab, region, shown, not_shown) -> None:  # type: ignore[no-untyped-def]
    t, _ = tab
    html = t.resources_html(("emergency", "crisis", "directory"), region)
    assert all(s in html for s in shown) and not any(s in html for s in not_shown)
    everywhere = t.resources_html(("emergency", "crisis", "directory"), "all")
    headings = re.findall(r"<h4>(.*?)</h4>", everywhere)
    assert headings == ["United States", "UK and Ireland", "Europe", "Anywhere"]  # each region once, in order


def test_a_crisis_entry_shows_its_regions_resources_first(tab, vs) -> None:  # type: ignore[no-untyped-def]
    t, _ = tab
    opened, _ = t.save(vs, "I want to end my life tonight, I have the pills ready.", region="UK-IE")
    assert "an-safety" in opened.analysis_html and "Samaritans" in opened.analysis_html
    assert "988" not in opened.analysis_html
    assert opened.analysis_html.index("an-safety") < opened.analysis_html.index("an-flags")
    assert "safety-planning" in [aid for _, aid in opened.articles]
    assert t.article_md("safety-planning").startswith("## ")


def test_feedback_and_locked_sessions(tab, vs) -> None:  # type: ignore[no-untyped-def]
    t, _ = tab
    text = "He gave me the silent treatment for three days and walked out whenever I tried to talk."
    opened, _ = t.save(vs, text)
    assert opened.findings
    label = opened.findings[0][1]
    assert "noted" in t.mark(vs, opened.entry_id, label, "doesnt-fit")
    assert t.mark(vs, None, label, "fits").startswith("Open an entry")
    assert "Forgot 1 marks" in t.reset_marks(vs)
    vs.lock()
    with pytest.raises(HearthError):
        t.cards(vs)
    with pytest.raises(HearthError):
        t.save(vs, "anything")


def test_lock_clears_everything_the_tab_shows(fake_services: Services) -> None:
    import gradio as gr

    jt = JournalTab(fake_services, Sessions(fake_services))
    with gr.Blocks() as demo:
        jt.build(demo, gr.State(None), gr.Dropdown(choices=["all"], value="all"))
    blank = dict(zip(jt.clear_outs, jt.cleared, strict=True))
    by_id = {getattr(c, "elem_id", None): v for c, v in blank.items()}
    for elem in ("entry-text", "entry-title", "entry-tags", "entry-search", "entry-view", "analysis",
                 "journal-article-view", "passphrase"):  # fmt: skip
        assert by_id[elem] == "", elem
    assert by_id["recovery-key"] == "" and by_id["recovery-panel"]["visible"] is False
    assert by_id["journal-body"]["visible"] is True  # a lock during the key's step shows the (locked) journal
    assert by_id["entries"]["choices"] == [] and by_id["undo-row"]["visible"] is False
    # the states: the open journal, the entry being edited and the one held for undo
    states = [v for c, v in blank.items() if type(c).__name__ == "State"]
    assert states == [None, None, None]


# -- the recovery key's own step, through the tab's real wiring (fake request, fake models) -------


def _wired(svc: Services) -> Any:
    import gradio as gr

    with gr.Blocks() as demo:
        JournalTab(svc, Sessions(svc)).build(demo, gr.State(None), gr.Dropdown(choices=["all"], value="all"))
    return demo


def _call(demo: Any, handler: str, *args: Any) -> dict[str, Any]:
    """Run one of the tab's event handlers; its outputs by elem_id (gr.State ones as 'State<n>')."""
    fn = next(f for f in demo.fns.values() if getattr(f.fn, "__name__", "") == handler)
    out = fn.fn(*args)
    out = out if isinstance(out, tuple) else (out,)
    return {getattr(c, "elem_id", None) or f"{type(c).__name__}{n}": v
            for n, (c, v) in enumerate(zip(fn.outputs, out, strict=True))}  # fmt: skip


def _request() -> Any:
    return SimpleNamespace(headers={"cookie": f"{COOKIE}=browser-one"}, session_hash="page-1", username=None)


def test_a_new_profiles_recovery_key_is_its_own_step_and_leaves_on_ive_saved_it(fake_services) -> None:  # type: ignore[no-untyped-def]
    demo = _wired(fake_services)
    made = _call(demo, "do_create", "Ana", PW, PW, None, _request())
    panel = made["recovery-key"]
    m = re.search(r"<pre class='recovery-code'><code>([A-Z0-9-]+)</code></pre>", panel)
    assert m, panel
    key = m.group(1)
    assert fake_services.vaults.unlock("Ana", recovery_key=key).name == "Ana"  # the real key, shown whole
    assert "Write this down" in panel and "Hearth will not show it again" in panel
    # Its own step: the panel shown, the journal below it hidden until the key is saved
    assert made["recovery-panel"]["visible"] is True and made["journal-body"]["visible"] is False
    assert "Created and unlocked" in made["journal-status"]
    assert not any(key in repr(v) for k, v in made.items() if k.startswith("State"))  # never kept in a gr.State

    saved = _call(demo, "do_key_saved")
    assert saved["recovery-key"] == "" and saved["recovery-panel"]["visible"] is False
    assert saved["journal-body"]["visible"] is True
    assert key not in repr(saved)


def test_session_mode_shows_no_recovery_key_for_its_throwaway_profile(home, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    svc = Services(Settings(home=home, llm_backend="fake", embed_backend="fake", session_mode=True),
                   llm=FakeLLM(), embedder=FakeEmbedder())  # fmt: skip
    made_keys: list[str] = []
    real = journal.init_profile

    def init_profile(*args: Any) -> str:
        made_keys.append(real(*args))
        return made_keys[-1]

    monkeypatch.setattr(journal, "init_profile", init_profile)
    made = _call(_wired(svc), "do_create", "client", PW, PW, None, _request())
    assert made_keys and made_keys[0] not in repr(made)  # the store made one; the page never gets it
    assert made["recovery-key"] == "" and made["recovery-panel"]["visible"] is False
    assert made["journal-body"]["visible"] is True
    assert "no recovery key" in made["journal-status"]
