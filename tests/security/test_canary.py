"""Canary test: through the real `hearth` CLI, 20 journal entries each carry a unique marker;
after adding, listing, showing, classifying and exporting them, no file in the data folder
or in the subprocesses' TMPDIR holds any marker: not in UTF-8, UTF-16 (LE/BE), nor base64 of
the marker at any of the three byte alignments.

The red-flag head the classifier trains on first use (from the bundled training set only) lives
in the test run's shared cache (HEARTH_CACHE, see tests/conftest.py); that folder is scanned too.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import run_hearth

pytestmark = pytest.mark.slow

PASS = "canary passphrase 42"


def needles(marker: str) -> dict[str, bytes]:
    """Every byte string whose presence would reveal `marker`."""
    raw = marker.encode("utf-8")
    out = {
        "utf-8": raw,
        "utf-16-le": marker.encode("utf-16-le"),
        "utf-16-be": marker.encode("utf-16-be"),
    }
    for offset in range(3):
        for name, enc in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            full = enc(b"\0" * offset + raw)
            # drop the characters that also depend on the bytes before / after the marker
            skip = -(-8 * offset // 6)
            out[f"{name}@{offset}"] = full[skip:-4]
    return out


def scan(roots: list[Path], markers: list[str]) -> list[str]:
    table = {m: needles(m) for m in markers}
    hits = []
    for root in roots:
        for f in sorted(root.rglob("*")):
            if f.is_symlink() or not f.is_file():
                continue
            data = f.read_bytes()
            for m, forms in table.items():
                for form, needle in forms.items():
                    if needle in data:
                        hits.append(f"{f} holds {m} as {form}")
    return hits


def test_scanner_finds_every_encoding(tmp_path: Path) -> None:
    """The scanner itself can fail: each encoding of a planted marker is found."""
    marker = f"CANARY-{uuid.uuid4()}"
    for i, form in enumerate(needles(marker)):
        d = tmp_path / f"d{i}"
        d.mkdir()
        if form.startswith("base64"):
            offset = int(form[-1])
            enc = base64.b64encode if form.startswith("base64@") else base64.urlsafe_b64encode
            payload = enc(b"xy"[:offset] + marker.encode() + b" and more")
        else:
            payload = marker.encode(form)
        (d / "f.bin").write_bytes(b"prefix" + payload + b"suffix")
        assert len(scan([d], [marker])) >= 1, form
    assert scan([tmp_path], [f"CANARY-{uuid.uuid4()}"]) == []


def test_no_marker_leaks_to_disk(tmp_path: Path) -> None:
    home = tmp_path / "hearth-home"
    tmpdir = tmp_path / "subprocess-tmp"
    tmpdir.mkdir()
    env = {"HEARTH_HOME": str(home), "TMPDIR": str(tmpdir), "TMP": str(tmpdir), "TEMP": str(tmpdir),
           "HEARTH_PASSPHRASE": PASS}  # fmt: skip

    def hearth(*args: str, input: str | None = None) -> str:
        proc = run_hearth(*args, env=env, input=input, timeout=600)
        assert proc.returncode == 0, f"hearth {' '.join(args[:2])} failed: {proc.stderr[-2000:]}"
        return proc.stdout

    hearth("journal", "init")
    markers = [f"CANARY-{uuid.uuid4()}" for _ in range(20)]
    texts = [f"Today {m} we argued about chores; I felt unheard and he walked away." for m in markers]

    def add(text: str) -> str:
        return str(json.loads(hearth("journal", "add", "--text", text, "--json"))["id"])

    ids = [add(texts[0])]  # alone: it may train and cache the classifier head
    with ThreadPoolExecutor(max_workers=2) as pool:
        ids += list(pool.map(add, texts[1:]))
    assert len(set(ids)) == 20

    listed = json.loads(hearth("journal", "list", "--json"))
    assert sorted(e["text"] for e in listed) == sorted(texts)  # the markers really went in
    assert texts[3] in hearth("journal", "show", ids[3])
    out = json.loads(hearth("journal", "classify", input=texts[0]))
    assert "flags" in out
    lines = "".join(json.dumps({"id": i, "text": texts[i]}) + "\n" for i in (1, 2, 5))
    assert len(hearth("journal", "classify", "--jsonl", input=lines).splitlines()) == 3
    backup = home / "backup.hearth"
    assert "exported 20" in hearth("journal", "export", str(backup))
    assert backup.exists()

    files = [f for root in (home, tmpdir) for f in root.rglob("*") if f.is_file()]
    assert any(f.name == "journal.sqlite3" for f in files) and backup in files
    roots = [home, tmpdir]
    shared_cache = os.environ.get("HEARTH_CACHE")
    if shared_cache and Path(shared_cache).is_dir():
        roots.append(Path(shared_cache))
    assert scan(roots, markers) == []
