"""`hearth privacy-check`: a full scripted session in a temporary data folder with the egress
guard on. It loads the model, answers a question, embeds text, opens chromadb, writes, lists,
classifies, backs up and restores journal entries, serves the web app and drives it over HTTP,
then prints, as its last line, how many outbound attempts the guard refused.

With llm_backend='openai' the session runs against the configured server: the guard lets through
that one pinned address and port (the conversation with the server is not an egress attempt)
and still refuses and counts everything else."""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from assistant import offline
from assistant.config import Settings
from assistant.errors import CheckFailed


def _step(msg: str) -> None:
    print(f"- {msg}", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_page(cache_control: str | None, page: str) -> None:
    if cache_control != "no-store":
        raise CheckFailed(f"responses must not be cached (Cache-Control: {cache_control!r})")
    if "<html" not in page.lower():
        raise CheckFailed("the web app did not serve its page")


def check_answer_stream(stream: str) -> None:
    if "event: complete" not in stream or "Sources" not in stream:
        raise CheckFailed(f"the coach did not answer through the web app: {stream[-300:]!r}")


def _drive_ui(settings: Settings) -> None:
    from ui.app import serve

    port = _free_port()
    demo = serve(settings.model_copy(update={"port": port}), block=False)
    base = f"http://127.0.0.1:{port}"
    try:
        with urllib.request.urlopen(base + "/", timeout=30) as resp:
            page = resp.read().decode("utf-8", "replace")
            check_page(resp.headers.get("Cache-Control"), page)
        _step(f"web app served on {base}")
        # Ask the coach through the app's own API, exactly as the page does.
        body = json.dumps({"data": ["How do we argue less?", []]}).encode()
        req = urllib.request.Request(
            base + "/gradio_api/call/ask", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=60) as resp:
            event_id = json.loads(resp.read())["event_id"]
        with urllib.request.urlopen(f"{base}/gradio_api/call/ask/{event_id}", timeout=120) as resp:
            stream = resp.read().decode("utf-8", "replace")
        check_answer_stream(stream)
        _step("coach answered through the web app")
    finally:
        demo.close()


def run(with_ui: bool = True, model: str | None = None) -> int:
    from assistant.journal import service as journal
    from assistant.services import Services

    offline.install_guard()
    offline.reset_attempts()
    user_cache = Settings().cache_dir  # only the trained red-flag head lives there; nothing private
    with tempfile.TemporaryDirectory(prefix="hearth-privacy-check-") as tmp:
        overrides: dict = {"home": Path(tmp) / "home", "cache": user_cache}
        if model:
            overrides["model"] = model
        settings = Settings(**overrides)
        svc = Services(settings)
        t0 = time.perf_counter()
        _step(f"temporary data folder {settings.home}")
        llm = svc.llm
        if settings.llm_backend == "openai":
            host, address, port = offline.allowed_server() or ("?", "?", 0)
            _step(f"LLM server {settings.llm_url} answered (model {llm.name}) in {time.perf_counter() - t0:.1f} s")
            _step(f"egress guard allows only {host} at {address} port {port}")
        else:
            _step(f"chat model loaded ({settings.model}) in {time.perf_counter() - t0:.1f} s")
        vec = svc.embedder.embed(["We keep missing each other in the evenings."])
        _step(f"embedded a sentence ({vec.shape[1]} dimensions)")
        _step(f"chromadb opened: {len(svc.index.chunks)} knowledge sections indexed")
        ans = svc.coach.ask("How do we argue less?")
        _step(f"coach answered with {len(ans.citations)} sources, safety={ans.safety}")
        crisis = svc.coach.ask("I don't want to be here anymore.")
        _step(f"safety screen routed a crisis message: safety={crisis.safety}")
        journal.init_profile(svc, "check", "privacy check passphrase")
        session = journal.unlock(svc, "check", "privacy check passphrase")
        for text in (
            "We had a lovely walk and I thanked him for dinner.",
            "She gave me the silent treatment all weekend.",
        ):
            journal.add_entry(svc, session, text)
        entries = journal.list_entries(svc, session)
        _step(f"journal: {len(entries)} sealed entries written and read back")
        backup = Path(tmp) / "check.backup"
        journal.export_backup(svc, session, backup)
        svc.vaults.import_backup(backup, "restored", "privacy check passphrase")
        _step("journal: encrypted backup exported and imported")
        _step(f"insights: {journal.insights(svc, session)['entries']} entries analysed in memory")
        if with_ui:
            _drive_ui(settings)
        journal.delete_all(svc)
        _step("journal: everything deleted")
    log = offline.attempt_log()
    for attempt in log:
        print(f"  refused: {attempt}", file=sys.stderr)
    print(f"egress attempts: {len(log)}")
    return 0 if not log else 1
