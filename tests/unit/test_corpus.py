"""The knowledge base: the real base is valid; each kind of defect is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.kb import corpus
from assistant.kb.corpus import MAX_WORDS, MIN_WORDS, REQUIRED_TOPICS, check, load, parse_article
from tests.conftest import run_hearth

KNOWLEDGE = PROJECT_ROOT / "knowledge"
FILLER = (
    "Couples often find that small habits shape how close they feel, and noticing those habits "
    "together is a gentle place to start. "
)


def article(
    aid: str = "test-article",
    topics: str = "[conflict]",
    words: int = 450,
    try_this: bool = True,
    front: str | None = None,
) -> str:
    head = (
        front
        if front is not None
        else (
            f"---\nid: {aid}\ntitle: A test article\ntopics: {topics}\nsummary: A short summary for the tests.\n---\n"
        )
    )
    parts = [head, "\n## About this\n\n"]
    tail = ""
    if try_this:
        tail += (
            "\n\n## Try this\n\n- Take a slow breath together.\n- Name one thing you appreciated "
            "today.\n- Agree on a time to talk.\n"
        )
    tail += "\n## Ask each other\n\n- What helps you feel heard?\n- When do you feel closest to me?\n"
    have = len(head.split()) + 3 + len(tail.split())
    body = []
    filler = FILLER.split()
    while have + len(body) < words:
        body.append(filler[len(body) % len(filler)])
    parts.append(" ".join(body))
    parts.append(tail)
    text = "".join(parts)
    assert len(text.split()) == max(words, have)
    return text


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    d = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, d)
    return d


def _write(kdir: Path, name: str, text: str) -> Path:
    p = kdir / "articles" / name
    p.write_text(text, encoding="utf-8")
    return p


def test_real_base_is_valid() -> None:
    assert check(KNOWLEDGE) == []
    c = load(KNOWLEDGE)
    assert len(c.articles) >= 60
    covered = {t for a in c.articles for t in a.topics}
    assert set(REQUIRED_TOPICS) <= covered
    ids = [a.id for a in c.articles]
    assert len(ids) == len(set(ids))
    for a in c.articles:
        assert len(a.steps) >= 3, a.id
        assert len(a.questions) >= 2, a.id
        assert MIN_WORDS <= a.words <= MAX_WORDS, a.id


def test_chunks_are_sections_with_article_ids() -> None:
    c = load(KNOWLEDGE)
    chunks = c.chunks()
    assert len(chunks) == sum(len(a.sections) for a in c.articles)
    assert len({ch.id for ch in chunks}) == len(chunks)
    for ch in chunks[:20]:
        assert ch.id.startswith(ch.article_id + "#")
        assert ch.text.startswith(ch.title)


def test_the_generated_article_is_itself_valid(kdir: Path) -> None:
    # So that each test below fails for the one defect it introduces, not another.
    _write(kdir, "test-article.md", article())
    assert check(kdir) == []


def test_content_hash_changes_with_any_byte(kdir: Path) -> None:
    h1 = load(kdir).content_hash
    assert load(kdir).content_hash == h1
    p = kdir / "articles" / "four-horsemen.md"
    p.write_text(p.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert load(kdir).content_hash != h1


def test_missing_try_this(kdir: Path) -> None:
    _write(kdir, "test-article.md", article(try_this=False))
    problems = check(kdir)
    assert problems == ["test-article.md: missing section '## Try this'"]


def test_unknown_topic(kdir: Path) -> None:
    _write(kdir, "test-article.md", article(topics="[conflict, astrology]"))
    problems = check(kdir)
    assert problems == ["test-article.md: unknown topic id 'astrology'"]


def test_duplicate_id(kdir: Path) -> None:
    # Same id in two files: one of them also mismatches its file name, and the duplicate is named.
    _write(kdir, "test-article.md", article(aid="test-article"))
    _write(kdir, "zz-copy.md", article(aid="test-article"))
    problems = check(kdir)
    assert any("duplicate id 'test-article'" in p and p.startswith("zz-copy.md") for p in problems)


@pytest.mark.parametrize("words", [MIN_WORDS - 50, MAX_WORDS + 50])
def test_word_count_out_of_range(kdir: Path, words: int) -> None:
    _write(kdir, "test-article.md", article(words=words))
    problems = check(kdir)
    assert problems == [f"test-article.md: {words} words (allowed {MIN_WORDS}-{MAX_WORDS})"]


@pytest.mark.parametrize(
    "front, expect",
    [
        ("no front matter here\n", "missing YAML front matter"),
        ("---\nid: test-article\ntitle: [unclosed\n---\n", "not valid YAML"),
        ("---\nid: test-article\ntitle: T\ntopics: [conflict]\nsummary: S\n", "not closed"),
        ("---\nid: test-article\ntopics: [conflict]\nsummary: S\n---\n", "lacks 'title'"),
        ("---\nid: Test_Article\ntitle: T\ntopics: [conflict]\nsummary: S\n---\n", "kebab-case"),
    ],
)
def test_bad_front_matter(kdir: Path, front: str, expect: str) -> None:
    _write(kdir, "test-article.md", article(front=front))
    problems = check(kdir)
    assert any(p.startswith("test-article.md:") and expect in p for p in problems), problems


def test_too_few_articles_and_uncovered_topics(tmp_path: Path) -> None:
    d = tmp_path / "knowledge"
    (d / "articles").mkdir(parents=True)
    _write(d, "test-article.md", article())
    problems = check(d)
    assert "knowledge base: 1 articles (need at least 60)" in problems
    assert "knowledge base: no article covers topic 'crisis'" in problems
    assert check(d, min_articles=1) != []  # topics still uncovered


def test_parse_article_sections_and_steps(tmp_path: Path) -> None:
    p = tmp_path / "test-article.md"
    p.write_text(article(), encoding="utf-8")
    a = parse_article(p)
    assert a.id == "test-article" and a.topics == ["conflict"]
    assert [s.heading for s in a.sections] == ["About this", "Try this", "Ask each other"]
    assert a.steps[0] == "Take a slow breath together."
    assert a.questions == ["What helps you feel heard?", "When do you feel closest to me?"]
    assert corpus.Section("x", "- one\n* two\nnot a bullet").bullets == ["one", "two"]


def test_cli_kb_check_ok_on_real_base() -> None:
    r = run_hearth("kb", "check", env={"HEARTH_KNOWLEDGE_DIR": str(KNOWLEDGE)})
    assert r.returncode == 0, r.stderr
    assert "knowledge base ok" in r.stdout
    assert r.stderr == ""


def test_cli_kb_check_fails_on_broken_base(kdir: Path) -> None:
    _write(kdir, "test-article.md", article(try_this=False, topics="[conflict, astrology]"))
    r = run_hearth("kb", "check", env={"HEARTH_KNOWLEDGE_DIR": str(kdir)})
    assert r.returncode != 0
    assert "missing section '## Try this'" in r.stderr
    assert "unknown topic id 'astrology'" in r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("hearth: error:")
