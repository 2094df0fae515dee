"""`hearth privacy-check` end to end: once with the Python guard, once inside a network namespace
that has only loopback (the guard cannot see native code or child processes; the namespace can)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import HEARTH, SHARED_CACHE

pytestmark = pytest.mark.slow


def _env(tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    # privacy-check makes its own temporary data folder; XDG points its cache lookup at tmp.
    return {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "TMPDIR": str(tmp_path),
        "HEARTH_CACHE": str(SHARED_CACHE),
    }


def test_privacy_check_reports_zero_egress(tmp_path) -> None:  # type: ignore[no-untyped-def]
    res = subprocess.run([HEARTH, "privacy-check"], capture_output=True, text=True, env=_env(tmp_path), timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]
    lines = [ln for ln in res.stdout.splitlines() if ln.strip()]
    assert lines[-1] == "egress attempts: 0"
    assert "coach answered through the web app" in res.stdout
    # The temporary data folder is gone afterwards.
    assert not list(tmp_path.glob("hearth-privacy-check-*"))


@pytest.mark.skipif(shutil.which("unshare") is None, reason="util-linux unshare missing")
def test_privacy_check_in_loopback_only_namespace(tmp_path) -> None:  # type: ignore[no-untyped-def]
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root here")
    script = f"ip link set lo up && exec {HEARTH} privacy-check"
    res = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True,
                         env=_env(tmp_path), timeout=900)  # fmt: skip
    assert res.returncode == 0, (res.stdout[-1500:], res.stderr[-1500:])
    assert res.stdout.strip().splitlines()[-1] == "egress attempts: 0"
    # Proof the namespace really had no route out: a raw connect from inside fails at once.
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up && exec python3 -c "
                            "\"import socket;socket.create_connection(('192.0.2.1',80),timeout=3)\""],
                           capture_output=True, text=True, timeout=30)  # fmt: skip
    assert probe.returncode != 0 and "unreachable" in probe.stderr.lower()


@pytest.mark.skipif(shutil.which("unshare") is None or shutil.which("ip") is None, reason="unshare/ip missing")
def test_server_side_fetch_refused_in_namespace(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The red-team probe: a 'public' address that answers inside the namespace; the app is
    asked to fetch from it through Gradio's file route. Refused, and no connection made."""
    import json
    import sys

    if os.geteuid() != 0:
        pytest.skip("network namespaces need root here")
    probe = os.path.join(os.path.dirname(__file__), "fetch_probe.py")
    res = subprocess.run(["unshare", "-n", sys.executable, probe, HEARTH], capture_output=True, text=True,
                         env={**_env(tmp_path), "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=600)  # fmt: skip
    assert res.returncode == 0, (res.stdout[-1500:], res.stderr[-1500:])
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["reachable"] is True
    for route, (status, body) in out["results"].items():
        assert status == 403, (route, status, body)
        assert "FETCHED" not in body and "never fetches" in body
    assert out["server_hits"] == []
