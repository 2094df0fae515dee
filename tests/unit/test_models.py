"""Model files: manifest, GGUF sniffing, listing, resolving and (offline) idempotent install."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from assistant import models
from assistant.config import PROJECT_ROOT
from assistant.errors import ModelError

REAL_MODELS = PROJECT_ROOT / "models"
FAKE_GGUF = b"GGUF" + (3).to_bytes(4, "little") + b"\0" * 1024


def test_real_manifest_parses() -> None:
    entries = models.load_manifest(REAL_MODELS)
    assert len(entries) >= 1
    smol = {e.name: e for e in entries}["smollm2-135m-instruct"]
    assert smol.file.endswith(".gguf")
    assert len(smol.sha256) == 64 and int(smol.sha256, 16) >= 0
    assert smol.package and smol.version and smol.member.endswith(smol.file)
    assert smol.licence


def test_missing_manifest_is_empty(tmp_path: Path) -> None:
    assert models.load_manifest(tmp_path) == []


def test_gguf_problem_accepts_gguf_and_flags_others(tmp_path: Path) -> None:
    good = tmp_path / "good.gguf"
    good.write_bytes(FAKE_GGUF)
    assert models.gguf_problem(good) == ""

    text = tmp_path / "text.gguf"
    text.write_text("this is not a model at all, just some text\n")
    assert "not a GGUF" in models.gguf_problem(text)

    short = tmp_path / "short.gguf"
    short.write_bytes(b"GGU")
    assert "too small" in models.gguf_problem(short)

    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    assert models.gguf_problem(empty) != ""

    assert "unreadable" in models.gguf_problem(tmp_path / "absent.gguf")


def _models_dir(tmp_path: Path, with_manifest: bool = True) -> Path:
    d = tmp_path / "models"
    d.mkdir()
    if with_manifest:
        shutil.copy(REAL_MODELS / "manifest.toml", d / "manifest.toml")
    return d


def test_list_models_lists_user_gguf_and_marks_corrupt_one(tmp_path: Path) -> None:
    d = _models_dir(tmp_path)
    (d / "my-model.gguf").write_bytes(FAKE_GGUF)
    (d / "broken.gguf").write_text("definitely not gguf")
    (d / "notes.txt").write_text("ignored")
    found = {m.name: m for m in models.list_models(d)}

    mine = found["my-model"]
    assert mine.valid and mine.problem == "" and not mine.bundled
    assert mine.size == len(FAKE_GGUF) and mine.path == d / "my-model.gguf"

    broken = found["broken"]
    assert not broken.valid and "not a GGUF" in broken.problem

    bundled = found["smollm2-135m-instruct"]
    assert bundled.bundled and not bundled.valid and bundled.problem == "not installed"
    assert "notes" not in found


def test_resolve_user_model_by_stem_and_file_name(tmp_path: Path) -> None:
    d = _models_dir(tmp_path)
    (d / "my-model.gguf").write_bytes(FAKE_GGUF)
    assert models.resolve(d, "my-model") == d / "my-model.gguf"
    assert models.resolve(d, "my-model.gguf") == d / "my-model.gguf"


def test_resolve_unknown_name_points_to_models_list(tmp_path: Path) -> None:
    d = _models_dir(tmp_path)
    with pytest.raises(ModelError) as exc:
        models.resolve(d, "no-such-model")
    msg = str(exc.value)
    assert "no-such-model" in msg and "`hearth models list`" in msg
    assert "\n" not in msg


def test_resolve_missing_bundled_model_says_how_to_install(tmp_path: Path) -> None:
    d = _models_dir(tmp_path)
    with pytest.raises(ModelError) as exc:
        models.resolve(d, "smollm2-135m-instruct")
    assert "hearth models install" in str(exc.value)


def test_resolve_corrupt_model_says_why(tmp_path: Path) -> None:
    d = _models_dir(tmp_path)
    (d / "bad.gguf").write_text("hello, this is plain text and not a model")
    with pytest.raises(ModelError) as exc:
        models.resolve(d, "bad")
    assert "not a GGUF" in str(exc.value)


def test_resolve_real_bundled_model() -> None:
    path = models.resolve(REAL_MODELS, "smollm2-135m-instruct")
    assert path.exists() and models.gguf_problem(path) == ""


def _tiny_manifest(d: Path, sha: str) -> None:
    (d / "manifest.toml").write_text(
        "[[model]]\n"
        'name = "tiny"\n'
        'file = "tiny.gguf"\n'
        f'sha256 = "{sha}"\n'
        'package = "no-such-package-hearth-test"\n'
        'version = "0.0.0"\n'
        'member = "pkg/tiny.gguf"\n',
        encoding="utf-8",
    )


def test_install_is_idempotent_when_file_present_with_right_sha(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = tmp_path / "models"
    d.mkdir()
    (d / "tiny.gguf").write_bytes(FAKE_GGUF)
    _tiny_manifest(d, hashlib.sha256(FAKE_GGUF).hexdigest())

    def no_subprocess(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("install must not download when the checksum matches")

    monkeypatch.setattr(models.subprocess, "run", no_subprocess)
    logs: list[str] = []
    for _ in range(2):
        out = models.install(d, log=logs.append)
        assert out == [d / "tiny.gguf"]
    assert (d / "tiny.gguf").read_bytes() == FAKE_GGUF
    assert len(logs) == 2 and all("already installed" in line for line in logs)
    assert models.sha256_of(d / "tiny.gguf") == hashlib.sha256(FAKE_GGUF).hexdigest()


def test_install_with_wrong_sha_tries_to_download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "models"
    d.mkdir()
    (d / "tiny.gguf").write_bytes(FAKE_GGUF)
    _tiny_manifest(d, "0" * 64)
    calls: list[list[str]] = []

    class Result:
        returncode = 1
        stderr = "ERROR: No matching distribution found"
        stdout = ""

    def fake_run(cmd, **k):  # type: ignore[no-untyped-def]
        calls.append(cmd)
        return Result()

    monkeypatch.setattr(models.subprocess, "run", fake_run)
    with pytest.raises(ModelError, match="could not download"):
        models.install(d, log=lambda _: None)
    assert calls and "download" in calls[0] and "--no-deps" in calls[0]
    # the existing file is left alone when the download fails
    assert (d / "tiny.gguf").read_bytes() == FAKE_GGUF
