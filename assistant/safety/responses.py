"""The answers the safety layer gives, and the resources (numbers) they carry.

Every template follows the written checklist in knowledge/safety/answer_checklist.yaml (framed on
the dimensions of VERA-MH) and is tested against it: it names what the person said in plain words,
asks directly about immediate safety, gives the region's numbers, encourages reaching a trusted
person and points to the planning article; an abuse answer never carries communication tips, and
no answer minimises.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.safety.screen import DEFAULT_KNOWLEDGE, SafetyResult, _signs
from assistant.safety.signs import SignMap


@dataclass(frozen=True)
class Resource:
    region: str
    kind: str
    name: str
    contact: str
    how: str


@dataclass(frozen=True)
class Resources:
    items: tuple[Resource, ...]
    reviewed: str

    def pick(self, kinds: tuple[str, ...], region: str = "all") -> list[Resource]:
        regions = ("US", "UK-IE", "EU", "international") if region == "all" else (region, "international")
        return [r for r in self.items if r.kind in kinds and r.region in regions]


def load_resources(knowledge_dir: Path) -> Resources:
    data = yaml.safe_load((knowledge_dir / "resources.yaml").read_text(encoding="utf-8"))
    items = tuple(Resource(r["region"], r["kind"], r["name"], str(r["contact"]), r["how"]) for r in data["resources"])
    return Resources(items, str(data.get("reviewed", "")))


_REGION_NAMES = {"US": "United States", "UK-IE": "UK and Ireland", "EU": "European Union", "international": "Anywhere"}
_EMERGENCY = {"all": "911, 999 or 112", "US": "911", "UK-IE": "999 or 112", "EU": "112"}


def _resource_lines(resources: list[Resource]) -> list[str]:
    lines: list[str] = []
    region = None
    for r in resources:
        if r.region != region:
            region = r.region
            lines.append(f"{_REGION_NAMES.get(region, region)}:")
        lines.append(f"- {r.name}: {r.how}")
    return lines


def _said(result: SafetyResult, signs: SignMap, kind: str) -> list[str]:
    """What the person described, in plain words (detector cues carry a sign only when it is sure)."""
    out: list[str] = []
    for c in sorted(result.cues, key=lambda c: (c.source != "rule", -c.score)):
        if not c.sign or c.sign not in signs or signs.kind(c.sign) != kind:
            continue
        phrase = signs[c.sign].said
        if phrase not in out:
            out.append(phrase)
    return out


def _join(items: list[str]) -> str:
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def crisis_response(
    text: str,
    resources: Resources,
    region: str = "all",
    result: SafetyResult | None = None,
    knowledge_dir: Path = DEFAULT_KNOWLEDGE,
) -> str:
    if result is None:
        from assistant.safety.screen import screen

        result = screen(text, knowledge_dir)
    said = _said(result, _signs(knowledge_dir), "crisis")[:2]
    heard = (
        f"Thank you for telling me. You've told me about {_join(said)}, and I'm taking that seriously."
        if said
        else "Thank you for telling me. What you wrote sounds like thoughts of not wanting to be alive, "
        "or of hurting yourself, and I'm taking that seriously."
    )
    parts = [
        heard,
        "I want to ask you directly, because it matters: are you thinking about ending your life, and are "
        "you safe right now?",
        f"If you might act on these thoughts soon, or you have already hurt yourself, call your emergency "
        f"number now ({_EMERGENCY.get(region, _EMERGENCY['all'])}) or go to the nearest emergency department.",
        "",
        "You can reach a trained person at any hour, free and confidential:",
        *_resource_lines(resources.pick(("emergency", "crisis", "directory"), region)),
    ]
    if result.abuse:
        parts += [
            "",
            "Because you also mentioned being hurt, threatened or controlled by someone:",
            *_resource_lines(resources.pick(("abuse",), region)),
        ]
    parts += [
        "",
        "Please reach out to someone you trust today, a friend, a relative or someone you live with, and "
        'tell them plainly: "I\'m not okay and I need you with me." Texting is fine if calling feels hard.',
        "If you can, put distance between yourself and anything you could use to hurt yourself, and stay "
        "near other people for now.",
        "The article 'When you are in crisis: getting help now' (crisis-resources) has these numbers and "
        "steps for getting through the next few minutes and hours.",
        "I'm a program on this computer, not a counsellor, and I can't call anyone for you; but I'm here, "
        "and you can keep talking to me. What is happening for you right now?",
    ]
    return "\n".join(parts)


def abuse_response(
    text: str,
    result: SafetyResult,
    resources: Resources,
    region: str = "all",
    knowledge_dir: Path = DEFAULT_KNOWLEDGE,
) -> str:
    signs = _signs(knowledge_dir)
    said = _said(result, signs, "abuse")
    what = _join(said) if said else "being hurt, threatened or controlled"
    found = set(result.signs())
    parts = [
        f"Thank you for telling me. What you describe, {what}, is not your fault, and it is not something "
        "you caused by how you talk.",
        f"Are you safe right now? If you are in danger, or afraid of what happens next, call your emergency "
        f"number now ({_EMERGENCY.get(region, _EMERGENCY['all'])}).",
        "When a partner hurts, threatens or controls you, better wording is not the answer: abuse is about "
        'power and control, not about communication, and trying to say things "the right way" can keep you '
        "focused on managing their reactions instead of on your safety. For the same reason, specialists "
        "advise against couples counselling where there is abuse.",
    ]
    if "strangulation" in found:
        parts.append(
            "Being choked or strangled is especially dangerous, even when it leaves no marks: please get checked "
            "by a doctor, and tell a specialist service that it happened."
        )
    if found & {"weapons", "threats"}:
        parts.append(
            "Threats to kill and weapons are among the strongest warning signs of serious harm: please take "
            "them seriously."
        )
    parts += [
        "",
        "People who understand this can help you think through your options, confidentially:",
        *_resource_lines(resources.pick(("emergency", "abuse"), region)),
        "",
        "Is there someone you trust, a friend, a relative, a neighbour or a colleague, you could tell what is "
        "happening, and agree a code word with for when you need help?",
        "The article 'Safety planning when you are afraid of a partner' (safety-planning) walks through "
        "practical steps: trusted people, a code word, documents and a bag, and what to do in an emergency.",
        "A note on tech safety: this device, your phone or your accounts may be monitored. Use a device they "
        "cannot access if you can, and the Quick exit button hides this screen at once.",
        "You can keep talking to me here about what is happening, whenever you want.",
    ]
    return "\n".join(parts)


def respond(
    text: str, result: SafetyResult, resources: Resources, region: str = "all", knowledge_dir: Path = DEFAULT_KNOWLEDGE
) -> str:
    if result.level == "crisis":
        return crisis_response(text, resources, region, result, knowledge_dir)
    if result.level == "abuse":
        return abuse_response(text, result, resources, region, knowledge_dir)
    raise ValueError("respond() is only for texts the screen flagged")


# --- patterns that call for care rather than tips (gaslighting, control, monitoring, isolation) ------

PATTERN_WORDS = {
    "gaslighting": "having your memory of what happened, or your feelings, repeatedly denied",
    "controlling": "a partner controlling or checking on what you do",
    "isolation": "being kept away from the people close to you",
}
PATTERN_ARTICLES = (
    ("coercive-control", "Coercive control: abuse without bruises"),
    ("what-is-abuse", "What abuse is, and what it is not"),
    ("safety-planning", "Safety planning when you are afraid of a partner"),
)


@lru_cache(maxsize=4)
def _check(knowledge_dir: Path) -> tuple[str, tuple[str, ...]]:
    data = yaml.safe_load((knowledge_dir / "safety" / "check.yaml").read_text(encoding="utf-8"))
    return str(data["intro"]), tuple(str(q) for q in data["questions"])


def concern_response(
    patterns: list[str], resources: Resources, region: str = "all", knowledge_dir: Path = DEFAULT_KNOWLEDGE
) -> str:
    """The answer to a question that describes gaslighting, control, monitoring or isolation: name it
    gently, cite the articles on it, offer the safety check; no steps that ask for more doubt or
    accommodation. Citations [n] refer to PATTERN_ARTICLES in order."""
    named = [PATTERN_WORDS[p] for p in patterns if p in PATTERN_WORDS] or [PATTERN_WORDS["controlling"]]
    intro, questions = _check(knowledge_dir)
    parts = [
        f"What you describe sounds like {_join(named)}. That can be confusing and wearing, and what you "
        "have noticed is worth taking seriously.",
        "When this is a pattern, advice to doubt what you remember, or to do even more to keep the peace, "
        "can make it worse, so I won't suggest steps like that here.",
        "It can help to keep your own notes of what happened, somewhere private, and to talk it over with "
        "someone you trust outside the relationship.",
        "",
        "These articles explain the pattern and how to tell it apart from ordinary disagreement:",
        *[f"- {title} [{i}]" for i, (_, title) in enumerate(PATTERN_ARTICLES, 1)],
        "",
        intro,
        *[f"- {q}" for q in questions],
        "",
        "If any of these is a yes, or you feel afraid, you can talk to someone confidentially:",
        *_resource_lines(resources.pick(("emergency", "abuse"), region)),
        "",
        "Sources:",
        *[f"[{i}] {title} ({aid})" for i, (aid, title) in enumerate(PATTERN_ARTICLES, 1)],
    ]
    return "\n".join(parts)
