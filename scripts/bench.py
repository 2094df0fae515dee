"""Speed and memory, measured as medians over several runs (the machine is shared and noisy).

    .venv/bin/python scripts/bench.py [--quick] [--cold-only | --insights-only]

Prints a Markdown table; the README quotes it. Targets are checked here, never in tests.
Cold start runs `hearth ui` as a user does, in a fresh data folder (the first start: the
knowledge index is built there) and again in the same folder (a restart), and times the page
being served and the "Hearth is ready" line (the models loaded). The trained heads come from the
usual cache, as after `hearth prepare`. Insights are timed over a year of stored entries (365,
one a day, with findings as the classifier stores them), warm, service and tab view apart.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import assistant.offline  # noqa: F401,E402,I001

from assistant.config import Settings  # noqa: E402
from assistant.conversation import Conversation  # noqa: E402
from assistant.llm.base import GenOptions  # noqa: E402
from assistant.services import Services  # noqa: E402

QUESTIONS = [
    "My partner goes silent whenever we argue, what can I do?",
    "How do we argue less?",
    "I feel like we're roommates lately and I miss him.",
    "How do I tell my partner I need more alone time without hurting her?",
    "My wife's parents criticise everything we do.",
    "We are long distance and keep missing each other's calls.",
    "How do I apologise properly after I snapped at him?",
    "She scrolls her phone all through dinner.",
    "We haven't had sex in months and I don't know how to bring it up.",
    "I get jealous when he texts his ex.",
]


# One conversation of ten turns: follow-ups, "what else", a step's detail, small talk.
CONVERSATION = [
    "My partner goes silent whenever we argue and I feel shut out.",
    "What should I say when it happens?",
    "That didn't work, he just walked off.",
    "Tell me more about step 1",
    "He says I'm too emotional when I bring things up.",
    "What else could I try?",
    "We also never seem to have time together.",
    "How do we find time when we both work late?",
    "thanks, that helps",
    "Is it normal to feel this lonely next to him?",
]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_once(home: Path, timeout: float = 900) -> tuple[float, float]:
    """(seconds to the page served, seconds to "Hearth is ready") for one `hearth ui` start."""
    port = _free_port()
    hearth = Path(sys.executable).with_name("hearth")
    env = {**os.environ, "HEARTH_HOME": str(home)}
    log = home.parent / f"ui-{port}.log"
    t0 = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen([str(hearth), "ui", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    page = ready = None
    try:
        while ready is None:
            if proc.poll() is not None:
                raise RuntimeError(f"hearth ui exited: {log.read_text(errors='replace')[-500:]}")
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"hearth ui not ready in {timeout:.0f} s")
            if page is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                        if r.status == 200:
                            page = time.perf_counter() - t0
                except OSError:
                    pass
            if "Hearth is ready" in log.read_text(errors="replace"):
                ready = time.perf_counter() - t0
            time.sleep(0.05)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return (page if page is not None else ready), ready


def ask_once(home: Path) -> float:
    """Seconds from starting a one-shot `hearth ask` to its first line on stdout."""
    hearth = Path(sys.executable).with_name("hearth")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(hearth), "ask", QUESTIONS[0]], env={**os.environ, "HEARTH_HOME": str(home)},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    first = time.perf_counter() - t0
    proc.communicate(timeout=600)
    if proc.returncode != 0 or not line.strip():
        raise RuntimeError(f"hearth ask failed (exit {proc.returncode})")
    return first


def cold_start(runs: int) -> list[tuple[str, str, str]]:
    first, again, asks = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="hearth-cold-") as tmp:
            home = Path(tmp) / "home"
            first.append(start_once(home))
            again.append(start_once(home))
            asks.append(ask_once(home))  # the index is built by then, as on any later day
    med = lambda xs, i: statistics.median(x[i] for x in xs)  # noqa: E731
    return [
        ("cold start, fresh data folder: page served (median)", ms(med(first, 0)), "<= 3 s"),
        ("cold start, fresh data folder: models ready (median)", ms(med(first, 1)), ""),
        ("restart, same data folder: page served (median)", ms(med(again, 0)), "<= 3 s"),
        ("restart, same data folder: models ready (median)", ms(med(again, 1)), ""),
        ("one-shot `hearth ask`: first line on stdout (median)", ms(statistics.median(asks)), "<= 2 s"),
    ]


def insights_year(svc: Services, runs: int) -> list[tuple[str, str, str]]:
    """`journal.insights` and `InsightsTab.view` for 365 stored entries with findings (warm)."""
    import random
    from datetime import date, timedelta

    from assistant.journal import service as journal
    from ui.tabs.insights import InsightsTab

    rnd = random.Random(7)
    flags = ["stonewalling", "criticism", "escalation", "avoidance", "burnout", "defensiveness"]
    strengths = ["appreciation", "repair", "quality_time", "vulnerability"]

    def finding(label: str) -> dict[str, object]:
        who = rnd.choice(["partner", "writer", "both", "unclear"])
        return {"label": label, "score": 0.8, "evidence": ["a sentence"], "explanation": "", "article_id": "",
                "who": who}  # fmt: skip

    svc.vaults.create_profile("insights", "bench passphrase 2")
    session = svc.vaults.unlock("insights", "bench passphrase 2")
    first = date.today() - timedelta(days=364)
    for i in range(365):
        analysis = {
            "flags": [finding(lab) for lab in rnd.sample(flags, rnd.randint(0, 3))],
            "strengths": [finding(lab) for lab in rnd.sample(strengths, rnd.randint(0, 2))],
            "safety": "none",
        }
        day = (first + timedelta(days=i)).isoformat()
        svc.vaults.add(session, f"entry {i} " * 40, analysis=analysis, created=f"{day}T20:00:00+00:00")
    tab = InsightsTab(svc)
    tab.view(session)  # warm: pandas imported, the knowledge files read once
    service = timed(lambda: journal.insights(svc, session), runs)
    view = timed(lambda: tab.view(session), runs)
    return [
        ("insights, 365 stored entries: `journal.insights` (median)", ms(statistics.median(service)), ""),
        ("insights, 365 stored entries: `InsightsTab.view`, service included (median)",
         ms(statistics.median(view)), "<= 100 ms"),
    ]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer runs")
    ap.add_argument("--cold-only", action="store_true", help="only the cold-start rows")
    ap.add_argument("--insights-only", action="store_true", help="only the insights rows (a year of entries)")
    args = ap.parse_args()
    runs = 3 if args.quick else 5
    if args.insights_only:
        with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
            settings = Settings(home=Path(tmp) / "home", cache=Settings().cache_dir)
            _print(insights_year(Services(settings), runs))
        return
    rows: list[tuple[str, str, str]] = cold_start(3 if args.quick else 5)
    if args.cold_only:
        _print(rows)
        return

    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        settings = Settings(home=Path(tmp) / "home", cache=Settings().cache_dir)
        svc = Services(settings)

        # --- chat model -------------------------------------------------------------------
        from assistant.llm.llama import LlamaLLM
        from assistant.models import resolve

        path = resolve(settings.models_dir, settings.model)
        loads = timed(lambda: LlamaLLM(path, n_ctx=settings.n_ctx, threads=settings.threads), runs)
        rows.append(("model load (SmolLM2-135M Q4_1)", ms(statistics.median(loads)), ""))
        llm = svc.llm
        coach = svc.coach
        coach.warm()
        from assistant.coach import REFLECTION_PREFIX, SYSTEM_PROMPT

        ttft, rates = [], []
        for q in QUESTIONS[:runs]:
            msgs = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": q}]
            t = time.perf_counter()
            first = None
            n = 0
            for _ in llm.stream(msgs, GenOptions(max_tokens=64, prefix=REFLECTION_PREFIX)):  # type: ignore[arg-type]
                n += 1
                if first is None:
                    first = time.perf_counter() - t
            total = time.perf_counter() - t
            ttft.append(first or total)
            if n > 1 and first is not None:
                rates.append((n - 1) / max(1e-6, total - first))
        rows.append(("time to first token, warm system prompt (p50)", ms(statistics.median(ttft)), "<= 1.0 s"))
        rows.append(("decode speed (median)", f"{statistics.median(rates):.0f} tokens/s", ""))

        # --- embedder ---------------------------------------------------------------------
        emb = svc.embedder
        sents = [f"{q} ({i})" for i in range(26) for q in QUESTIONS][:256]
        emb.embed(sents[:8])
        batch = timed(lambda: emb.embed(sents), max(2, runs // 2))
        rows.append(("embedding, batch of 256", f"{256 / statistics.median(batch):.0f} sentences/s", ""))
        single = timed(lambda: emb.embed([QUESTIONS[0]]), 20)
        rows.append(("embedding, one sentence (p50)", ms(statistics.median(single)), ""))

        # --- retrieval, safety, coach ------------------------------------------------------------
        index = svc.index
        for q in QUESTIONS:
            index.search(q)
        ret = [t for q in QUESTIONS for t in timed(lambda q=q: index.search(q), 3)]
        rows.append(("retrieval, hybrid, warm (p50 / p95)", f"{ms(p(ret, 0.5))} / {ms(p(ret, 0.95))}", "p50 <= 15 ms"))
        from assistant.safety import screen

        scr = [t for q in QUESTIONS for t in timed(lambda q=q: screen(q), 20)]
        rows.append(
            ("safety rule phrases alone per question (p50 / p95)", f"{ms(p(scr, 0.5))} / {ms(p(scr, 0.95))}", "")
        )
        detector = svc.detector
        detector.screen(QUESTIONS[0])
        det = [t for q in QUESTIONS for t in timed(lambda q=q: detector.screen(q), 10)]
        rows.append(
            (
                "safety decision (detector + rules) per question (p50 / p95)",
                f"{ms(p(det, 0.5))} / {ms(p(det, 0.95))}",
                "p50 <= 15 ms",
            )
        )
        batch_entries = [f"{q} Later we talked it through and went for a walk." for q in QUESTIONS] * 20
        db = timed(lambda: detector.screen_many(batch_entries), 2)
        rows.append(("safety decision, batch of 200 entries", f"{200 / statistics.median(db):.0f} entries/s", ""))
        first_text, totals = [], []
        for q in QUESTIONS:
            a = coach.ask(q)
            first_text.append(a.timings.get("first_text_ms", a.timings["total_ms"]) / 1000)
            totals.append(a.timings["total_ms"] / 1000)
        rows.append(
            (
                "coach: first checked text (p50 / p95)",
                f"{ms(p(first_text, 0.5))} / {ms(p(first_text, 0.95))}",
                "<= 1.5 s on screen",
            )
        )
        rows.append(("coach: whole answer (p50 / p95)", f"{ms(p(totals, 0.5))} / {ms(p(totals, 0.95))}", ""))
        conv_first = []
        for _ in range(max(1, runs // 3)):
            conv = Conversation()
            for q in CONVERSATION:
                a = coach.ask(q, conversation=conv)
                conv_first.append(a.timings.get("first_text_ms", a.timings["total_ms"]) / 1000)
        rows.append(
            (
                "coach: first checked text in a 10-turn conversation (p50 / p95)",
                f"{ms(p(conv_first, 0.5))} / {ms(p(conv_first, 0.95))}",
                "p50 <= 0.5 s",
            )
        )

        # --- classifier ------------------------------------------------------------------------------
        clf = svc.classifier
        entries = [
            f"{q} He went quiet after that and I felt alone. Later we talked it through." for q in QUESTIONS
        ] * 20
        clf.classify_many(entries[:10])
        cb = timed(lambda: clf.classify_many(entries), 2)
        rows.append(("red-flag classifier, batch of 200", f"{200 / statistics.median(cb):.0f} entries/s", ">= 100/s"))
        one = [t for e in entries[:20] for t in timed(lambda e=e: clf.classify(e), 1)]
        rows.append(("red-flag classifier, one entry (p50)", ms(statistics.median(one)), "<= 50 ms"))

        # --- vault -----------------------------------------------------------------------------------
        vault = svc.vaults
        vault.create_profile("bench", "bench passphrase 1")
        unlocks = timed(lambda: vault.unlock("bench", "bench passphrase 1"), runs)
        rows.append(("vault unlock (Argon2id, default 256 MiB, 3 passes)", ms(statistics.median(unlocks)), "0.3-1.0 s"))
        session = vault.unlock("bench", "bench passphrase 1")
        adds = [t for i in range(1000) for t in timed(lambda i=i: vault.add(session, f"entry {i} " * 40), 1)]
        rows.append(("vault add, excluding classification (p50)", ms(statistics.median(adds)), "<= 20 ms"))
        lists = timed(lambda: vault.list(session), runs)
        rows.append(("vault list of 1,000 entries (median)", ms(statistics.median(lists)), "<= 200 ms"))
        rows += insights_year(svc, runs)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak memory (RSS) of this whole run", f"{peak:.0f} MiB", ""))
    _print(rows)


def _print(rows: list[tuple[str, str, str]]) -> None:
    print("| measure | result | target |\n|---|---|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")


if __name__ == "__main__":
    main()
