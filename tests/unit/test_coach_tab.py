"""The Coach tab's handlers without a browser: the scripted LLM, the FakeEmbedder, the real
knowledge base. Sources once and by title, the passage as text, the article as sections and
steps, the safety answer once in its panel, and nothing anyone wrote becoming markup."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from assistant.coach import MAX_QUESTION_CHARS, Answer, Citation
from assistant.errors import HearthError
from assistant.kb.corpus import Article, Section
from assistant.services import Services
from ui.tabs.coach import (
    CHOICES,
    CoachTab,
    answer_body,
    article_html,
    safety_html,
    sources_html,
    streamed_body,
)


class Ready:
    ready = True

    def wait(self) -> None:
        pass


class Broken:
    ready = False

    def wait(self) -> None:
        raise HearthError("the models did not load")


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def asked(self) -> None:
        self.n += 1


@pytest.fixture
def tab(fake_services: Services) -> CoachTab:
    return CoachTab(fake_services, models=Ready(), activity=Counter())


def _last(gen: Any) -> tuple:
    out = None
    for out in gen:  # noqa: B007  (the last yield is what the page ends with)
        pass
    assert out is not None
    return out


def test_an_answer_lists_its_sources_once_by_title_under_it(tab: CoachTab, fake_services: Services) -> None:
    history, panel, box, conv, *choices = _last(
        tab.ask("My partner goes silent whenever we argue, what can I do?", [], None)
    )
    assert box == "" and len(choices) == CHOICES and tab.activity.n == 1
    assert panel["visible"] is False
    user, answer, sources = history
    assert user["role"] == "user" and answer["role"] == "assistant" and sources["role"] == "assistant"
    # the answer's own "Sources:" lines are gone from its bubble; its markers link to this answer's entries
    assert "Sources:" not in answer["content"] and "(after-" not in answer["content"]
    cited = set(re.findall(r"\]\(#source-1-(\d+)\)", answer["content"]))
    assert cited
    entries = re.findall(r"<li class='source-entry' id='source-1-(\d+)'>", sources["content"])
    assert len(entries) == len(set(entries)) and set(entries) >= cited
    corpus = fake_services.corpus
    titles = re.findall(r"<span class='source-title'>([^<]+)</span>", sources["content"])
    for aid in re.findall(r"class='read-article' value='([a-z0-9-]+)'", sources["content"]):
        art = corpus.get(aid)
        assert art is not None and art.title in titles
    assert "\n\n" not in sources["content"]  # one HTML block for the chat's Markdown
    assert conv.turns and sources["content"].count("Sources") == 1


def test_a_second_answer_gets_ids_of_its_own(tab: CoachTab) -> None:
    first, *_ = _last(tab.ask("My partner goes silent whenever we argue, what can I do?", [], None))
    conv = _last(tab.ask("My partner goes silent whenever we argue, what can I do?", [], None))[3]
    history, *_ = _last(tab.ask("That didn't work, what else?", first, conv))
    ids = re.findall(r"id='source-(\d+)-\d+'", "".join(m["content"] for m in history))
    assert {ids[0], ids[-1]} == {"1", str(len(first) + 1)}


def test_what_a_person_wrote_stays_text(tab: CoachTab) -> None:
    q = "<img src=x onerror=alert(1)> [1](javascript:alert(1)) my partner goes silent when we argue"
    history, *_ = _last(tab.ask(q, [], None))
    said = history[0]["content"]
    assert "<img" not in said and "&lt;img" in said and "](javascript" not in said


def test_a_safety_answer_is_shown_once_in_its_panel(tab: CoachTab) -> None:
    history, panel, *_ = _last(tab.ask("I want to end my life tonight, I have the pills ready.", [], None))
    assert panel["visible"] is True and "safety-answer" in panel["value"]
    assert "988" in panel["value"] or "116 123" in panel["value"]
    chat = " ".join(m["content"] for m in history)
    assert "988" not in chat and "116 123" not in chat and "panel beside this chat" in chat
    assert "value='safety-planning'" in panel["value"] and "value='crisis-resources'" in panel["value"]
    assert "<h2>" in panel["value"]  # under the page's h1: no skipped heading level


def test_an_empty_question_changes_nothing_and_a_long_one_is_refused(tab: CoachTab) -> None:
    history, _, box, *_ = _last(tab.ask("   ", [], None))
    assert history == [] and box == "" and tab.activity.n == 0
    long = "x" * (MAX_QUESTION_CHARS + 1)
    history, _, box, *_ = _last(tab.ask(long, [], None))
    assert box == long and "characters" in history[-1]["content"]


def test_models_that_failed_to_load_say_so_in_one_line(fake_services: Services) -> None:
    t = CoachTab(fake_services, models=Broken(), activity=Counter())
    history, _, box, *_ = _last(t.ask("How do we argue less?", [], None))
    assert "did not load" in history[-1]["content"] and box == "How do we argue less?"


class Warming:
    ready = False

    def wait(self) -> None:
        pass


def test_a_question_asked_while_warming_up_says_so_then_answers(fake_services: Services) -> None:
    t = CoachTab(fake_services, models=Warming(), activity=Counter())
    # each yield as the page got it (the handler goes on changing the same list)
    turn = t.ask("My partner goes silent whenever we argue, what can I do?", [], None)
    chats = [copy.deepcopy(out[0]) for out in turn]
    assert "warming up" in chats[0][-1]["content"]
    assert "Things you could try" in chats[-1][1]["content"]


def test_an_open_journal_personalises_the_answer_and_a_locked_one_does_not(fake_services: Services) -> None:
    def locked(state: Any, request: Any) -> Any:
        raise HearthError("locked")

    t = CoachTab(fake_services, models=Ready(), activity=Counter(), need=locked)
    assert t.personal("your partner", object(), object()) == "your partner"  # type: ignore[arg-type]
    assert t.personal("your partner", None, None) == "your partner"
    lan = CoachTab(fake_services, models=Ready(), activity=Counter(), need=lambda s, r: 1 / 0, lan=True)
    assert lan.personal("your partner", object(), object()) == "your partner"  # type: ignore[arg-type]


def test_a_new_conversation_clears_the_thread_and_the_panel(tab: CoachTab) -> None:
    history, panel, box, conv, *choices = tab.new_conversation()
    assert history == [] and panel["visible"] is False and conv is None and len(choices) == CHOICES


def test_the_article_opens_whole_with_its_sections_and_steps_as_a_list(tab: CoachTab, fake_services: Services) -> None:
    art = fake_services.corpus.get("after-a-fight")
    assert art is not None
    sheet, body = tab.article("after-a-fight")
    assert sheet["visible"] is True
    assert f"<h2 id='article-title-after-a-fight' tabindex='-1'>{art.title}</h2>" in body.replace("&#x27;", "'")
    assert body.count("<h3>") == len(art.sections)
    steps = re.search(r"<h3>Try this</h3><ol>(.*?)</ol>", body)
    assert steps is not None and steps.group(1).count("<li>") == len(art.steps)
    assert tab.article("no-such-article")[0]["visible"] is False and tab.article(None)[1] == ""


def test_knowledge_text_is_escaped_too() -> None:
    evil = "<script>alert(1)</script>"
    art = Article(
        id="x", title=f"T {evil}", topics=[], summary=evil, path=Path("x.md"),
        sections=[Section("Try this", f"Intro {evil}\n\n- step {evil}\n- two"), Section(evil, "plain")],
    )  # fmt: skip
    html_out = article_html(art)
    assert "<script>" not in html_out and html_out.count("&lt;script&gt;") == 5
    ans = Answer("q", citations=[Citation(1, "x", f"T {evil}", f"passage {evil}\n\nmore")])
    src = sources_html(ans, 4)
    assert "<script>" not in src and "id='source-4-1'" in src and "\n" not in src
    assert "<script>" not in safety_html(evil, "crisis")


def test_the_source_lines_leave_the_bubble_and_what_follows_stays() -> None:
    text = "It sounds like hard.\n\n1. Do a thing [1]\n\nSources:\n[1] A title (a-title)\n\nNote: partly read."
    assert answer_body(text) == "It sounds like hard.\n\n1. Do a thing [1]\n\nNote: partly read."
    assert answer_body("no sources here") == "no sources here"
    assert streamed_body("One [1]\n\nSources:\n[1] A ti") == "One [1]"
