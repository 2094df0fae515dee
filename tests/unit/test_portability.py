"""Issue 10: the setup self-test, `hearth doctor`, and the slips found by reading the code."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import doctor, selftest
from assistant.config import PROJECT_ROOT, Settings
from assistant.errors import CheckFailed
from tests.conftest import run_hearth

# --- the self-test: a child that dies by a signal becomes one line and a non-zero exit ---------


def _dies_by(sig: signal.Signals) -> list[str]:
    return [sys.executable, "-c", f"import os, signal; os.kill(os.getpid(), signal.{sig.name})"]


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGILL, signal.SIGBUS])
def test_selftest_reports_a_crashing_child_in_one_line(sig: signal.Signals) -> None:
    with pytest.raises(CheckFailed) as info:
        selftest.check_llama(Path("unused.gguf"), argv=_dies_by(sig))
    msg = str(info.value)
    assert "\n" not in msg
    assert "crashes on this CPU" in msg and sig.name in msg
    assert selftest.REBUILD_HINT in msg


def test_selftest_reports_a_failing_child() -> None:
    argv = [sys.executable, "-c", "import sys; print('bad model', file=sys.stderr); sys.exit(3)"]
    with pytest.raises(CheckFailed, match="bad model"):
        selftest.check_llama(Path("unused.gguf"), argv=argv)


def test_selftest_passes_a_healthy_child() -> None:
    assert selftest.check_llama(Path("x"), argv=[sys.executable, "-c", "print('generated 5 characters')"]) == (
        "generated 5 characters"
    )


def test_prepare_crash_message_in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from assistant import cli

    monkeypatch.setattr(selftest, "child_argv", lambda _path: _dies_by(signal.SIGSEGV))
    code = cli.main(["prepare"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == CheckFailed.exit_code
    assert len(err) == 1 and err[0].startswith("hearth: error:") and "make rebuild-llama" in err[0]


# --- doctor -------------------------------------------------------------------------------------


def test_library_scan_finds_amx_kernels(tmp_path: Path) -> None:
    lib = tmp_path / "libggml-cpu.so"
    lib.write_bytes(b"\x7fELF....ggml_cpu_has_amx_int8\x00ggml_backend_amx_mul_mat\x00")
    assert doctor.library_has_amx(lib)
    lib.write_bytes(b"\x7fELF....ggml_cpu_has_amx_int8\x00ggml_backend_cpu_init\x00")
    assert not doctor.library_has_amx(lib)


def test_installed_llama_has_no_amx_kernels() -> None:
    lib = doctor.llama_library()
    assert lib is not None, "llama-cpp-python is not installed"
    assert not doctor.library_has_amx(lib), f"{lib} was built with ggml's AMX kernels"


def test_doctor_flags_a_data_folder_others_can_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    c = doctor.check_data_folder(Settings(home=home))
    assert c.status == "fail" and f"chmod 700 {home}" in c.fix
    os.chmod(home, 0o700)
    (home / "journal.sqlite3").write_bytes(b"")
    os.chmod(home / "journal.sqlite3", 0o644)
    c = doctor.check_data_folder(Settings(home=home))
    assert c.status == "fail" and "journal.sqlite3" in c.detail
    os.chmod(home / "journal.sqlite3", 0o600)
    assert doctor.check_data_folder(Settings(home=home)).status == "ok"


def test_doctor_says_how_to_install_a_missing_model(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "manifest.toml").write_text((PROJECT_ROOT / "models" / "manifest.toml").read_text())
    c = doctor.check_model(Settings(models_dir=models))
    assert c.status == "fail" and c.fix == "hearth models install"


def test_doctor_detects_a_corrupted_model(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    manifest = (PROJECT_ROOT / "models" / "manifest.toml").read_text()
    (models / "manifest.toml").write_text(manifest)
    import tomllib

    file = tomllib.loads(manifest)["model"][0]["file"]
    (models / file).write_bytes(b"GGUF" + b"\0" * 64)
    c = doctor.check_model(Settings(models_dir=models))
    assert c.status == "fail" and "checksum" in c.detail


def test_doctor_proves_the_guard_and_leaves_the_count_alone() -> None:
    from assistant import offline

    before = offline.attempts()
    c = doctor.check_guard()
    assert c.status == "ok", c.line()
    assert offline.attempts() == before


def test_doctor_index_and_classifier_say_what_to_run(settings: Settings) -> None:
    assert doctor.check_index(settings).fix == "hearth prepare"


def test_doctor_command_runs_and_reports_every_part(home: Path) -> None:
    r = run_hearth("doctor", "--json", "--no-self-test", env={"HEARTH_EMBED_BACKEND": "fake"})
    import json

    rows = json.loads(r.stdout)
    names = [row["name"] for row in rows]
    for part in ("cpu / llama.cpp", "chat model", "embedder", "knowledge index", "classifier", "data folder",
                 "egress guard", "test browser"):  # fmt: skip
        assert part in names
    assert r.returncode == (1 if any(row["status"] == "fail" for row in rows) else 0)


# --- slips ----------------------------------------------------------------------------------


def _py_files(*folders: str) -> list[Path]:
    return [p for f in folders for p in (PROJECT_ROOT / f).rglob("*.py")]


def test_no_assert_statements_in_product_code() -> None:
    # Under `python -O` an assert is gone: a check written as one silently passes.
    found = [
        f"{p.relative_to(PROJECT_ROOT)}:{node.lineno}"
        for p in _py_files("assistant", "ui")
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.Assert)
    ]
    assert found == []


def test_privacy_checks_raise_real_errors() -> None:
    from assistant.privacy_check import check_answer_stream, check_page

    with pytest.raises(CheckFailed):
        check_page(None, "<html></html>")
    with pytest.raises(CheckFailed):
        check_page("no-store", "not a page")
    with pytest.raises(CheckFailed):
        check_answer_stream("event: error\ndata: null")
    check_page("no-store", "<html><body></body></html>")
    check_answer_stream('event: complete\ndata: ["Sources: [1]"]')


def test_privacy_check_fails_under_python_O() -> None:
    code = (
        "from assistant.privacy_check import check_page\n"
        "try:\n    check_page(None, '')\nexcept Exception as e:\n    print(type(e).__name__)\n"
    )
    r = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "CheckFailed"


def test_scripts_insert_their_path_before_importing_assistant() -> None:
    for path in sorted((PROJECT_ROOT / "scripts").glob("*.py")):
        tree = ast.parse(path.read_text())
        first_import = insert = None
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom) and first_import is None:
                mod = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                if mod and mod.split(".")[0] == "assistant":
                    first_import = node.lineno
            if isinstance(node, ast.Expr) and "sys.path.insert" in ast.unparse(node) and insert is None:
                insert = node.lineno
        if first_import is not None:
            assert insert is not None and insert < first_import, f"{path.name}: sys.path insert after the import"


def test_privacy_tab_states_the_real_kdf_cost(tmp_path: Path) -> None:
    from ui.app import privacy_md

    text = privacy_md(Settings(home=tmp_path, kdf_memory_kib=262144), {"sam": (65536, 3)}, str(tmp_path))
    assert "Argon2id, 256 MiB, 3 passes" in text
    assert "sam: 64 MiB, 3 passes" in text
    assert "Argon2id, 512 MiB, 4 passes" in privacy_md(
        Settings(home=tmp_path, kdf_memory_kib=524288, kdf_iterations=4), {}, ""
    )


def test_classifier_cache_key_covers_options_and_library_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    import sklearn

    from assistant.journal import classifier

    rows = [("a text", ["criticism"])]
    base = classifier.cache_key(rows, "FakeEmbedder")
    assert classifier.cache_key(rows, "MiniLMEmbedder") != base
    monkeypatch.setitem(classifier.TRAIN_OPTIONS, "C", 1.0)
    assert classifier.cache_key(rows, "FakeEmbedder") != base
    monkeypatch.setitem(classifier.TRAIN_OPTIONS, "C", 4.0)
    assert classifier.cache_key(rows, "FakeEmbedder") == base
    monkeypatch.setattr(sklearn, "__version__", "0.0.1")
    assert classifier.cache_key(rows, "FakeEmbedder") != base


def test_imported_libraries_are_declared() -> None:
    import tomllib

    deps = " ".join(tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]).lower()
    for dist in ("scikit-learn", "scipy"):
        assert dist in deps


def test_ensure_home_probe_is_unique(tmp_path: Path) -> None:
    # The old probe was a fixed name; a concurrent unlink of it made the other process fail.
    from assistant.services import ensure_home

    home = tmp_path / "h"
    home.mkdir()
    (home / ".write-probe").mkdir()  # a fixed-name probe cannot be written now
    ensure_home(Settings(home=home))
    assert sorted(p.name for p in home.iterdir()) == [".write-probe"]
