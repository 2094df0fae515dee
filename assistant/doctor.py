"""`hearth doctor`: one screen that says what Hearth runs on and whether each part works.

Every line is `ok`, `warn` or `FAIL` with what was found and, where something is wrong, the
one command that fixes it. Nothing here changes state: it builds no index and trains nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant import offline
from assistant.config import Settings

LIB_AMX_SYMBOL = b"ggml_backend_amx_"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok" | "warn" | "fail"
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[self.status]
        tail = f"  -> {self.fix}" if self.fix else ""
        return f"{mark}  {self.name:16s} {self.detail}{tail}"

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> tuple[str, set[str]]:
    model, flags = "unknown CPU", set[str]()
    try:
        for line in cpuinfo.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return model, flags


def llama_library() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return None
    libs = sorted(Path(list(spec.submodule_search_locations)[0]).glob("lib/libggml-cpu*.so*"))
    return libs[0] if libs else None


def library_has_amx(lib: Path) -> bool:
    """True if ggml's AMX kernels were compiled into this library (the crash on AMX VMs)."""
    return LIB_AMX_SYMBOL in lib.read_bytes()


def check_cpu() -> Check:
    model, flags = cpu_flags()
    feats = [name for flag, name in (("avx2", "AVX2"), ("avx512f", "AVX-512"), ("amx_tile", "AMX")) if flag in flags]
    lib = llama_library()
    if lib is None:
        return Check("cpu / llama.cpp", "fail", f"{model}; llama-cpp-python is not installed", "make run")
    if library_has_amx(lib):
        return Check(
            "cpu / llama.cpp",
            "fail",
            f"{model}; {lib.name} contains ggml's AMX kernels, which crash on virtualised AMX CPUs",
            "make rebuild-llama",
        )
    return Check("cpu / llama.cpp", "ok", f"{model} ({', '.join(feats) or 'no AVX2'}); llama.cpp built without AMX")


def check_model(settings: Settings) -> Check:
    from assistant import models
    from assistant.errors import HearthError

    try:
        path = models.resolve(settings.models_dir, settings.model)
    except HearthError as exc:
        return Check("chat model", "fail", str(exc), "hearth models install")
    manifest = {m.file: m for m in models.load_manifest(settings.models_dir)}
    entry = manifest.get(path.name)
    if entry is None:
        return Check("chat model", "ok", f"{path.name} (your own GGUF, not checksummed)")
    if models.sha256_of(path) != entry.sha256:
        return Check("chat model", "fail", f"{path.name}: checksum mismatch", "hearth models install --force")
    return Check("chat model", "ok", f"{path.name}, sha256 {entry.sha256[:12]}... matches the manifest")


def check_llama_runs(settings: Settings) -> Check:
    from assistant import models, selftest
    from assistant.errors import HearthError

    try:
        detail = selftest.check_llama(models.resolve(settings.models_dir, settings.model))
    except HearthError as exc:
        return Check("model self-test", "fail", str(exc), selftest.REBUILD_HINT)
    return Check("model self-test", "ok", f"loaded and {detail} in a child process")


def check_embedder() -> Check:
    from assistant.errors import HearthError
    from assistant.models import embedder_path

    try:
        path = embedder_path()
    except HearthError as exc:
        return Check("embedder", "fail", str(exc), "make run")
    return Check("embedder", "ok", f"all-MiniLM-L6-v2 at {path}")


def _embedder_name(settings: Settings) -> str:
    # What Services.embedder_name would say, without loading the embedder (and torch).
    return "FakeEmbedder" if settings.embed_backend == "fake" else "MiniLMEmbedder"


def check_index(settings: Settings) -> Check:
    from assistant.kb.corpus import load
    from assistant.kb.index import index_state

    state = index_state(load(settings.knowledge_dir), settings.chroma_dir, _embedder_name(settings))
    if state == "up to date":
        return Check("knowledge index", "ok", f"{settings.chroma_dir} up to date")
    return Check("knowledge index", "warn", f"{state} (it is built on first use)", "hearth prepare")


