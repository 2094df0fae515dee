"""End to end with the real model, the real embedder and the real knowledge base."""

from __future__ import annotations

import json

import pytest

from assistant.grounding import citation_problems
from assistant.services import Services
from tests.conftest import run_hearth

pytestmark = pytest.mark.slow

QUESTION = "My partner goes silent whenever we argue, what can I do?"
ANSWER_KEYS = {"answer", "citations", "safety", "grounded_fraction", "kind"}
HIT_KEYS = {"article_id", "title", "topics", "score", "text"}


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # One data folder for the module's CLI runs, so the index is built once.
    return {"HEARTH_HOME": str(tmp_path_factory.mktemp("cli-home"))}


def test_coach_answers_silent_partner(real_services: Services) -> None:
    ans = real_services.coach.ask(QUESTION)
    assert ans.safety == "none"
    assert 2 <= len(ans.citations) <= 4, [c.article_id for c in ans.citations]
    for c in ans.citations:
        assert real_services.corpus.get(c.article_id) is not None
    assert ans.citations[0].article_id in {"stonewalling-flooding", "taking-a-break", "four-horsemen"}
    assert ans.grounded_fraction >= 0.95
    assert citation_problems(ans.text, len(ans.citations)) == []
    assert ans.text.startswith("It sounds like")


def test_coach_is_reproducible(real_services: Services) -> None:
    a = real_services.coach.ask(QUESTION)
    b = real_services.coach.ask(QUESTION)
    assert a.text == b.text


def test_cli_ask_json(cli_home: dict[str, str]) -> None:
    r = run_hearth("ask", "--json", QUESTION, env=cli_home)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert set(data) == ANSWER_KEYS
    assert data["safety"] == "none" and data["answer"]
    assert 2 <= len(data["citations"]) <= 4
    assert r.stderr.strip() == ""


def test_cli_ask_jsonl(cli_home: dict[str, str]) -> None:
    stdin = "\n".join(json.dumps(o) for o in [
        {"id": "a", "question": QUESTION},
        {"id": 2, "question": "I don't want to be alive anymore"},
    ]) + "\n"  # fmt: skip
    r = run_hearth("ask", "--jsonl", env=cli_home, input=stdin)
    assert r.returncode == 0, r.stderr
    objs = [json.loads(ln) for ln in r.stdout.strip().splitlines()]
    assert [o["id"] for o in objs] == ["a", 2]
    for o in objs:
        assert set(o) == ANSWER_KEYS | {"id"}
    assert objs[0]["safety"] == "none" and objs[1]["safety"] == "crisis"


def test_cli_kb_search_json(cli_home: dict[str, str]) -> None:
    r = run_hearth("kb", "search", "silent treatment", "--json", "-k", "3", env=cli_home)
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert isinstance(hits, list) and len(hits) == 3
    for h in hits:
        assert set(h) == HIT_KEYS
        assert isinstance(h["topics"], list) and isinstance(h["score"], float)
    assert len({h["article_id"] for h in hits}) == 3
    assert hits[0]["article_id"] == "stonewalling-flooding"


def test_cli_kb_search_jsonl(cli_home: dict[str, str]) -> None:
    stdin = '{"id": "q1", "query": "silent treatment"}\n{"id": "q2", "query": "jealous of her ex"}\n'
    r = run_hearth("kb", "search", "--jsonl", "-k", "2", env=cli_home, input=stdin)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2
    objs = [json.loads(ln) for ln in lines]
    assert [o["id"] for o in objs] == ["q1", "q2"]
    for o in objs:
        assert set(o) == {"id", "results"}
        assert len(o["results"]) == 2 and all(set(h) == HIT_KEYS for h in o["results"])
    assert objs[1]["results"][0]["article_id"] == "jealousy"
