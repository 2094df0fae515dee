"""Parse and validate knowledge/articles/*.md.

An article is YAML front matter (id, title, topics, summary) followed by `## ` sections, of
which "Try this" (concrete steps, quoted as coaching steps) and "Ask each other" (questions for
the couple) are required. Retrieval chunks are sections; the content hash covers every byte
of the base so the index is rebuilt exactly when the base changes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REQUIRED_TOPICS = [
    "vulnerability",
    "active-listening",
    "quality-time",
    "appreciation",
    "conflict",
    "boundaries",
    "therapy",
    "rituals",
    "digital-life",
    "trust-repair",
    "attachment",
    "codependency",
    "enmeshment",
    "burnout",
    "four-horsemen",
    "repair-attempts",
    "emotional-distance",
    "apology",
    "friendship",
    "family",
    "cultural-differences",
    "long-distance",
    "desire",
    "jealousy",
    "loneliness",
    "breakup",
    "safety",
    "crisis",
]
REQUIRED_SECTIONS = ("Try this", "Ask each other")
MIN_WORDS, MAX_WORDS = 300, 900
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*\S)\s*$")


@dataclass(frozen=True)
class Section:
    heading: str
    text: str

    @property
    def bullets(self) -> list[str]:
        return [m.group(1) for line in self.text.splitlines() if (m := _BULLET.match(line))]


@dataclass
class Article:
    id: str
    title: str
    topics: list[str]
    summary: str
    sections: list[Section]
    path: Path
    body: str = ""
    words: int = 0
    problems: list[str] = field(default_factory=list)

    def section(self, heading: str) -> Section | None:
        for s in self.sections:
            if s.heading.lower() == heading.lower():
                return s
        return None

    @property
    def steps(self) -> list[str]:
        s = self.section("Try this")
        return s.bullets if s else []

    @property
    def questions(self) -> list[str]:
        s = self.section("Ask each other")
        return [b for b in s.bullets if b.endswith("?")] if s else []


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    title: str
    heading: str
    text: str
    topics: tuple[str, ...]


def parse_article(path: Path) -> Article:
    raw = path.read_text(encoding="utf-8")
    problems: list[str] = []
    meta: dict = {}
    body = raw
    if raw.startswith("---"):
        parts = raw.split("\n---", 1)
        if len(parts) == 2:
            try:
                loaded = yaml.safe_load(parts[0][3:])
                meta = loaded if isinstance(loaded, dict) else {}
            except yaml.YAMLError as exc:
                problems.append(f"front matter is not valid YAML ({exc.__class__.__name__})")
            body = parts[1].lstrip("-\n")
        else:
            problems.append("front matter is not closed with ---")
    else:
        problems.append("missing YAML front matter")
    sections: list[Section] = []
    for block in re.split(r"(?m)^## ", body)[1:]:
        heading, _, text = block.partition("\n")
        sections.append(Section(heading.strip(), text.strip()))
    topics = meta.get("topics") or []
    art = Article(
        id=str(meta.get("id", "")),
        title=str(meta.get("title", "")),
        topics=[str(t) for t in topics] if isinstance(topics, list) else [],
        summary=str(meta.get("summary", "")),
        sections=sections,
        path=path,
        body=body,
        words=len(raw.split()),
        problems=problems,
    )
    return art


def validate(art: Article, allowed_topics: set[str]) -> list[str]:
    problems = list(art.problems)
    for key in ("id", "title", "summary"):
        if not getattr(art, key):
            problems.append(f"front matter lacks '{key}'")
    if art.id and not _ID.match(art.id):
        problems.append(f"id '{art.id}' is not lowercase kebab-case")
    if art.id and art.path.stem != art.id:
        problems.append(f"file name '{art.path.name}' does not match id '{art.id}'")
    if not art.topics:
        problems.append("front matter lacks 'topics'")
    for t in art.topics:
        if t not in allowed_topics:
            problems.append(f"unknown topic id '{t}'")
    for heading in REQUIRED_SECTIONS:
        if art.section(heading) is None:
            problems.append(f"missing section '## {heading}'")
    if art.section("Try this") is not None and len(art.steps) < 3:
        problems.append("'Try this' needs at least 3 bullet steps")
    if art.section("Ask each other") is not None and len(art.questions) < 2:
        problems.append("'Ask each other' needs at least 2 questions ending with '?'")
    if not MIN_WORDS <= art.words <= MAX_WORDS:
        problems.append(f"{art.words} words (allowed {MIN_WORDS}-{MAX_WORDS})")
    return problems


@dataclass
class Corpus:
    articles: list[Article]
    content_hash: str

    def get(self, article_id: str) -> Article | None:
        for a in self.articles:
            if a.id == article_id:
                return a
        return None

    def chunks(self) -> list[Chunk]:
        out: list[Chunk] = []
        for a in self.articles:
            for i, s in enumerate(a.sections):
                text = f"{a.title}. {s.heading}. {s.text}"
                out.append(Chunk(f"{a.id}#{i}", a.id, a.title, s.heading, text, tuple(a.topics)))
        return out


def load(knowledge_dir: Path) -> Corpus:
    files = sorted((knowledge_dir / "articles").glob("*.md"))
    digest = hashlib.sha256()
    articles = []
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
        articles.append(parse_article(f))
    return Corpus(articles, digest.hexdigest())


def check(knowledge_dir: Path, min_articles: int = 60) -> list[str]:
    """Every problem in the base, as 'file: problem' lines. Empty means valid."""
    corpus = load(knowledge_dir)
    allowed = set(REQUIRED_TOPICS)
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for art in corpus.articles:
        problems += [f"{art.path.name}: {p}" for p in validate(art, allowed)]
        if art.id in seen:
            problems.append(f"{art.path.name}: duplicate id '{art.id}' (also {seen[art.id].name})")
        seen[art.id] = art.path
    covered = {t for a in corpus.articles for t in a.topics}
    for t in REQUIRED_TOPICS:
        if t not in covered:
            problems.append(f"knowledge base: no article covers topic '{t}'")
    if len(corpus.articles) < min_articles:
        problems.append(f"knowledge base: {len(corpus.articles)} articles (need at least {min_articles})")
    problems += _check_references(knowledge_dir, set(seen))
    return problems


def _check_references(knowledge_dir: Path, ids: set[str]) -> list[str]:
    """The data files around the articles must point at articles that exist."""
    problems: list[str] = []
    refs: list[tuple[str, str]] = []
    flags = knowledge_dir / "redflags.yaml"
    if flags.exists():
        data = yaml.safe_load(flags.read_text(encoding="utf-8"))
        for item in data.get("flags", []) + data.get("strengths", []):
            refs += [("redflags.yaml", a) for a in item.get("articles", [])]
    exercises = knowledge_dir / "exercises.yaml"
    if exercises.exists():
        data = yaml.safe_load(exercises.read_text(encoding="utf-8"))
        refs += [("exercises.yaml", e["article"]) for e in data.get("exercises", []) if e.get("article")]
    for source, article_id in refs:
        if article_id not in ids:
            problems.append(f"{source}: refers to unknown article '{article_id}'")
    return problems
