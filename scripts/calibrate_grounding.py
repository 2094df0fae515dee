"""Where do the grounding thresholds come from? From the knowledge base itself.

    .venv/bin/python scripts/calibrate_grounding.py

Positives: every "Try this" step against its own article (the check must accept them), and a
light paraphrase of each (first clause only). Negatives: every step against a random article
that shares none of its topics (the check must refuse them). Prints the acceptance rates of
the thresholds in assistant/grounding.py and a small sweep around them.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import assistant.offline  # noqa: F401,E402,I001

from assistant import grounding  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.services import Services  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        svc = Services(Settings(home=Path(tmp)))
        checker = grounding.GroundingChecker(svc.embedder)
        arts = svc.corpus.articles
        rng = random.Random(3)
        pos, para, neg = [], [], []
        for a in arts:
            others = [b for b in arts if not set(b.topics) & set(a.topics)]
            for step in a.steps:
                pos.append(checker.support(step, a.body))
                clause = step.split(",")[0].rstrip(".") + "."
                if len(clause.split()) >= 6:
                    para.append(checker.support(clause, a.body))
                neg.append(checker.support(step, rng.choice(others).body))

    def rate(items: list[grounding.Support], strong: float, weak: float, overlap: float) -> float:
        ok = [s.cosine >= strong or (s.cosine >= weak and s.overlap >= overlap) for s in items]
        return sum(ok) / len(ok)

    print(f"{len(pos)} steps, {len(para)} first-clause paraphrases, {len(neg)} off-topic pairs\n")
    print("| COS_STRONG | COS_WEAK | OVERLAP_MIN | own step accepted | clause accepted | off-topic accepted |")
    print("|---|---|---|---|---|---|")
    chosen = (grounding.COS_STRONG, grounding.COS_WEAK, grounding.OVERLAP_MIN)
    for strong, weak, overlap in sorted(
        {chosen, (0.6, 0.4, 0.5), (0.8, 0.5, 0.6), (0.72, 0.6, 0.6), (0.65, 0.45, 0.5)}
    ):
        mark = " (chosen)" if (strong, weak, overlap) == chosen else ""
        print(
            f"| {strong}{mark} | {weak} | {overlap} | {rate(pos, strong, weak, overlap):.3f} | "
            f"{rate(para, strong, weak, overlap):.3f} | {rate(neg, strong, weak, overlap):.3f} |"
        )


if __name__ == "__main__":
    main()
