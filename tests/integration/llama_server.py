"""A real OpenAI-compatible engine for tests: `python -m llama_cpp.server` with the bundled GGUF,
on 127.0.0.1 and a free port, in a child process that is killed at teardown."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.models import resolve

GGUF = resolve(PROJECT_ROOT / "models", "smollm2-135m-instruct")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LlamaServer:
    def __init__(self, *extra: str, log: Path, ca_file: Path | None = None) -> None:
        self.port = free_port()
        self.extra = extra
        self.log = log
        self.ca_file = ca_file
        scheme = "https" if ca_file else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}/v1"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, startup: float = 120.0) -> LlamaServer:
        args = [sys.executable, "-m", "llama_cpp.server", "--model", str(GGUF), "--host", "127.0.0.1",
                "--port", str(self.port), "--n_ctx", "2048", "--seed", "42", *self.extra]  # fmt: skip
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + startup
        while not self._ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self.log.read_text()[-1500:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"llama_cpp.server did not list /v1/models: {self.log.read_text()[-1500:]}")
            time.sleep(0.2)
        return self

    def _ready(self) -> bool:
        ctx = ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file else None
        try:
            with urllib.request.urlopen(self.url + "/models", timeout=2, context=ctx) as resp:
                return bool(json.loads(resp.read()).get("data"))
        except urllib.error.HTTPError:
            return True  # it answers (e.g. 401 without a key): it is up
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
