"""The composition root: the one place where the object graph is wired from Settings.

Everything heavy is built on first use, so `hearth journal list` never loads the chat model and
`hearth kb check` never loads the embedder. Nothing here is a module-level singleton: tests
build their own Services with fakes.
"""

from __future__ import annotations

import os
import tempfile
from functools import cached_property
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.errors import DataFolderError

if TYPE_CHECKING:
    from assistant.coach import Coach
    from assistant.embed import Embedder
    from assistant.journal.classifier import RedFlagClassifier, Taxonomy
    from assistant.journal.vault import VaultStore
    from assistant.kb.corpus import Corpus
    from assistant.kb.index import KnowledgeIndex
    from assistant.llm.base import LLM
    from assistant.practice import Practice
    from assistant.safety import Resources
    from assistant.safety.detector import Detector
    from assistant.together.service import TogetherService
    from assistant.workshop.codes import EnrolCodes
    from assistant.workshop.roster import Roster
    from assistant.workshop.store import WorkshopDB


def ensure_home(settings: Settings) -> None:
    home = settings.home
    try:
        home.mkdir(parents=True, exist_ok=True)
        os.chmod(home, 0o700)  # private data folder: nobody else on the machine reads it
        # A unique probe: a fixed name raced when two hearth processes started at once (one
        # deleted the other's probe and reported the folder as not writable).
        with tempfile.TemporaryFile(dir=home, prefix=".write-probe-"):
            pass
    except OSError as exc:
        raise DataFolderError(
            f"data folder {home} is not writable ({exc.strerror}); set HEARTH_HOME to a folder you own"
        ) from exc


def connect_server(settings: Settings) -> LLM:
    """The `openai` backend: check the URL, open the guard for exactly that server, connect."""
    from assistant import offline
    from assistant.llm.endpoint import check_url
    from assistant.llm.openai import OpenAILLM

    endpoint = check_url(
        settings.llm_url, allow_insecure_lan=settings.llm_allow_insecure_lan, resolve=offline.resolve_once
    )
    offline.allow_server(endpoint.host, endpoint.address, endpoint.port)
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return OpenAILLM(
        endpoint, model=settings.llm_model, api_key=key, timeout=settings.llm_timeout, ca_file=settings.llm_ca_file
    )


class Services:
    def __init__(self, settings: Settings, *, llm: LLM | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings
        if llm is not None:
            self.__dict__["llm"] = llm
        if embedder is not None:
            self.__dict__["embedder"] = embedder

    @cached_property
    def llm(self) -> LLM:
        s = self.settings
        if s.llm_backend == "fake":
            from assistant.llm.fake import FakeLLM

            return FakeLLM()
        if s.llm_backend == "openai":
            return connect_server(s)
        from assistant.llm.llama import LlamaLLM
        from assistant.models import resolve

        return LlamaLLM(resolve(s.models_dir, s.model), n_ctx=s.n_ctx, threads=s.threads, seed=s.seed)

    @cached_property
    def embedder(self) -> Embedder:
        if self.settings.embed_backend == "fake":
            from assistant.embed import FakeEmbedder

            return FakeEmbedder()
        from assistant.embed import MiniLMEmbedder
        from assistant.models import embedder_path

        return MiniLMEmbedder(embedder_path(), threads=self.settings.threads)

    @property
    def embedder_name(self) -> str:
        return type(self.embedder).__name__

    @cached_property
    def corpus(self) -> Corpus:
        from assistant.kb.corpus import load

        return load(self.settings.knowledge_dir)

    @cached_property
    def index(self) -> KnowledgeIndex:
        from assistant.kb.index import KnowledgeIndex

        ensure_home(self.settings)
        return KnowledgeIndex(self.corpus, self.embedder, self.settings.chroma_dir, self.embedder_name)

    @cached_property
    def resources(self) -> Resources:
        from assistant.safety import load_resources

        return load_resources(self.settings.knowledge_dir)

    @cached_property
    def detector(self) -> Detector:
        """The one crisis and abuse detector (rules + learned heads) for the coach, journal and shared space."""
        from assistant.safety.detector import Detector

        ensure_home(self.settings)
        return Detector.load(self.settings.knowledge_dir, self.embedder, self.embedder_name, self.settings.cache_dir)

    @cached_property
    def coach(self) -> Coach:
        from assistant.coach import Coach, Reflections
        from assistant.llm.base import GenOptions

        s = self.settings
        opts = GenOptions(max_tokens=min(s.max_tokens, 96), temperature=s.temperature, seed=s.seed)
        return Coach(
            self.llm,
            self.index,
            self.embedder,
            self.resources,
            options=opts,
            top_k=s.top_k,
            region=s.region,
            reflections=Reflections.load(s.knowledge_dir),
            detector=self.detector,
            patterns=self.classifier.care_patterns,
            knowledge_dir=s.knowledge_dir,
            mode=self.coach_mode,
        )

    @property
    def coach_mode(self) -> str:
        """extractive or generative: `coach_mode`, where 'auto' asks how big the model is."""
        from assistant.generative import choose_mode, parameter_count

        if self.settings.coach_mode != "auto":
            return self.settings.coach_mode
        llm = self.llm
        return choose_mode(
            "auto", parameter_count(llm.name, getattr(llm, "metadata", None)), self.settings.generative_min_params
        )

    @cached_property
    def classifier(self) -> RedFlagClassifier:
        from assistant.journal.classifier import RedFlagClassifier

        ensure_home(self.settings)
        return RedFlagClassifier.load(
            self.settings.knowledge_dir,
            self.embedder,
            self.embedder_name,
            self.settings.cache_dir,
            detector=self.detector,
        )

    @cached_property
    def taxonomy(self) -> Taxonomy:
        """The patterns' names, explanations and articles (knowledge/redflags.yaml), without loading
        the classifier: insights read the findings stored with each entry and never classify again."""
        from assistant.journal.classifier import Taxonomy

        return Taxonomy.load(self.settings.knowledge_dir)

    @cached_property
    def vaults(self) -> VaultStore:
        from assistant.journal.vault import VaultStore

        if self.settings.session_mode:
            # Therapist session mode: the vault lives in memory and vanishes with the process.
            return VaultStore(None, self.settings)
        ensure_home(self.settings)
        return VaultStore(self.settings.vault_path, self.settings)

    @cached_property
    def practice(self) -> Practice:
        from assistant.practice import Practice

        return Practice.load(self.settings.knowledge_dir)

    @cached_property
    def workshop_db(self) -> WorkshopDB:
        from assistant.workshop.store import WorkshopDB

        if self.settings.session_mode:
            return WorkshopDB(None)
        ensure_home(self.settings)
        return WorkshopDB(self.settings.workshop_path)

    @cached_property
    def roster(self) -> Roster:
        from assistant.workshop.roster import Roster

        return Roster(self.workshop_db)

    @cached_property
    def enrol_codes(self) -> EnrolCodes:
        from assistant.workshop.codes import EnrolCodes

        return EnrolCodes(self.workshop_db)

    @cached_property
    def together(self) -> TogetherService:
        from assistant.together.service import TogetherService
        from assistant.together.store import TogetherStore

        s = self.settings
        if not s.session_mode:
            ensure_home(s)
        store = TogetherStore(None if s.session_mode else s.together_path)
        return TogetherService(
            self.vaults, store, s.knowledge_dir, lambda text: self.detector.screen(text), self.resources, s.region
        )
