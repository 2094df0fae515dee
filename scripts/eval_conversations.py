"""Evaluate the coach on multi-turn conversations, and on counsel_chat's long questions.

    .venv/bin/python scripts/eval_conversations.py CONVERSATIONS.jsonl ../shared/eval [--no-counsel]

CONVERSATIONS.jsonl: one conversation per line, {"id": ..., "turns": [{"user": "...", "expect":
[...]}, ...]}; `expect` is article ids (the turn is on topic when the answer cites one of them),
["safety"] (the turn must be routed to safety), ["clarify"] (the coach should ask first),
["smalltalk"] (a short reply, no coaching), or [] (not scored, e.g. the reply to a clarifying
question; that one is scored as "the clarifying question helped" when the answer then cites the
article of the choice).

Reports per-turn topic hit (first turns and follow-ups apart), repeated steps, the clarifying-
question rate and whether it helped, danger routed, reflections written for the message, and
first checked text; then counsel_chat's relationship questions over 120 words (topic hit at 3
through the coach's own retrieval, with plain search as the baseline) and every counsel_chat
topic's hit at 3 through the coach. counsel_chat is for measurement only (../shared/eval/README.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import assistant.offline  # noqa: F401,E402,I001

from assistant.config import Settings  # noqa: E402
from assistant.conversation import Conversation  # noqa: E402
from assistant.services import Services  # noqa: E402
from eval_coach import TOPIC_MAP, load_questions  # noqa: E402

LONG_WORDS = 120
SPECIAL = {"safety", "clarify", "smalltalk"}


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}% ({a}/{b})" if b else "n/a (0)"


def run_conversations(
    svc: Services, path: Path, verbose: bool = False, part: tuple[int, int] = (0, 1), dump: Path | None = None
) -> list[str]:
    """Every conversation (or those with index % n == i for part (i, n)); `dump` gets the counts
    after each conversation, so parts run in parallel can be merged (--merge) and a run stopped
    early still says how far it got."""
    coach = svc.coach
    known = {a.id for a in svc.corpus.articles}
    c: Counter[str] = Counter()
    first_text: list[float] = []
    missing_ids: set[str] = set()
    n_conv = 0
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    for index, line in enumerate(lines):
        if index % part[1] != part[0]:
            continue
        if dump is not None and n_conv:
            dump.write_text(json.dumps({"c": c, "first_text": first_text, "missing": sorted(missing_ids), "n": n_conv}))
        conv_data = json.loads(line)
        n_conv += 1
        if n_conv % 20 == 0:
            print(f"... {n_conv} conversations", file=sys.stderr, flush=True)
        conv = Conversation()
        danger_seen = False
        pending_choice = None
        for i, t in enumerate(conv_data["turns"]):
            expect = list(t.get("expect") or [])
            ans = coach.ask(t["user"], conversation=conv)
            turn = conv.turns[-1]
            if verbose:
                print(f"{conv_data['id']}#{i} {ans.kind:9s} {ans.safety:6s} cited={turn.cited} top3={ans.retrieved[:3]}"
                      f" expect={expect}", file=sys.stderr)  # fmt: skip
            first_text.append(ans.timings.get("first_text_ms", ans.timings["total_ms"]))
            c["turns"] += 1
            c["clarify_asked"] += ans.kind == "clarify"
            earlier = {s for tt in conv.turns[:-1] for s, _ in tt.steps}
            if ans.kind != "repeat":
                c["steps_repeated"] += sum(s in earlier for s, _ in ans.steps)
            c["steps_given"] += len(ans.steps)
            if pending_choice is not None:
                c["clarify_followed"] += 1
                c["clarify_helped"] += ans.kind == "answer" and pending_choice in turn.cited
                pending_choice = None
            if ans.kind == "clarify":
                # the scripted next turn may pick a choice; "helped" = the answer then cites it
                nxt = conv_data["turns"][i + 1]["user"] if i + 1 < len(conv_data["turns"]) else ""
                from assistant.conversation.intent import match_choice

                picked = match_choice(nxt, ans.choices)
                pending_choice = picked.article_id if picked else None
            if ans.kind == "answer":
                c["answers"] += 1
                c[f"reflection_{ans.reflection_source or 'none'}"] += 1
            if expect == ["safety"] or danger_seen:
                if expect == ["safety"]:
                    danger_seen = True
                c["danger_turns"] += 1
                c["danger_routed"] += ans.safety != "none"
                continue
            if ans.safety != "none":
                c["false_safety"] += 1
            if expect == ["smalltalk"]:
                c["smalltalk"] += 1
                c["smalltalk_ok"] += ans.kind in ("smalltalk", "offtopic")
                continue
            if expect == ["clarify"]:
                c["clarify_expected"] += 1
                c["clarify_expected_asked"] += ans.kind == "clarify"
                continue
            if not expect:
                continue
            missing_ids |= {e for e in expect if e not in known and e not in SPECIAL}
            key = "first" if i == 0 else "followup"
            c[f"{key}_turns"] += 1
            cited = set(turn.cited)
            c[f"{key}_hit"] += bool(cited & set(expect))
            c[f"{key}_hit_retrieved3"] += bool(set(ans.retrieved[:3]) & set(expect))
            c[f"{key}_clarified"] += ans.kind == "clarify"
    if dump is not None:
        dump.write_text(json.dumps({"c": c, "first_text": first_text, "missing": sorted(missing_ids), "n": n_conv}))
    return table(c, first_text, missing_ids, n_conv, path.name)


def table(c: Counter[str] | dict, first_text: list[float], missing_ids: set[str], n_conv: int, name: str) -> list[str]:
    c = Counter(c)
    ft = sorted(first_text) or [0.0]
    rows = [
        f"conversations: {n_conv} ({c['turns']} turns) from {name}",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| follow-up turns on topic (answer cites an expected article) | {pct(c['followup_hit'], c['followup_turns'])} | >= 0.90 |",  # noqa: E501
        f"| follow-up turns, an expected article in the top 3 retrieved | {pct(c['followup_hit_retrieved3'], c['followup_turns'])} | |",  # noqa: E501
        f"| first turns on topic (answer cites an expected article) | {pct(c['first_hit'], c['first_turns'])} | |",
        f"| first turns, an expected article in the top 3 retrieved | {pct(c['first_hit_retrieved3'], c['first_turns'])} | |",  # noqa: E501
        f"| topic turns answered with a clarifying question instead (counted as misses above) | {pct(c['first_clarified'] + c['followup_clarified'], c['first_turns'] + c['followup_turns'])} | |",  # noqa: E501
        f"| repeated steps | {c['steps_repeated']} of {c['steps_given']} steps given | 0 |",
        f"| danger turns routed to safety (the disclosing turn and every turn after it) | {pct(c['danger_routed'], c['danger_turns'])} | 100% |",  # noqa: E501
        f"| safety answers on turns with no danger expected | {c['false_safety']} | |",
        f"| clarifying questions asked, share of all turns | {pct(c['clarify_asked'], c['turns'])} | |",
        f"| turns meant for a clarifying question that got one | {pct(c['clarify_expected_asked'], c['clarify_expected'])} | |",  # noqa: E501
        f"| clarifying question helped (the answer after the choice cites the chosen article) | {pct(c['clarify_helped'], c['clarify_followed'])} | |",  # noqa: E501
        f"| small talk / off-topic answered briefly | {pct(c['smalltalk_ok'], c['smalltalk'])} | |",
        f"| reflections written for the message (built from it or the model's, each checked) | {pct(c['reflection_message'] + c['reflection_model'], c['answers'])} | >= 80% |",  # noqa: E501
        f"| - built from the message / the model's / curated / none | {c['reflection_message']} / {c['reflection_model']} / {c['reflection_curated']} / {c['reflection_none']} | |",  # noqa: E501
        f"| first checked text p50 / p95 | {statistics.median(ft):.0f} ms / {ft[int(0.95 * (len(ft) - 1))]:.0f} ms | |",
    ]
    if missing_ids:
        rows += [
            "",
            f"expected article ids not in this knowledge base ({len(missing_ids)}): {', '.join(sorted(missing_ids))}",
        ]
    return rows


def run_counsel(svc: Services, eval_dir: Path, long_only: bool = False) -> list[str]:
    questions, _ = load_questions(eval_dir)
    if long_only:
        questions = [q for q in questions if len(q["query"].split()) > LONG_WORDS]
    coach, index = svc.coach, svc.index
    by_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # coach hits, plain hits, n
    long_rows = [0, 0, 0]
    for q in questions:
        if q["topic"] == "domestic-violence":
            continue
        ans = coach.ask(q["query"], conversation=Conversation())
        plain = {t for h in index.search(q["query"], k=3) for t in h.topics}
        ours = {t for aid in ans.retrieved[:3] if (a := svc.corpus.get(aid)) for t in a.topics}
        want = TOPIC_MAP[q["topic"]]
        hit, base = bool(ours & want), bool(plain & want)
        if ans.safety != "none":
            hit = False  # routed away from coaching: no topic given
        row = by_topic[q["topic"]]
        row[0] += hit
        row[1] += base
        row[2] += 1
        if len(q["query"].split()) > LONG_WORDS:
            long_rows[0] += hit
            long_rows[1] += base
            long_rows[2] += 1
    out = [
        "",
        "counsel_chat relationship subset (all but domestic-violence), topic hit at 3",
        "",
        "| slice | n | coach (conversation retrieval) | plain search (before) | target |",
        "|---|---|---|---|---|",
        f"| questions over {LONG_WORDS} words | {long_rows[2]} | {pct(long_rows[0], long_rows[2])} | {pct(long_rows[1], long_rows[2])} | >= 0.85 |",  # noqa: E501
    ]
    for t in sorted(by_topic):
        r = by_topic[t]
        target = ">= 0.85" if t == "social-relationships" else ">= 0.80"
        out.append(f"| {t} | {r[2]} | {pct(r[0], r[2])} | {pct(r[1], r[2])} | {target} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("conversations", type=Path)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--no-counsel", action="store_true")
    ap.add_argument("--counsel-only", action="store_true", help="only the counsel_chat rows")
    ap.add_argument("--long-only", action="store_true", help="counsel_chat: only the questions over 120 words")
    ap.add_argument("--part", default="0/1", help="i/n: only conversations with index %% n == i")
    ap.add_argument("--dump", type=Path, help="write the counts here after every conversation")
    ap.add_argument("--merge", type=Path, nargs="+", help="print the table of several --dump files and stop")
    ap.add_argument("--verbose", action="store_true", help="one line per turn on stderr")
    args = ap.parse_args()
    if args.merge:
        total: Counter[str] = Counter()
        ft: list[float] = []
        missing: set[str] = set()
        n = 0
        for f in args.merge:
            d = json.loads(f.read_text())
            total.update(d["c"])
            ft += d["first_text"]
            missing |= set(d["missing"])
            n += d["n"]
        print("\n".join(table(total, ft, missing, n, args.conversations.name)))
        return
    i, n_parts = (int(x) for x in args.part.split("/"))
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="hearth-eval-") as tmp:
        svc = Services(Settings(home=Path(tmp) / "home", cache=Settings().cache_dir))
        svc.coach.warm()
        rows = (
            []
            if args.counsel_only
            else run_conversations(svc, args.conversations, args.verbose, (i, n_parts), args.dump)
        )
        if not args.no_counsel:
            rows += run_counsel(svc, args.eval_dir, args.long_only)
    print("\n".join(rows))
    print(f"\n_Total run time {time.time() - t0:.0f} s._")


if __name__ == "__main__":
    main()
