"""Every user mistake gives one line on stderr, starting `hearth: error:`, and a non-zero exit."""

from __future__ import annotations

import importlib
import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from tests.conftest import run_hearth

FAST = {"HEARTH_LLM_BACKEND": "fake", "HEARTH_EMBED_BACKEND": "fake"}


def one_error_line(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode != 0, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("hearth: error:"), lines[0]
    return lines[0]


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    d = tmp_path / "models"
    d.mkdir()
    shutil.copy(PROJECT_ROOT / "models" / "manifest.toml", d / "manifest.toml")
    return d


def test_missing_model_file(models_dir: Path) -> None:
    r = run_hearth("ask", "hi", env={"HEARTH_MODELS_DIR": str(models_dir)})
    line = one_error_line(r)
    assert "hearth models install" in line
    assert r.returncode == 3
    assert r.stdout == ""


@pytest.mark.parametrize("name", ["bad", "bad.gguf"])
def test_corrupt_model_file(models_dir: Path, name: str) -> None:
    (models_dir / "bad.gguf").write_text("this is a text file pretending to be a model\n" * 10)
    r = run_hearth("--model", name, "ask", "hi", env={"HEARTH_MODELS_DIR": str(models_dir)})
    line = one_error_line(r)
    assert "not a GGUF" in line and "bad.gguf" in line
    assert r.returncode == 3


def test_unknown_model_name() -> None:
    r = run_hearth("--model", "no-such-model", "ask", "hi")
    line = one_error_line(r)
    assert "no-such-model" in line and "hearth models list" in line
    assert r.returncode == 3


def test_port_in_use() -> None:
    try:
        importlib.import_module("ui.app")
    except ImportError:
        pytest.xfail("ui not landed")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = run_hearth("ui", "--port", str(port), env=FAST, timeout=180)
    line = one_error_line(r)
    assert str(port) in line
    assert r.returncode == 7


@pytest.mark.parametrize("where", ["proc", "file", "under-file"])
def test_unwritable_data_folder(tmp_path: Path, where: str) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    home = {"proc": "/proc/hearth-nope", "file": str(a_file), "under-file": str(a_file / "sub")}[where]
    r = run_hearth("kb", "search", "x", env={"HEARTH_HOME": home, **FAST})
    line = one_error_line(r)
    assert "data folder" in line and "not writable" in line and "HEARTH_HOME" in line
    assert r.returncode == 4
    assert a_file.read_text() == "not a folder"


def test_wrong_passphrase() -> None:
    r = run_hearth("journal", "init", env={"HEARTH_PASSPHRASE": "correct horse battery", **FAST})
    assert r.returncode == 0, r.stderr
    assert "created" in r.stdout
    r = run_hearth("journal", "list", env={"HEARTH_PASSPHRASE": "wrong passphrase here", **FAST})
    line = one_error_line(r)
    assert r.returncode == 6
    assert "wrong passphrase" in line
    # and the right one still works
    ok = run_hearth("journal", "list", "--json", env={"HEARTH_PASSPHRASE": "correct horse battery", **FAST})
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == []


def test_ask_jsonl_with_non_json_line() -> None:
    r = run_hearth("ask", "--jsonl", env=FAST, input="this is not json\n")
    line = one_error_line(r)
    assert r.returncode == 2
    assert "line 1" in line and "JSON" in line


def test_ask_jsonl_with_wrong_shape() -> None:
    r = run_hearth("ask", "--jsonl", env=FAST, input='{"id": 1, "question": "hi"}\n{"id": 2}\n')
    line = one_error_line(r)
    assert r.returncode == 2 and "line 2" in line
    # the good first line was answered before the bad one stopped the run
    assert len(r.stdout.strip().splitlines()) == 1


def test_kb_search_jsonl_with_non_json_line() -> None:
    r = run_hearth("kb", "search", "--jsonl", env=FAST, input="{nope\n")
    one_error_line(r)
    assert r.returncode == 2


def test_ask_without_question() -> None:
    r = run_hearth("ask", env=FAST)
    line = one_error_line(r)
    assert r.returncode == 2 and "QUESTION" in line