def check_classifier(settings: Settings) -> Check:
    from assistant.journal.classifier import cache_key, load_training

    key = cache_key(load_training(settings.knowledge_dir), _embedder_name(settings))
    path = settings.cache_dir / f"redflag-head-{key}.npz"
    if path.exists():
        return Check("classifier", "ok", f"trained head cached ({path.name})")
    return Check("classifier", "warn", "not trained yet (it is trained on first use)", "hearth prepare")


def check_data_folder(settings: Settings) -> Check:
    home = settings.home
    if settings.session_mode:
        return Check("data folder", "ok", "session mode: nothing is written to disk")
    if not home.exists():
        return Check("data folder", "ok", f"{home} (created on first use)")
    st = home.stat()
    if stat.S_IMODE(st.st_mode) & 0o077:
        return Check("data folder", "fail", f"{home} is readable by others (mode {stat.S_IMODE(st.st_mode):o})",
                     f"chmod 700 {home}")  # fmt: skip
    if st.st_uid != os.getuid():
        return Check("data folder", "fail", f"{home} belongs to another user", "set HEARTH_HOME to a folder you own")
    if not os.access(home, os.W_OK | os.X_OK):
        return Check("data folder", "fail", f"{home} is not writable", "set HEARTH_HOME to a folder you own")
    loose = [
        p.name
        for p in home.iterdir()
        if p.is_file() and p.name.startswith("journal.sqlite3") and stat.S_IMODE(p.stat().st_mode) & 0o077
    ]
    if loose:
        return Check("data folder", "fail", f"vault files readable by others: {', '.join(loose)}",
                     f"chmod 600 {home}/journal.sqlite3*")  # fmt: skip
    return Check("data folder", "ok", f"{home} (mode 700, yours, writable)")


def check_guard() -> Check:
    if not offline.guard_installed():
        return Check(
            "egress guard", "fail", "not installed in this process", "report this: every entry point installs it"
        )
    before = offline.attempts()
    try:
        # TEST-NET-1 (RFC 5737): never routed; the guard must refuse it before any packet.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            probe.connect(("192.0.2.1", 9))
        refused = False
    except offline.EgressBlocked:
        refused = True
    except OSError:
        refused = False
    if not refused or offline.attempts() != before + 1:
        return Check("egress guard", "fail", "a test connection to 192.0.2.1 was not refused", "report this")
    offline.forget_last_attempt()
    return Check("egress guard", "ok", "on: a test connection to 192.0.2.1 was refused before any packet")


def check_browser() -> Check:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return Check("test browser", "ok", f"{found} (browser tests)")
    return Check(
        "test browser", "warn", "chromium not found (only the browser tests need it)", "apt-get install chromium"
    )


def check_server(settings: Settings) -> Check:
    """The openai backend: the URL passes the rules and the server answers with its models."""
    from assistant.errors import HearthError
    from assistant.services import connect_server

    try:
        llm = connect_server(settings)
    except HearthError as exc:
        return Check("LLM server", "fail", str(exc), "see docs/clinic.md")
    allowed = offline.allowed_server()
    where = f"{allowed[1]} port {allowed[2]}" if allowed else "?"
    return Check("LLM server", "ok", f"{settings.llm_url}: model {llm.name}; the egress guard allows only {where}")


def run_checks(settings: Settings, *, self_test: bool = True) -> list[Check]:
    server = settings.llm_backend == "openai"
    steps: list[Callable[[], Check]] = [
        check_cpu,
        (lambda: check_server(settings)) if server else (lambda: check_model(settings)),
        *([lambda: check_llama_runs(settings)] if self_test and settings.llm_backend == "llama" else []),
        check_embedder,
        lambda: check_index(settings),
        lambda: check_classifier(settings),
        lambda: check_data_folder(settings),
        check_guard,
        check_browser,
    ]
    out = []
    for step in steps:
        try:
            out.append(step())
        except Exception as exc:  # doctor reports; it never crashes on what it examines
            out.append(Check(getattr(step, "__name__", "check"), "fail", f"{type(exc).__name__}: {exc}"))
    return out
