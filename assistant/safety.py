"""Danger first: a deterministic crisis and abuse screen that runs before any model call.

One detector serves the coach (every question) and the journal classifier (abuse_risk and
self_harm_risk). It is made of cue patterns, tuned for recall: a miss is worse than a false
alarm. Idioms that merely contain a trigger word ("this commute is killing me", "I could murder
a pizza", a film about suicide) are neutralised first, and a plain negation right before a cue
("I'm not suicidal", "he has never hit me") cancels that cue, but only that one.

The answers it produces carry resources (numbers) from knowledge/resources.yaml and never
contain communication tips: abuse is not a communication problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

Level = Literal["none", "abuse", "crisis"]

_SENT = re.compile(r"(?<=[.!?;])\s+|\n+")

# Idioms and harmless uses, removed before matching. Each is a phrase a person uses without
# any danger in it; removing it (rather than ignoring the whole sentence) keeps a real cue in
# the same sentence visible.
_HARMLESS = [
    r"\b(?:is|are|was|were|'s|'re)\s+(?:\w+\s+){0,2}killing me\b",
    r"\bkilling (?:me|my (?:knees|back|feet|vibe|buzz|mood|legs))\b(?!\s+(?:is|was)\b)",
    r"\b(?:could|would|'d) (?:kill|murder) (?:for )?(?:a|an|some|the)\s+\w+",
    r"\b(?:kill|killed|killing|murder|murdered|murdering) (?:the|that|this|a|our|my|his|her) "
    r"(?:houseplant|plant|plants|vibe|mood|pizza|cake|slice|bottle|game|boss|level|lights?|engine|"
    r"conversation|joke|song|time|deadline|show|episode|leftovers|snacks?|bugs?|spider|weeds?|"
    r"battery|party|buzz)\w*",
    r"\b(?:dying|die) (?:to|for) (?:a|an|some|the|meet|see|try|know|go|get|hear|tell|watch)\b",
    r"\bi(?:'d| would) die for (?:a|an|some|the)\b",
    r"\b(?:almost|nearly|literally) died (?:laughing|of (?:laughter|embarrassment|shame))\b",
    r"\bdied (?:laughing|of (?:laughter|embarrassment))\b",
    r"\bdead (?:tired|serious|funny|battery|end|on|set|wrong|easy)\b",
    r"\b(?:i'm|i am|we're|we are) dead(?: tired)?\b(?= after| from|\.)",
    r"\b(?:film|movie|documentary|series|show|book|novel|play|podcast|episode|article|song|"
    r"lecture|class|course|essay)\s+(?:\w+\s+){0,3}(?:about|on|covering|depicting)\s+(?:\w+\s+){0,2}"
    r"(?:suicide|abuse|domestic violence|self[- ]harm|murder|violence)\b",
    r"\bsuicide (?:prevention|awareness|squad|doors?|run|mission)\b",
    r"\bkiller (?:app|workout|idea|view|heels|outfit|deal|song|burger|instinct)\b",
    r"\b(?:pillow|snowball|water|food|tickle|nerf|play) fights?\b",
    r"\bpossessive (?:about|over|of) (?:his|her|their|my) (?:\w+ ){0,2}(?:guitar|car|bike|"
    r"remote|phone charger|mug|chair|side of the bed|records|books|games|console|tools|dog|cat|"
    r"plants|kitchen|coffee|snacks|fries|desk|spot)\b",
    r"\bthreaten(?:s|ed|ing)? to (?:make me (?:watch|listen|eat|sing|dance|play)|sing|cook|"
    r"bake|rearrange|sell (?:his|her|my|the|our) \w+|binge|tickle|dance|start (?:singing|a)|"
    r"cancel (?:netflix|our subscription)|show (?:the|my|our) (?:baby|embarrassing)|"
    r"tell my mum about (?:the|my) (?:cake|gift))\b",
    r"\bslave ?driver\b",
    r"\bpush(?:ed|es|ing)? me (?:to|into) (?:apply|try|go|do|be|take|call|see|start|get|join|"
    r"finish|make|eat|sign|run|exercise|study|open|talk)\b",
    r"\bshot (?:of (?:espresso|tequila|whiskey|vodka)|a (?:photo|video|message))\b",
    r"\bknock(?:ed|s)? (?:it|them|'em) dead\b",
    r"\bkill(?:ed|s)? it\b(?! myself)",
    r"\b(?:my|the|our) (?:phone|laptop|battery|car|plant|goldfish|tv|printer) (?:is|was|just) "
    r"(?:dying|dead|died)\b",
    r"\bbeat (?:me|him|her|us) (?:at|in) (?:\w+ ){0,2}(?:chess|cards|tennis|scrabble|monopoly|"
    r"mario ?kart|game|games|racing|running|trivia|quiz|golf|pool|darts|poker|the race)\b",
    r"\b(?:hit|hits|hitting) (?:me|us) (?:up|with a (?:pillow|joke|question|surprise))\b",
    r"\bhit (?:it off|the (?:gym|road|shops|hay|sack|books|spot|jackpot))\b",
    r"\bgrab(?:bed|s)? (?:a |some )?(?:coffee|lunch|dinner|drinks?|food|breakfast|brunch)\b",
]
_HARMLESS_RE = re.compile("|".join(_HARMLESS), re.IGNORECASE)

_PARTNER = (
    r"(?:he|she|they|him|her|them|my (?:partner|husband|wife|boyfriend|girlfriend|bf|gf|fianc[eé]e?|"
    r"spouse|ex|other half|man|girl|wife's|husband's)|partner|husband|wife|boyfriend|girlfriend)"
)
_HIM = r"(?:him|her|them|my (?:partner|husband|wife|boyfriend|girlfriend|bf|gf|spouse|ex)|what (?:he|she|they)(?:'ll| will| might| would)? ?do)"
_VIOLENT_VERB = (
    r"(?:hit|hits|hitting|punch(?:es|ed|ing)?|slap(?:s|ped|ping)?|kick(?:s|ed|ing)?|"
    r"chok(?:e|es|ed|ing)|strangl(?:e|es|ed|ing)|shov(?:e|es|ed|ing)|push(?:es|ed|ing)?|"
    r"grab(?:s|bed|bing)?|pinn?(?:ed|s|ing)? (?:me )?(?:down|against)|beat(?:s|en|ing)?|"
    r"bit(?:e|es|ing)?|spat|spit(?:s)? on|hurt(?:s|ing)?|smack(?:s|ed)?|shak(?:e|es|ing)|shook|"
    r"drag(?:s|ged)?|yank(?:s|ed)?|throttl(?:e|ed|es)|headbutt(?:s|ed)?|burn(?:s|ed)?|squeez(?:e|es|ed))"
)

# (category, pattern, negatable). Categories: crisis, violence, threat, fear, sexual, control,
# children. `negatable` patterns are cancelled by a negation right before them.
_CUES: list[tuple[str, str, bool]] = [
    # --- crisis: suicidal thoughts, self-harm, plans or means (direct and indirect) ----------
    ("crisis", r"\bsuicid(?:al|e)\b", True),
    ("crisis", r"\bkill(?:ing)? myself\b", True),
    ("crisis", r"\bend(?:ing)? (?:it all|my life|my own life|things|everything|it)\b(?! with (?:him|her|them))(?! between)", True),
    ("crisis", r"\btak(?:e|ing) my (?:own )?life\b", True),
    ("crisis", r"\b(?:want|wanted|wanting|wish|wishing|going|ready|plan(?:ning)?) to die\b", True),
    ("crisis", r"\bwish(?:ed)? (?:i (?:was|were|had been)|to be) (?:dead|gone|never born)\b", False),
    ("crisis", r"\b(?:i'd|i would|everyone would|they(?:'d| would)|she(?:'d| would)|he(?:'d| would)|"
     r"my (?:family|kids|partner|wife|husband) would|the world would|people would) be "
     r"(?:better|happier|lighter|fine|freer|relieved)(?: off)? (?:dead|without me|if i (?:was|were)n't|"
     r"if i (?:was|were) gone|if i disappeared|once i'?m gone)", False),
    ("crisis", r"\bbetter off (?:dead|without me)\b", False),
    ("crisis", r"\b(?:lighter|easier|simpler) (?:for everyone |for them )?without me\b", False),
    ("crisis", r"\b(?:no|not any|don'?t see (?:the|any)|can'?t see (?:the|any)|what'?s the) "
     r"(?:point|reason) (?:in |of |to )?(?:living|going on|being alive|life|waking up|"
     r"getting up|carrying on|staying|trying anymore|anything anymore|me being here|it all)", False),
    ("crisis", r"\bno reason to (?:live|stay|go on|keep going)\b", False),
    ("crisis", r"\b(?:don'?t|do not|no longer) want to (?:be alive|live|exist|be here|wake up|"
     r"go on|keep going|be around|do this anymore|be on this earth)\b", False),
    ("crisis", r"\b(?:not|never) (?:to )?wake up\b", False),
    ("crisis", r"\b(?:go to )?sleep (?:and (?:not|never) wake|forever)\b", False),
    ("crisis", r"\b(?:disappear|vanish|cease to exist|stop existing) (?:forever|for good|permanently)\b", False),
    ("crisis", r"\bwant(?:ed)? to (?:disappear|vanish|stop existing|not exist|not be here)\b", False),
    ("crisis", r"\b(?:can'?t|cannot) (?:go on|keep going|do this anymore|take (?:it|this) anymore|"
     r"live like this|keep living)\b", False),
    ("crisis", r"\btired of (?:living|being alive|existing|life)\b", False),
    ("crisis", r"\b(?:hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?|burn(?:ing)?|punish(?:ing)?|"
     r"starv(?:e|ing)) myself\b", True),
    ("crisis", r"\bself[- ]?harm(?:ing|ed)?\b", True),
    ("crisis", r"\b(?:relapsed|started|started again) (?:on )?(?:cutting|self[- ]harm)", False),
    ("crisis", r"\boverdos(?:e|ed|ing)\b", True),
    ("crisis", r"\b(?:how many|enough|stockpil\w*|sav(?:e|ing|ed) up|hoard\w*|collect\w*) (?:of )?"
     r"(?:my |the |these )?(?:pills|tablets|sleeping pills|painkillers|meds|medication)\b", False),
    ("crisis", r"\bpills? (?:to|that would) (?:end|sleep forever|not wake)", False),
    ("crisis", r"\b(?:giv(?:e|ing)|gave) (?:away )?(?:all )?(?:of )?my (?:things|stuff|belongings|"
     r"possessions|books|clothes|guitar|cat|dog|plants)(?: away)?\b", False),
    ("crisis", r"\b(?:goodbye|suicide|farewell) (?:letters?|notes?|messages?|videos?)\b", False),
    ("crisis", r"\bwr(?:ote|ite|iting) (?:a |my )?(?:letters?|notes?) (?:to|for) (?:everyone|my (?:family|kids|"
     r"parents|mum|mom|dad|sister|brother))\b(?=.*(?:in case|when i'?m gone|after|goodbye|explain))", False),
    ("crisis", r"\b(?:tallest|highest) (?:bridges?|buildings?|cliffs?|car parks?|parking (?:garages?|structures?)|"
     r"towers?|rooftops?)\b", False),
    ("crisis", r"\bjump(?:ing)? (?:off|from|in front of)\b", True),
    ("crisis", r"\bhang(?:ing)? myself\b", True),
    ("crisis", r"\b(?:buy|bought|get|got|have) (?:a )?(?:gun|rope|razor|blades?)\b(?=.*(?:myself|end|"
     r"pain|gone|die|for me))", False),
    ("crisis", r"\bnobody (?:would|will|'d) (?:miss|notice|care)(?: if i| me| about me| when i)", False),
    ("crisis", r"\bno one (?:would|will|'d) (?:miss|notice|care)(?: if i| me| about me| when i)", False),
    ("crisis", r"\b(?:i'?m|i am|feel like) (?:just )?a burden (?:to|on) (?:everyone|everybody|"
     r"my (?:family|partner|kids|friends)|them|him|her)\b", False),
    ("crisis", r"\bwon'?t be (?:around|here) (?:much longer|for long|anymore|next (?:week|month|year))\b", False),
    ("crisis", r"\b(?:make|made|making) (?:the )?(?:final )?(?:arrangements|my will)\b(?=.*(?:gone|"
     r"not be|won'?t|soon|just in case))", False),
    ("crisis", r"\b(?:end|stop) the pain (?:for good|forever|permanently)\b", False),
    ("crisis", r"\bwant (?:it|everything) (?:all )?to (?:stop|end)\b(?! between)", False),
    ("crisis", r"\b(?:life|living) (?:isn'?t|is not|isnt) worth (?:it|living)\b", False),
    ("crisis", r"\b(?:thinking|thought|think|dream(?:ing)?) (?:about|of) (?:death|dying|not being here|"
     r"ending it|my funeral|being dead)\b", False),
    ("crisis", r"\blast (?:goodbye|time (?:you'?ll|anyone will) (?:hear|see) (?:from )?me)\b", False),
    ("crisis", r"\bunalive\b", True),
    # --- abuse: physical violence ---------------------------------------------------------
    ("violence", rf"\b{_PARTNER} (?:\w+ ){{0,3}}{_VIOLENT_VERB} (?:me|my|us|the kids|our|at me|into me)\b", True),
    ("violence", r"\b(?:hits|hit|punched|slapped|kicked|choked|strangled|shoved|beat|beats) me\b", True),
    ("violence", r"\bgrab(?:s|bed|bing)? (?:me by )?(?:my|me by the) (?:wrist|wrists|arm|arms|hair|neck|throat|face|jaw|shoulders?)\b", True),
    ("violence", r"\bthr(?:ew|ows|owing) (?:a |the |his |her |my )?\w+ at (?:me|my head|us)\b", True),
    ("violence", r"\b(?:put|puts|putting) (?:his|her|their) hands? (?:on|around) (?:me|my (?:neck|throat))\b", True),
    ("violence", r"\b(?:bruises?|bruised|black eye|split lip|broken (?:rib|nose|wrist))\b", False),
    ("violence", r"\b(?:domestic (?:violence|abuse)|abusive (?:partner|relationship|husband|wife|boyfriend|"
     r"girlfriend|ex)|(?:is|being|was) abusive|abus(?:es|ed|ing) me)\b", True),
    ("violence", r"\bgets? (?:physical|violent|rough) (?:with me|when)\b", True),
    ("violence", r"\b(?:so|to) (?:he|she|they) (?:stops?|won'?t|doesn'?t|don'?t) (?:hitting|hit|hurting|hurt|grab\w*|"
     r"push\w*|shov\w*|chok\w*|slap\w*|kick\w*|throw\w*)", False),
    ("violence", r"\b(?:stops?|stop) (?:hitting|hurting|grabbing|choking|slapping|kicking|shoving|pushing) me\b", False),
    # --- abuse: threats and intimidation ---------------------------------------------------
    ("threat", r"\bthreat(?:en|ens|ened|ening)? (?:to )?(?:kill|hurt|harm|beat|hit|take|leave with|"
     r"report|deport|call immigration|out me|post|share|ruin|destroy|burn|get rid of|end)\b", True),
    ("threat", r"\b(?:threatens|threatened|threatening) (?:me|my|us|the kids|to)\b(?! make me)", True),
    ("threat", r"\b(?:he|she|they)(?:'ll| will| would|'d) (?:kill|hurt) (?:me|us|himself|herself|the kids|"
     r"my (?:dog|cat|kids|children))\b", False),
    ("threat", r"\b(?:punch(?:es|ed)?|kick(?:s|ed)?|smash(?:es|ed)?|slam(?:s|med)?) (?:a |the |holes in the )?"
     r"(?:walls?|doors?|table|things|my (?:phone|things|stuff))\b", False),
    ("threat", r"\b(?:block(?:s|ed|ing)?|stand(?:s|ing)? in) (?:the )?(?:door|doorway|exit|way out)\b", False),
    ("threat", r"\b(?:won'?t|wouldn'?t|doesn'?t|didn'?t) let me (?:leave|out|go out|out of the (?:house|room|car))\b", False),
    ("threat", r"\block(?:s|ed)? me (?:in|out)\b", False),
    ("threat", r"\b(?:take|took|takes) (?:away )?(?:the kids|the children|my kids|my children)\b(?=.*(?:if|leave|away))", False),
    ("threat", r"\b(?:if i (?:leave|left|tell|told)|when i (?:try to )?leave),? (?:he|she|they)(?:'ll| will| would|'d| said)", False),
    ("threat", r"\b(?:weapon|knife|gun)\b(?=.*\b(?:he|she|they|partner|husband|wife|boyfriend|girlfriend)\b)", False),
    ("threat", r"\b(?:he|she|they|partner|husband|wife|boyfriend|girlfriend)\b.*\b(?:knife|gun|weapon)\b", False),
    # --- abuse: fear of the partner -------------------------------------------------------
    ("fear", rf"\b(?:afraid|scared|terrified|frightened|fearful) (?:of|for) {_HIM}", True),
    ("fear", r"\b(?:afraid|scared|terrified|frightened) (?:to (?:go home|leave|tell (?:him|her|them)|"
     r"say no|disagree|upset (?:him|her|them)|make (?:him|her|them) angry))", True),
    ("fear", r"\b(?:scared|afraid|terrified) (?:of )?what (?:he|she|they)(?:'ll| will|'d| would| might)? (?:do|say)\b", True),
    ("fear", r"\bwalk(?:ing)? on eggshells\b", False),
    ("fear", r"\bplan (?:my|our) (?:day|days|life|evenings?|week|schedule) around (?:his|her|their) (?:mood|moods|temper|anger)\b", False),
    ("fear", r"\b(?:his|her|their) (?:temper|rage|anger|moods?) (?:scares?|terrif\w+|frighten\w*)\b", False),
    ("fear", r"\bsleep(?:s|ing)? with (?:my |the )?(?:car )?keys\b", False),
    ("fear", r"\b(?:keep|keeps|kept|have|packed) (?:a |my )?(?:bag|go[- ]bag) (?:packed|ready|hidden)\b", False),
    ("fear", r"\b(?:hide|hid|hiding) (?:from (?:him|her|them)|in the (?:bathroom|bedroom|car))\b", False),
    ("fear", r"\b(?:not|don'?t) feel safe (?:at home|with (?:him|her|them|my partner)|in my (?:own )?home)\b", False),
    ("fear", r"\bfear for my (?:life|safety)\b", False),
    ("fear", r"\b(?:calm|placate|appease|keep) (?:him|her|them) (?:down|calm|happy) (?:so|before|or else)\b", False),
    ("fear", r"\bso (?:he|she|they) (?:doesn'?t|don'?t|won'?t) (?:explode|blow up|get angry|lose it|snap|rage|go off)\b", False),
    ("fear", r"\b(?:police|restraining order|protective order|protection order|refuge|shelter)\b", False),
    # --- abuse: sexual coercion -----------------------------------------------------------
    ("sexual", r"\b(?:force[sd]?|forcing|pressur(?:e|es|ed|ing)|guilt(?:s|ed)?|coerc\w*|made|makes) me "
     r"(?:into |to )?(?:have )?(?:sex|sexual|do (?:sexual )?things|sleep with)", True),
    ("sexual", r"\b(?:doesn'?t|won'?t|didn'?t) (?:take|accept|stop (?:at|when i say)) no\b", False),
    ("sexual", r"\bwhen i (?:said|say) no\b(?=.*(?:anyway|kept going|didn'?t stop|sex|angry|sulk|punish))", False),
    ("sexual", r"\b(?:rape|raped|raping|sexual(?:ly)? (?:assault|abuse)\w*)\b", True),
    ("sexual", r"\bwhile i (?:was|am) (?:asleep|sleeping|drunk|passed out)\b(?=.*(?:touch|sex|undress))", False),
    # --- abuse: threats to children or pets ------------------------------------------------
    ("children", r"\b(?:hurt|hit|kick|kicked|kicks|hits|harm|threaten\w*|drown|get rid of) (?:the|my|our) "
     r"(?:dog|cat|puppy|kitten|pet|pets|kids|children|son|daughter|baby)\b(?!.*\b(?:toy|game)\b)", True),
    # --- coercive control ---------------------------------------------------------------------
    ("control", r"\b(?:take|takes|took|taking|keeps?|kept|controls?|controlled|holds?) (?:all )?(?:of )?"
     r"(?:my|the) (?:wages|paycheck|pay|salary|money|bank card|cards|passport|phone|keys|documents|id)\b(?!.*\b(?:to help|for safekeeping i asked)\b)", False),
    ("control", r"\b(?:not allowed|isn'?t allowed|am not allowed|won'?t let me|doesn'?t let me|forbid(?:s|den)? me)"
     r" (?:to )?(?:see|visit|talk to|call|text|go|wear|work|have|leave|drive|spend|eat|sleep|use)\b", False),
    ("control", r"\b(?:track(?:s|ed|ing)?|monitor(?:s|ed|ing)?|spy(?:ing)? on|spies on) (?:my|me|where i)\b", False),
    ("control", r"\b(?:reads?|checks?|goes through|went through) (?:all )?(?:of )?my (?:phone|messages|texts|"
     r"emails|email|dms)\b(?=.*(?:every|always|constantly|demands|makes me|each|nightly|without))", False),
    ("control", r"\b(?:demands|makes me (?:give|hand|share)|insists on) (?:my )?(?:passwords?|passcodes?|"
     r"phone|location)\b", False),
    ("control", r"\b(?:cut|cuts|cutting) me off from (?:my )?(?:friends|family|everyone|my (?:mum|mom|dad|parents|sister|brother))\b", False),
    ("control", r"\bhas to approve (?:what|who|where|everything|my)\b", False),
]

_CUES_RE = [(cat, re.compile(p, re.IGNORECASE), neg) for cat, p, neg in _CUES]
_NEGATION = re.compile(
    r"\b(?:not|never|no longer|don'?t|doesn'?t|didn'?t|isn'?t|wasn'?t|won'?t|wouldn'?t|hasn'?t|"
    r"haven'?t|nobody|no one|stopped)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# "I'm not sure I want to die" keeps the cue: hedges are not denials.
_HEDGE = re.compile(r"\bnot (?:sure|certain)\b|\bdon'?t know\b", re.IGNORECASE)
_HYPOTHETICAL_MEDIA = re.compile(r"\b(?:character|protagonist|in the (?:film|movie|book|show))\b", re.I)


@dataclass(frozen=True)
class Cue:
    category: str
    text: str
    sentence: int
    start: int
    end: int


@dataclass
class SafetyResult:
    level: Level
    cues: list[Cue] = field(default_factory=list)

    @property
    def crisis(self) -> bool:
        return any(c.category == "crisis" for c in self.cues)

    @property
    def abuse(self) -> bool:
        return any(c.category != "crisis" for c in self.cues)

    def categories(self) -> set[str]:
        return {c.category for c in self.cues}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text) if s and s.strip()]


def _neutralise(sentence: str) -> str:
    # Replace idioms with spaces of the same length so character offsets stay valid.
    return _HARMLESS_RE.sub(lambda m: " " * len(m.group(0)), sentence)


def screen(text: str) -> SafetyResult:
    """Deterministic crisis/abuse screen. Crisis outranks abuse when both are present."""
    cues: list[Cue] = []
    for i, sent in enumerate(sentences(text)):
        clean = _neutralise(sent.replace("’", "'"))
        for cat, rx, negatable in _CUES_RE:
            for m in rx.finditer(clean):
                if negatable:
                    before = clean[max(0, m.start() - 40) : m.start()]
                    if _NEGATION.search(before) and not _HEDGE.search(before):
                        continue
                if cat == "crisis" and _HYPOTHETICAL_MEDIA.search(clean) and "i " not in clean.lower()[: m.start()]:
                    continue
                cues.append(Cue(cat, sent[m.start() : m.end()], i, m.start(), m.end()))
    level: Level = "none"
    if any(c.category == "crisis" for c in cues):
        level = "crisis"
    elif cues:
        level = "abuse"
    return SafetyResult(level, cues)


# --- resources and responses -----------------------------------------------------------------


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
    items = tuple(
        Resource(r["region"], r["kind"], r["name"], str(r["contact"]), r["how"]) for r in data["resources"]
    )
    return Resources(items, str(data.get("reviewed", "")))


_REGION_NAMES = {"US": "United States", "UK-IE": "UK and Ireland", "EU": "European Union",
                 "international": "Anywhere"}  # fmt: skip


def _resource_lines(resources: list[Resource]) -> list[str]:
    lines: list[str] = []
    region = None
    for r in resources:
        if r.region != region:
            region = r.region
            lines.append(f"{_REGION_NAMES.get(region, region)}:")
        lines.append(f"- {r.name}: {r.how}")
    return lines


def crisis_response(text: str, resources: Resources, region: str = "all") -> str:
    picked = resources.pick(("emergency", "crisis", "directory"), region)
    also_abuse = screen(text).abuse
    parts = [
        "Thank you for telling me. It sounds like you are carrying something really heavy right now, "
        "and I'm glad you said it out loud.",
        "You deserve support right now, from a real person who can be with you in this. "
        "If you might act on these thoughts, or you are in danger, please call your local emergency "
        "number now.",
        "",
        "You can reach someone at any hour:",
        *_resource_lines(picked),
    ]
    if also_abuse:
        parts += ["", "Because you also mentioned being hurt or threatened:",
                  *_resource_lines(resources.pick(("abuse",), region))]  # fmt: skip
    parts += [
        "",
        "If it feels hard to call, texting is fine, and so is telling someone you trust, "
        "\"I'm not okay and I need you with me.\"",
        "I'm still here, and you can keep talking to me: what is happening for you right now?",
    ]
    return "\n".join(parts)


def abuse_response(text: str, result: SafetyResult, resources: Resources, region: str = "all") -> str:
    cats = result.categories()
    named = []
    if "violence" in cats:
        named.append("being physically hurt")
    if "threat" in cats:
        named.append("threats and intimidation")
    if "fear" in cats:
        named.append("living in fear of your partner's reactions")
    if "sexual" in cats:
        named.append("being pressured or forced sexually")
    if "children" in cats:
        named.append("threats toward children or pets")
    if "control" in cats:
        named.append("having your money, movements or contacts controlled")
    what = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1] if named else "harm"
    picked = resources.pick(("emergency", "abuse"), region)
    parts = [
        f"What you describe, {what}, is not your fault, and it is not something you caused by how you talk.",
        "When a partner hurts, threatens or controls you, better wording is not the answer: "
        "abuse is about power and control, not about communication, and trying to say things "
        "\"the right way\" can keep you focused on managing their reactions instead of on your safety. "
        "For the same reason, specialists advise against couples counselling where there is abuse.",
        "",
        "People who understand this can help you think through your options, confidentially:",
        *_resource_lines(picked),
        "",
        "If you are in immediate danger, call your emergency number (911, 999 or 112).",
        "The article 'Safety planning when you are afraid of a partner' (safety-planning) walks "
        "through practical steps: trusted people, a code word, documents and a bag, and what to do "
        "in an emergency.",
        "A note on tech safety: this device, your phone or your accounts may be monitored. Use a device "
        "they cannot access if you can, and the Quick exit button hides this screen at once.",
        "You can keep talking to me here about what is happening, whenever you want.",
    ]
    return "\n".join(parts)


def respond(text: str, result: SafetyResult, resources: Resources, region: str = "all") -> str:
    if result.level == "crisis":
        return crisis_response(text, resources, region)
    if result.level == "abuse":
        return abuse_response(text, result, resources, region)
    raise ValueError("respond() is only for texts the screen flagged")
