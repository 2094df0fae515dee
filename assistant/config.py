"""One Settings object. Every field has a default and a description; environment variables
use the HEARTH_ prefix (e.g. HEARTH_HOME). Modules receive Settings; none reads the
environment itself."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "hearth"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEARTH_", extra="ignore")

    home: Path = Field(
        default_factory=_default_home,
        description="Data folder: vault, search index, Gradio cache. One folder per user.",
    )
    models_dir: Path = Field(
        default=PROJECT_ROOT / "models",
        description="Folder holding GGUF chat models and manifest.toml.",
    )
    knowledge_dir: Path = Field(default=PROJECT_ROOT / "knowledge", description="The curated knowledge base.")
    model: str = Field(
        default="smollm2-135m-instruct",
        description="Chat model: a manifest name or the file name (or stem) of a GGUF in models_dir.",
    )
    llm_backend: Literal["llama", "openai", "fake"] = Field(
        default="llama",
        description="'llama' runs the GGUF in this process; 'openai' asks the server at llm_url; 'fake' is scripted.",
    )
    llm_url: str = Field(
        default="",
        description="Base URL of an OpenAI-compatible server for llm_backend='openai', e.g. http://127.0.0.1:8080/v1.",
    )
    llm_model: str = Field(default="", description="Model to ask the server for; default: the first it lists.")
    llm_api_key: SecretStr | None = Field(default=None, description="Bearer key the server expects, if any.")
    llm_ca_file: Path | None = Field(
        default=None, description="PEM file of the CA that signed the server's certificate (a private CA)."
    )
    llm_allow_insecure_lan: bool = Field(
        default=False,
        description="Allow plain http to a private-range (RFC 1918 / fc00::/7) address; never to any other host.",
    )
    llm_timeout: float = Field(
        default=60.0, description="Seconds to wait for the server to connect or send the next piece of a reply."
    )
    coach_mode: Literal["extractive", "generative", "auto"] = Field(
        default="auto",
        description=(
            "'extractive' quotes the sources; 'generative' lets the model write from them, every sentence "
            "checked; 'auto' is generative only for a model known to have at least generative_min_params."
        ),
    )
    generative_min_params: float = Field(
        default=3e9, description="Parameters (from GGUF metadata or the server's model name) for auto to write."
    )
    embed_backend: Literal["minilm", "fake"] = Field(
        default="minilm", description="'fake' is a deterministic hashing embedder for tests."
    )
    threads: int = Field(default=0, description="CPU threads for the LLM; 0 = physical cores.")
    n_ctx: int = Field(default=2048, description="LLM context window in tokens.")
    max_tokens: int = Field(default=160, description="Upper bound on generated tokens per answer.")
    temperature: float = Field(default=0.0, description="Sampling temperature (0 = greedy).")
    seed: int = Field(default=42, description="Sampling seed, for reproducible answers.")
    host: str = Field(default="127.0.0.1", description="Address the web app listens on.")
    port: int = Field(default=7860, description="Port the web app listens on.")
    top_k: int = Field(default=4, description="Articles retrieved per question.")
    region: Literal["all", "US", "UK-IE", "EU"] = Field(
        default="all", description="Which crisis and abuse resources to show; 'all' shows US, UK/IE, EU."
    )
    idle_lock_seconds: int = Field(default=600, description="Unlocked journals lock after this many idle seconds.")
    kdf_memory_kib: int = Field(
        # 256 MiB puts an unlock at about 0.5 s on a 2-core laptop: slow for a guesser, quick for
        # a person. Vaults store their own parameters; anything below 64 MiB is refused.
        default=262144,
        description="Argon2id memory cost in KiB for new vaults and rekeys (floor 65536).",
    )
    kdf_iterations: int = Field(default=3, description="Argon2id passes for new vaults (floor 3).")
    cache: Path | None = Field(
        default=None,
        description="Folder for derived, non-private caches (the trained red-flag head); default: <home>/cache.",
    )
    session_mode: bool = Field(
        default=False, description="Therapist session mode: nothing written to disk, wiped on close."
    )
    tls_cert: Path | None = Field(default=None, description="PEM certificate the web app serves https with (LAN).")
    tls_key: Path | None = Field(default=None, description="PEM private key for tls_cert.")
    insecure_lan: bool = Field(
        default=False, description="Serve plain http on a non-loopback address (a trusted network only)."
    )
    workshop_slots: int = Field(
        default=1,
        ge=1,
        description="Coach questions answered at once; match the engine's slots (1 for the in-process model).",
    )
    workshop_code_minutes: int = Field(default=15, ge=1, description="How long an enrol code works.")

    @property
    def chroma_dir(self) -> Path:
        return self.home / "index"

    @property
    def vault_path(self) -> Path:
        return self.home / "journal.sqlite3"

    @property
    def workshop_path(self) -> Path:
        return self.home / "workshop.sqlite3"

    @property
    def together_path(self) -> Path:
        return self.home / "together.sqlite3"

    @property
    def gradio_tmp(self) -> Path:
        return self.home / "gradio-tmp"

    @property
    def cache_dir(self) -> Path:
        return self.cache or self.home / "cache"
