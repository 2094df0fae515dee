"""Load: N people talking to the coach at once, through the running web app's own HTTP API.

    python scripts/load.py --url http://127.0.0.1:7860 --users 20 --turns 2

Each simulated person is a separate Gradio session (gradio_client) that asks `--turns`
questions in a row, carrying the chat history like the page does. Reported: time to the first
piece of checked answer text (the coach streams only sentences that passed the grounding
check), time to the whole answer, and the error count. Loopback only, and bounded in users,
turns and total time: this is a measuring tool, not a way to hammer somebody else's server.
"""

from __future__ import annotations

import argparse
import ipaddress
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import assistant.offline  # noqa: E402,F401,I001  (first: offline switches before gradio_client)

MAX_USERS, MAX_TURNS, MAX_SECONDS = 100, 10, 1800
QUESTIONS = [
    "My partner goes silent whenever we argue, what can I do?",
    "How do we stop having the same fight about chores?",
    "We never have time for each other since the baby came.",
    "How can I apologise so that it actually lands?",
    "My partner checks my phone and it makes me uneasy.",
    "How do we talk about money without fighting?",
    "I feel criticised all the time, how do I bring it up?",
    "How can we rebuild trust after a broken promise?",
]


@dataclass
class Result:
    first: list[float] = field(default_factory=list)
    whole: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def check_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise SystemExit(f"load.py: refusing {url!r}: only a Hearth on this machine (127.0.0.1) is measured")


def _assistant_text(output: object) -> str:
    """The last chat bubble's text from one streamed output of the ask event."""
    if not isinstance(output, (list, tuple)) or not output:
        return ""
    history = output[0]
    if not isinstance(history, list) or not history:
        return ""
    last = history[-1]
    content = last.get("content") if isinstance(last, dict) else None
    if isinstance(content, list):  # Gradio 6 messages: a list of {"type": "text", "text": ...}
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


def converse(url: str, user: int, turns: int, deadline: float, result: Result) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # a refused connection is a result too
        with result.lock:
            result.errors.append(f"user {user}: connect: {exc.__class__.__name__}: {exc}")
        return
    history: list = []
    for turn in range(turns):
        if time.monotonic() > deadline:
            with result.lock:
                result.errors.append(f"user {user}: out of time before turn {turn + 1}")
            return
        question = QUESTIONS[(user + turn) % len(QUESTIONS)]
        start = time.monotonic()
        first = None
        try:
            job = client.submit(question, history, api_name="/ask")
            last = None
            for output in job:
                last = output
                if first is None and _assistant_text(output).strip():
                    first = time.monotonic() - start
                if time.monotonic() > deadline:
                    job.cancel()
                    raise TimeoutError("the run's time limit passed mid-answer")
            whole = time.monotonic() - start
            if first is None or last is None:
                raise RuntimeError("no answer text arrived")
            history = last[0]
        except Exception as exc:
            with result.lock:
                result.errors.append(f"user {user} turn {turn + 1}: {exc.__class__.__name__}: {exc}")
            return
        with result.lock:
            result.first.append(first)
            result.whole.append(whole)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://127.0.0.1:7860", help="the running `hearth ui` (loopback only)")
    p.add_argument("--users", type=int, default=20, help=f"simultaneous conversations (1-{MAX_USERS})")
    p.add_argument("--turns", type=int, default=2, help=f"questions per conversation (1-{MAX_TURNS})")
    p.add_argument("--max-seconds", type=float, default=600, help=f"stop after this long (up to {MAX_SECONDS})")
    args = p.parse_args(argv)
    check_loopback(args.url)
    if not (1 <= args.users <= MAX_USERS and 1 <= args.turns <= MAX_TURNS and 0 < args.max_seconds <= MAX_SECONDS):
        raise SystemExit(f"load.py: --users 1-{MAX_USERS}, --turns 1-{MAX_TURNS}, --max-seconds up to {MAX_SECONDS}")
    result = Result()
    deadline = time.monotonic() + args.max_seconds
    threads = [
        threading.Thread(target=converse, args=(args.url, u, args.turns, deadline, result), daemon=True)
        for u in range(args.users)
    ]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 30)
    took = time.monotonic() - began
    n = len(result.first)
    print(f"{args.users} users x {args.turns} turns against {args.url}: {n} answers in {took:.1f} s")
    print(f"time to first checked text: p50 {pct(result.first, 0.5):.2f} s, p95 {pct(result.first, 0.95):.2f} s")
    print(f"time to whole answer:       p50 {pct(result.whole, 0.5):.2f} s, p95 {pct(result.whole, 0.95):.2f} s")
    if result.whole:
        print(f"mean answer time {statistics.mean(result.whole):.2f} s")
    print(f"errors: {len(result.errors)}")
    for e in result.errors[:5]:
        print(f"  {e}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
