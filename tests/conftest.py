"""Shared fixtures. Isolation is automatic: every test gets its own data folder (HEARTH_HOME)
and never sees a real user's data; the egress guard is on for the whole run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import assistant.offline  # noqa: F401,I001  (first, as in every entry point)
from assistant.config import PROJECT_ROOT, Settings
from assistant.embed import FakeEmbedder
from assistant.llm.fake import FakeLLM
from assistant.services import Services

assistant.offline.install_guard()

REPO = PROJECT_ROOT
HEARTH = str(Path(sys.executable).with_name("hearth"))
SHARED_CACHE = REPO / ".pytest_cache" / "hearth-cache"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "hearth-home"
    monkeypatch.setenv("HEARTH_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("HEARTH_PASSPHRASE", raising=False)
    # The trained red-flag head is derived from team-written data only; sharing it across tests
    # saves a retrain per test without sharing anything a test wrote.
    monkeypatch.setenv("HEARTH_CACHE", str(SHARED_CACHE))
    # Tests create many vaults: use the Argon2id floor (64 MiB, 3 passes), a valid setting, to
    # keep the suite fast; the product default (256 MiB) is measured in scripts/bench.py.
    monkeypatch.setenv("HEARTH_KDF_MEMORY_KIB", "65536")
    return home


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    return _isolated_home


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings(home=home, llm_backend="fake", embed_backend="fake")


@pytest.fixture
def fake_llm() -> FakeLLM:
    return FakeLLM()


@pytest.fixture
def fake_services(settings: Settings, fake_llm: FakeLLM) -> Services:
    return Services(settings, llm=fake_llm, embedder=FakeEmbedder())


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    from assistant.embed import MiniLMEmbedder
    from assistant.models import embedder_path

    return MiniLMEmbedder(embedder_path())


@pytest.fixture(scope="session")
def real_llm():  # type: ignore[no-untyped-def]
    from assistant.llm.llama import LlamaLLM
    from assistant.models import resolve

    return LlamaLLM(resolve(REPO / "models", "smollm2-135m-instruct"), n_ctx=2048, seed=42)


@pytest.fixture(scope="session")
def real_services(tmp_path_factory: pytest.TempPathFactory, real_llm, real_embedder) -> Services:  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("real-home")
    return Services(Settings(home=home), llm=real_llm, embedder=real_embedder)


def run_hearth(*args: str, env: dict[str, str] | None = None, input: str | None = None,
               timeout: int = 300):  # type: ignore[no-untyped-def]  # fmt: skip
    """Run the real `hearth` command; returns the CompletedProcess."""
    import subprocess

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([HEARTH, *args], capture_output=True, text=True, env=full_env,
                          input=input, timeout=timeout)  # fmt: skip
