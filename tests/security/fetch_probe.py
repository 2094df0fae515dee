"""Run inside a fresh network namespace (root): the red-team's server-side fetch probe.

A "public" address (203.0.114.7) is made reachable inside the namespace with a
web server on it; `hearth ui` runs on loopback. Asking the app to fetch that URL through
Gradio's `/file=` route must be refused, and the server must never see a connection.
Prints one JSON line with what happened."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

# A globally routable-looking address (Gradio refuses reserved ones itself), assigned to this
# namespace's own loopback: packets to it never leave the namespace, which has no other link.
FAKE_PUBLIC = "203.0.114.7"
hits: list[str] = []


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        hits.append(self.path)
        body = b"FETCHED-FROM-THE-INTERNET"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def main(hearth: str) -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", f"{FAKE_PUBLIC}/32", "dev", "lo"], check=True)
    srv = HTTPServer((FAKE_PUBLIC, 8080), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    # The fake address really answers inside the namespace (so a refusal means Hearth refused).
    with urllib.request.urlopen(f"http://{FAKE_PUBLIC}:8080/reachable", timeout=5) as r:
        reachable = r.read() == b"FETCHED-FROM-THE-INTERNET"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = Path(tempfile.mkdtemp())
    env = {**os.environ, "HEARTH_HOME": str(home), "HEARTH_LLM_BACKEND": "fake", "HEARTH_EMBED_BACKEND": "fake"}
    ui = subprocess.Popen([hearth, "ui", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base, timeout=2).read()
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(1)
    results = {}
    for route in ("/gradio_api/file=",):
        try:
            with urllib.request.urlopen(f"{base}{route}http://{FAKE_PUBLIC}:8080/probe", timeout=20) as r:
                results[route] = [r.status, r.read().decode("utf-8", "replace")[:80]]
        except urllib.error.HTTPError as exc:
            results[route] = [exc.code, exc.read().decode("utf-8", "replace")[:80]]
    ui.terminate()
    ui.wait(timeout=30)
    print(
        json.dumps({"reachable": reachable, "results": results, "server_hits": [h for h in hits if h != "/reachable"]})
    )


if __name__ == "__main__":
    main(sys.argv[1])
