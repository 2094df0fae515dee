"""The openai backend against a real engine: `python -m llama_cpp.server` with the bundled GGUF.

The coach answers through it with the same citations and checks as the in-process backend, the
privacy check runs through it with zero egress, and a dead server, an unknown model, a refused
key and an untrusted certificate are each one line and a non-zero exit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import offline
from assistant.config import Settings
from assistant.errors import ModelError
from assistant.grounding import citation_problems
from assistant.llm.base import ChatMessage, GenOptions, complete
from assistant.services import Services, connect_server
from tests.conftest import SHARED_CACHE, run_hearth
from tests.integration.llama_server import GGUF, LlamaServer
from tests.integration.tls_certs import make_private_ca
from tests.unit.test_cli_errors import one_error_line

pytestmark = pytest.mark.slow

QUESTION = "My partner goes silent whenever we argue, what can I do?"
MESSAGES: list[ChatMessage] = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Name one colour of the sky."},
]
KEY = "clinic-test-key"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    with LlamaServer(log=tmp_path_factory.mktemp("engine") / "server.log") as server:
        yield server


@pytest.fixture(scope="module")
def keyed_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    with LlamaServer("--api_key", KEY, log=tmp_path_factory.mktemp("keyed") / "server.log") as server:
        yield server


@pytest.fixture(autouse=True)
def _close_the_hole() -> Iterator[None]:
    yield
    offline.forget_server()


def _settings(server: LlamaServer, home: Path, **extra) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(home=home, llm_backend="openai", llm_url=server.url, **extra)


def _env(server: LlamaServer, **extra: str) -> dict[str, str]:
    return {"HEARTH_LLM_BACKEND": "openai", "HEARTH_LLM_URL": server.url, **extra}


def test_default_model_is_the_one_the_engine_serves(engine: LlamaServer, home: Path) -> None:
    llm = connect_server(_settings(engine, home))
    assert llm.name == str(GGUF)


def test_the_engine_streams_in_pieces_and_greedy_is_reproducible(engine: LlamaServer, home: Path) -> None:
    llm = connect_server(_settings(engine, home))
    opts = GenOptions(max_tokens=16, temperature=0.0, seed=42)
    pieces = list(llm.stream(MESSAGES, opts))
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert complete(llm, MESSAGES, opts) == "".join(pieces)


def test_coach_through_engine_matches_in_process(engine: LlamaServer, real_services, real_embedder) -> None:  # type: ignore[no-untyped-def]
    local = real_services.coach.ask(QUESTION)
    # Same data folder (same index), same embedder; only the chat model lives in the server.
    svc = Services(_settings(engine, real_services.settings.home), embedder=real_embedder)
    remote = svc.coach.ask(QUESTION)
    assert remote.safety == "none"
    assert [c.article_id for c in remote.citations] == [c.article_id for c in local.citations]
    assert citation_problems(remote.text, len(remote.citations)) == []
    assert remote.grounded_fraction >= 0.95
    assert remote.text.startswith("It sounds like")
    assert "first_token_ms" in remote.timings  # the server streamed the reflection attempt to the coach
    assert remote.text.split("\n", 1)[1] == local.text.split("\n", 1)[1]  # steps, question, sources


def test_generative_mode_through_the_engine_ships_only_checked_sentences(  # type: ignore[no-untyped-def]
    engine: LlamaServer, real_services, real_embedder
) -> None:
    """The bundled 135M model is far below what generative mode is for; forced on, whatever it
    writes must still come out supported and validly cited (kept, replaced by source words, or
    dropped, in which case the answer falls back to the quoted steps)."""
    from assistant.generative import citation_problems as kept_number_problems
    from assistant.grounding import citations

    svc = Services(_settings(engine, real_services.settings.home, coach_mode="generative"), embedder=real_embedder)
    assert svc.coach.writer is not None
    ans = svc.coach.ask(QUESTION)
    assert ans.safety == "none" and ans.generation["generated"] >= 1
    listed = {c.n for c in ans.citations}
    assert set(citations(ans.text)) == listed and kept_number_problems(ans.text, listed) == []
    assert ans.grounded_fraction >= 0.95
    shipped = ans.generation["kept"] + ans.generation["recited"] + ans.generation["replaced"]
    assert shipped + ans.generation["dropped"] == ans.generation["generated"]


def test_crisis_is_answered_before_any_model_call(engine: LlamaServer, real_services, real_embedder) -> None:  # type: ignore[no-untyped-def]
    svc = Services(_settings(engine, real_services.settings.home), embedder=real_embedder)
    ans = svc.coach.ask("I don't want to be here anymore.")
    assert ans.safety == "crisis" and ans.generated_sentences == 0


def test_privacy_check_through_the_engine_has_zero_egress(engine: LlamaServer, tmp_path: Path) -> None:
    env = _env(engine, XDG_DATA_HOME=str(tmp_path / "xdg"), TMPDIR=str(tmp_path), HEARTH_CACHE=str(SHARED_CACHE))
    r = run_hearth("privacy-check", env=env, timeout=900)
    assert r.returncode == 0, (r.stdout[-1500:], r.stderr[-1500:])
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    assert lines[-1] == "egress attempts: 0"
    assert f"- LLM server {engine.url} answered" in r.stdout
    assert f"egress guard allows only 127.0.0.1 at 127.0.0.1 port {engine.port}" in r.stdout
    assert "coach answered through the web app" in r.stdout


def test_cli_asks_through_the_engine(engine: LlamaServer) -> None:
    r = run_hearth("ask", "--json", QUESTION, env=_env(engine, HEARTH_EMBED_BACKEND="fake"))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["safety"] == "none" and data["answer"].startswith("It sounds like")
    assert 2 <= len(data["citations"]) <= 4


def test_unknown_model_is_one_line(engine: LlamaServer) -> None:
    r = run_hearth("ask", QUESTION, env=_env(engine, HEARTH_EMBED_BACKEND="fake", HEARTH_LLM_MODEL="gpt-4o"))
    line = one_error_line(r)
    assert f"has no model 'gpt-4o' (it has: {GGUF})" in line
    assert r.returncode == 3


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_refused_key_is_one_line(keyed_engine: LlamaServer, key: str | None) -> None:
    extra = {"HEARTH_EMBED_BACKEND": "fake", **({"HEARTH_LLM_API_KEY": key} if key else {})}
    r = run_hearth("ask", QUESTION, env=_env(keyed_engine, **extra))
    line = one_error_line(r)
    assert "refused the API key (HTTP 401): check HEARTH_LLM_API_KEY" in line
    assert r.returncode == 3
    assert key is None or key not in r.stderr


def test_the_right_key_is_let_in(keyed_engine: LlamaServer, home: Path) -> None:
    llm = connect_server(_settings(keyed_engine, home, llm_api_key=KEY))
    assert complete(llm, MESSAGES, GenOptions(max_tokens=4)).strip()


def test_a_server_that_dies_mid_session_is_one_line(tmp_path: Path, home: Path) -> None:
    server = LlamaServer(log=tmp_path / "server.log").start()
    try:
        llm = connect_server(_settings(server, home))
    finally:
        server.stop()
    with pytest.raises(ModelError) as err:
        complete(llm, MESSAGES, GenOptions(max_tokens=4))
    assert str(err.value).startswith(f"LLM server at {server.url} is not reachable")


def test_server_down_from_the_cli_is_one_line(tmp_path: Path) -> None:
    server = LlamaServer(log=tmp_path / "server.log")  # never started: nothing listens on its port
    line = one_error_line(run_hearth("ask", QUESTION, env=_env(server, HEARTH_EMBED_BACKEND="fake")))
    assert f"LLM server at {server.url} is not reachable" in line


def test_https_with_a_private_ca(tmp_path: Path, home: Path) -> None:
    ca, cert, key = make_private_ca(tmp_path)
    with LlamaServer("--ssl_certfile", str(cert), "--ssl_keyfile", str(key), log=tmp_path / "tls.log",
                     ca_file=ca) as server:  # fmt: skip
        assert server.url.startswith("https://")
        llm = connect_server(_settings(server, home, llm_ca_file=ca))
        assert complete(llm, MESSAGES, GenOptions(max_tokens=4)).strip()
        # Without the clinic's CA the certificate is not trusted: one line, before any request.
        env = _env(server, HEARTH_EMBED_BACKEND="fake", SSL_CERT_FILE=str(ca))  # env is ignored on purpose
        line = one_error_line(run_hearth("ask", QUESTION, env=env))
        assert "TLS certificate not trusted; set HEARTH_LLM_CA_FILE" in line
