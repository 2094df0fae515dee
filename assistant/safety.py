"""Danger first: a deterministic crisis and abuse screen that runs before any model call.

One detector serves the coach (every question) and the journal classifier (abuse_risk and
self_harm_risk). It is made of cue patterns, tuned for recall: a miss is worse than a false
alarm. Idioms that merely contain a trigger word ("this commute is killing me", "I could murder
a pizza", a film about suicide) are neutralised first, and a plain negation right before a cue
("I'm not suicidal", "he has never hit me") cancels that cue, but only that one.

Cues come in two strengths. A strong cue routes on its own ("I want to die", "he hit me").
A weak cue is a piece of indirect evidence that is common in harmless text too ("I've updated
my will", "I hear his key in the door and my stomach drops"); it only counts when a second,
different weak cue of the same kind (crisis or abuse) is in the same text, or when a strong cue
of that kind already routed it. Indirect crisis talk usually stacks several such signals.

The answers it produces carry resources (numbers) from knowledge/resources.yaml and never
contain communication tips: abuse is not a communication problem.
"""

from __future__ import annotations

import re
from bisect import bisect_right
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
    # "killing me", "could murder a pizza", "kill the lights": hyperbole and objects
    r"\b(?:is|are|was|were|'s|'re)\s+(?:\w+\s+){0,2}killing (?:me|us)\b",
    r"\bkilling (?:me|my (?:knees|back|feet|vibe|buzz|mood|legs))\b(?!\s+(?:is|was)\b)",
    r"\b(?:could|would|'d) (?:kill|murder) (?:for )?(?:a|an|some|the)\s+\w+",
    r"\b(?:kill|killed|killing|murder|murdered|murdering) (?:the|that|this|a|our|my|his|her) "
    r"(?:houseplant|plant|plants|vibe|mood|pizza|cake|slice|bottle|game|boss|level|lights?|engine|"
    r"conversation|joke|song|time|deadline|show|episode|leftovers|snacks?|bugs?|spider|weeds?|"
    r"battery|party|buzz)\w*",
    # "she'll kill me for telling you", "he'd kill me if I spoiled the finale": playful
    # exasperation. Leaving, telling someone or calling for help after it stays a threat.
    r"\b(?:'ll|will|'d|would|is going to|'s going to|gonna) (?:literally )?kill me (?:for|if i|when i)\b"
    r"(?! (?:i )?(?:ever |even )?(?:leave|left|leaving|go to|went to|call|called|tell (?:anyone|anybody|the|my|people)|"
    r"told (?:anyone|the|my)|cheat|see (?:him|her|them|my|other)|talk to|try|tried|report))",
    r"\b(?:dying|die) (?:to|for) (?:a|an|some|the|meet|see|try|know|go|get|hear|tell|watch|move)\b",
    r"\bi(?:'d| would) die for (?:a|an|some|the)\b",
    r"\b(?:i'?d|i would) rather die than (?!(?:live|be without|go on|lose|carry on|be alone|go back))\w+",
    r"\b(?:die|died|dying|dies) (?:of|from) (?:laughter|laughing|embarrassment|shame|boredom|cringe|"
    r"cuteness|jealousy|envy|curiosity)\b",
    r"\b(?:almost|nearly|literally) died (?:laughing|of (?:laughter|embarrassment|shame))\b",
    r"\bdied laughing\b",
    r"\b(?:going to|gonna|will|'ll) be the (?:death|end) of me\b",
    r"\bmy (?:legs|feet|knees|back|arms|body|brain|muscles|phone|laptop|battery|plants?) (?:\w+ )?wants? to die\b",
    r"\bdead (?:tired|serious|funny|battery|end|on|set|wrong|easy)\b",
    r"\b(?:i'm|i am|we're|we are) dead(?: tired)?\b(?= after| from|\.)",
    # talking about media, campaigns and work on the subject
    r"\b(?:film|movie|documentary|series|show|book|novel|play|podcast|episode|article|song|"
    r"lecture|class|course|essay)\s+(?:\w+\s+){0,3}(?:about|on|covering|depicting)\s+(?:\w+\s+){0,2}"
    r"(?:suicide|abuse|domestic violence|self[- ]harm|murder|violence)\b",
    r"\bsuicide (?:prevention|awareness|squad|doors?|run|mission)\b",
    r"\bkiller (?:app|workout|idea|view|heels|outfit|deal|song|burger|instinct|week|day|month)\b",
    # play fights, pets and babies, hugs and hand-holding
    r"\b(?:pillow|snowball|water|food|tickle|nerf|play|playful) fights?\b",
    r"\b(?:cat|dog|kitten|puppy|hamster|rabbit|horse|baby|bump|toddler|parrot|bird)(?:'s)? (?:\w+ )?"
    r"(?:kicked|kicks|kicking|bit|bites|biting|scratched|scratches|scratching|hit|hits|headbutted) me\b",
    r"\b(?:squeez|held|hold|holds|holding|took|takes|taking|grabbed|grabs|kissed|kisses|stroked)\w* my hand\b",
    r"\bpossessive (?:about|over|of) (?:his|her|their|my) (?:\w+ ){0,2}(?:guitar|car|bike|"
    r"remote|phone charger|mug|chair|side of the bed|records|books|games|console|tools|dog|cat|"
    r"plants|kitchen|coffee|snacks|fries|desk|spot)\b",
    # joking threats ("threatened to make me watch her musical", "jokingly threatened")
    r"\bthreaten(?:s|ed|ing)? to (?:make me (?:watch|listen|eat|sing|dance|play)|sing|cook|"
    r"bake|rearrange|sell (?:his|her|my|the|our) \w+|binge|tickle|dance|start (?:singing|a)|"
    r"cancel (?:netflix|our subscription)|show (?:the|my|our) (?:baby|embarrassing)|"
    r"tell my mum about (?:the|my) (?:cake|gift))\b",
    r"\bjok(?:ed|es|ing|ingly)(?: that)? (?:he|she|they|i)(?:'d|'ll| would| will| might)? \w+",
    r"\b(?:jokingly|playfully|teasingly|half-jokingly) (?:\w+ )?threat\w*(?: (?:to|me))?",
    r"\bslave ?driver\b",
    r"\bpush(?:ed|es|ing)? me (?:to|into) (?:apply|try|go|do|be|take|call|see|start|get|join|"
    r"finish|make|eat|sign|run|exercise|study|open|talk)\b",
    r"\bshot (?:of (?:espresso|tequila|whiskey|vodka)|a (?:photo|video|message))\b",
    r"\bknock(?:ed|s)? (?:it|them|'em) dead\b",
    r"\bkill(?:ed|s)? it\b(?! myself)",
    r"\b(?:my|the|our) (?:phone|laptop|battery|car|plant|goldfish|tv|printer) (?:is|was|just) "
    r"(?:dying|dead|died)\b",
    # games, realisations and figures of speech with a violent verb in them
    r"\bbeat (?:me|him|her|us) (?:at|in) (?:\w+ ){0,2}(?:chess|cards|tennis|scrabble|monopoly|"
    r"mario ?kart|game|games|racing|running|trivia|quiz|golf|pool|darts|poker|the race)\b",
    r"\bbeat (?:me|him|her|us) to (?:it|the punch)\b",
    r"\b(?:hit|hits|hitting) (?:me|us) (?:up|with a (?:pillow|joke|question|surprise))\b",
    r"\b(?:it|this|that|reality|realisation|realization|the news|the truth|the thought|grief|guilt|"
    r"loneliness|sadness|it all|everything|what (?:he|she|they) said)\s+(?:really |suddenly |finally |"
    r"just |then |only )?(?:hit|hits|hitting|kicked|kicks|punched) me\b",
    r"\bhit (?:it off|the (?:gym|road|shops|hay|sack|books|spot|jackpot|roof|ceiling|town|bar|pub))\b",
    r"\bbit(?:e|es|ing)? (?:my|his|her|their) head off\b",
    r"\bdrag(?:ged|s|ging)? me (?:along )?to (?:a|an|the|his|her|their|see|watch|every)\b",
    r"\b(?:kicks?|kicked|kicking) me (?:out of (?:the )?(?:group|chat|game|team|band|club|bed)|under the table)\b",
    r"\bgrab(?:bed|s)? (?:a |some )?(?:coffee|lunch|dinner|drinks?|food|breakfast|brunch)\b",
    r"\b(?:hurt|hurts|hurting) (?:my|his|her|our) (?:feelings|pride|ego|trust)\b",
    r"\bbruised (?:ego|pride|feelings|heart)\b|\bbruises? (?:on )?(?:my |the )?(?:ego|pride|knee|knees|shin|"
    r"shins|toe|banana|apple|fruit|peach)\b",
    # "I cut myself off from everyone", "killing myself at work", "anxiety hit me like a wave",
    # "I thought I was going to die" (panic), "jump off the bandwagon", "drags me along to"
    r"\bcut(?:s|ting)? (?:myself|me) off\b",
    r"\bkill(?:ing)? myself (?:doing|working|at work|at the gym|over (?:work|this|it)|with work|"
    r"to (?:make|get|finish|pay|keep|meet|please|prove))\b",
    r"\b(?:hit|hits|hitting|beat|punched) me like (?:a|an)\b|\blike (?:someone|somebody|a truck|a bus|a train) "
    r"(?:hit|beat|punched|ran over|kicked) me\b",
    r"\b(?:anxiety|panic|depression|grief|exhaustion|wave|tiredness|jet ?lag|hangover|flu|cold) "
    r"(?:\w+ )?(?:hit|hits|hitting|kicked|kicks) me\b",
    r"\b(?:thought|think|felt like|feel like|feels like|convinced|sure|afraid|scared|terrified|worried|"
    r"what if) (?:that )?(?:i was|i'?m|i am|i was going|we were|we'?re|they are|they'?re|we are) (?:all )?"
    r"(?:going to|gonna) die\b",
    r"\bjump(?:ing|ed)? (?:off|on) (?:the )?(?:band)?wagon\b",
    r"\bdrag(?:ged|s|ging)? me along\b",
    # accidents while cooking, shaving or training
    r"\b(?:cut|cuts|burn(?:ed|t|s)?|hurt|injur(?:ed|e)) myself (?:while |when |by )?(?:shaving|cooking|"
    r"chopping|gardening|running|lifting|playing|skiing|exercising|training|at the gym|on (?:a|the) "
    r"(?:oven|stove|iron|pan|kettle|knife|glass|tray|grill))\b",
    # "I feel like I'm banging my head against a brick wall": frustration
    r"\b(?:like|as if) (?:i'?m |i am )?(?:hitting|banging) my head against (?:a|the) (?:brick )?wall\b",
    r"\bbang(?:ing)? my head against (?:a|the) brick wall\b",
    # "I'm going to end it" is crisis talk; "he's about to end it" is about the relationship
    r"\b(?:he|she|they|we)(?:'s|'re| is| are| was| were| might| could| will|'ll| would|'d)? "
    r"(?:\w+ ){0,2}end(?:ing)? (?:it|things)\b",
    # "Should I end it?", "how do I end things?": a question about the relationship ("end it all" stays)
    r"\b(?:should|shall|do|can|could) (?:i|we) (?:just |finally )?end (?:it|things)\b(?! all)",
    r"\b(?:how|when) (?:do|can|should|would) (?:i|we) (?:\w+ )?end (?:it|things)\b(?! all)",
    # "he playfully hits me", "she jokingly punched my arm"
    r"\b(?:playful(?:ly)?|jokingly|teasingly|gently|affectionately|lovingly) (?:\w+ )?(?:hit|hits|punch(?:es|ed)?|"
    r"slap(?:s|ped)?|kick(?:s|ed)?|push(?:es|ed)?|shov(?:e|es|ed)|bit(?:e|es)?|nudg(?:e|es|ed)|tap(?:s|ped)?)\b",
]
_HARMLESS_RE = re.compile("|".join(_HARMLESS), re.IGNORECASE)

# The partner as the one who acts (nominative) and as the one feared (accusative).
_SUBJ = (
    r"(?:he|she|they|(?:my|our) (?:partner|husband|wife|boyfriend|girlfriend|bf|gf|fianc[eé]e?|"
    r"spouse|ex|other half)|partner|husband|wife|boyfriend|girlfriend|fianc[eé]e?|ex)"
)
_HIM = (
    r"(?:him|them|her(?=[.,!?;:]|$| (?:when|if|because|and|so|now|sometimes|at|since|too|anymore|most|"
    r"lately|after|again|all|more|every|being|getting|though|but)\b)|my (?:partner|husband|wife|boyfriend|"
    r"girlfriend|bf|gf|spouse|ex)(?!'s|s\b)|what (?:he|she|they)(?:'ll| will| might| would|'d)? ?do)"
)
_VIOLENT_VERB = (
    r"(?:hit|hits|hitting|punch(?:es|ed|ing)?|slap(?:s|ped|ping)?|kick(?:s|ed|ing)?|"
    r"chok(?:e|es|ed|ing)|strangl(?:e|es|ed|ing)|shov(?:e|es|ed|ing)|beat(?:s|en|ing)?|"
    r"bit(?:e|es|ing)?|scratch(?:es|ed|ing)?|smack(?:s|ed|ing)?|shak(?:e|es|ing)|shook|"
    r"drag(?:s|ged|ging)?|yank(?:s|ed|ing)?|throttl(?:e|es|ed|ing)|headbutt(?:s|ed|ing)?|"
    r"burn(?:s|ed|t)?|pinch(?:es|ed|ing)?|elbow(?:s|ed)?|whip(?:s|ped)?|kneed|stamp(?:s|ed)? on)"
)
# Who or what the violence lands on: the writer, the children, or a part of the writer's body.
_BODY = (
    r"(?:me|us|at me|into me|(?:the|our|my) (?:kids|children|son|daughter|baby)|my (?:face|head|arms?|"
    r"neck|throat|body|back|stomach|belly|chest|legs?|ribs|wrists?|hair|jaw|eyes?|mouth|nose|"
    r"hands?|fingers|shoulders?|side|cheek|lips?|ear|ears|breasts?))\b(?! (?:out|off|up|back)\b)"
)
_PILLS = (
    r"(?:pills|tablets|sleeping pills|painkillers|meds|medication|medications|medicines?|"
    r"prescriptions?|antidepressants|paracetamol|acetaminophen|tylenol|ibuprofen|aspirin|insulin|"
    r"sleeping tablets|opioids|oxy\w*)"
)


# --- speed: a literal gate per rule --------------------------------------------------------------
# Running ~200 regexes over every question is the main cost, and most rules cannot match most
# texts. Each rule gets, from its own parsed pattern, a set of literal strings one of which any
# match must contain ("hit", "punch", ...); the rule only runs when one of them is in the text.
# This changes no result (a unit test checks it), it only skips work.

# Words too common to be a useful gate ("me", "the"): a set holding one is a last resort.
_COMMON = frozenset(
    "a an and are at be can could do don for he her him his i in is it me my not of on or our "  # noqa: SIM905
    "she so that the their them they this to was we were will with won would you".split()
)


def _required(items: list, limit: int = 64) -> set[str] | None:
    """Literal strings one of which every match must contain, or None if none can be found.

    Looks at the elements of the parsed pattern that every match must pass through (literal runs,
    groups, alternations; not optional parts, repeats or classes) and keeps the most selective set:
    no very common word in it, then the longest shortest string, then the fewest strings.
    """
    from re import _constants as C  # type: ignore[attr-defined]

    best: set[str] | None = None

    def score(found: set[str]) -> tuple[int, int, int]:
        words = [w.strip() for w in found]
        return (not any(w in _COMMON for w in words), min(map(len, words)), -len(found))

    def consider(found: set[str] | None) -> None:
        nonlocal best
        usable = found and all(w.strip() for w in found) and len(found) <= limit
        if usable and (best is None or score(found) > score(best)):  # type: ignore[arg-type]
            best = found

    run = ""
    for op, av in list(items) + [(None, None)]:
        if op is C.LITERAL:
            run += chr(av).lower()
            continue
        if run:
            consider({run})
            run = ""
        if op is C.SUBPATTERN:
            consider(_required(list(av[-1]), limit))
        elif op is C.BRANCH:
            parts = [_required(list(b), limit) for b in av[1]]
            if all(p is not None for p in parts):
                consider(set().union(*parts))  # type: ignore[arg-type]
    return best


def _anchors(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    # A speed gate only: a rule whose pattern has no required literal simply always runs.
    try:
        from re import _parser  # type: ignore[attr-defined]

        found = _required(list(_parser.parse(rx.pattern, rx.flags)))
    except Exception:  # pragma: no cover - private module changed; fall back to always running
        return None
    return tuple(sorted(found)) if found and all(found) else None


@dataclass(frozen=True)
class _Rule:
    category: str  # crisis, violence, threat, fear, sexual, children, control
    rx: re.Pattern[str]
    negatable: bool  # cancelled by a negation right before the cue ("not", "never", ...)
    weak: bool  # counts only next to another cue of the same kind (see module docstring)
    needs: re.Pattern[str] | None  # must also match somewhere else in the same text
    partner_acts: bool  # cancelled when the writer is the one doing it ("I throw things when I'm mad")
    anchors: tuple[str, ...] | None = None  # a match must contain one of these (lower case)


def _cue(
    category: str,
    pattern: str,
    *,
    neg: bool = False,
    weak: bool = False,
    needs: str | None = None,
    partner_acts: bool = False,
) -> _Rule:
    rx = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    return _Rule(
        category, rx, neg, weak, re.compile(needs, re.IGNORECASE) if needs else None, partner_acts, _anchors(rx)
    )


def _weak(category: str, pattern: str, *, neg: bool = False, needs: str | None = None) -> _Rule:
    return _cue(category, pattern, neg=neg, weak=True, needs=needs)


# A pattern may name the trigger with (?P<cue>...): the negation is then looked for right
# before that group, so "he has never hit me" is cancelled although the match starts at "he".
# fmt: off
_RULES: list[_Rule] = [
    # === crisis ===================================================================================
    # --- direct words for suicide and wanting to die ------------------------------------------
    _cue("crisis", r"\bsuicid(?:al|e)\b", neg=True),
    _cue("crisis", r"\b(?:kill(?:ing)?|killed) myself\b|\bunalive\b|\bkms\b|\bsewerslide\b", neg=True),
    _cue("crisis", r"\bend(?:ing)? (?:it all|my life|my own life)\b(?! (?:with|between))", neg=True),
    # "end it" / "end things" only with the writer as the subject (partners are neutralised above)
    _cue("crisis", r"\bi(?:'m| am|'ll| will|'d| would)? (?:\w+ ){0,3}end(?:ing)? (?:it|things|"
         r"everything)\b(?! (?:with|between|off|there|here|for (?:us|good with))\b)", neg=True),
    _cue("crisis", r"\btak(?:e|ing) my (?:own )?life\b", neg=True),
    _cue("crisis", r"\b(?:want|wanted|wanting|wish|wishing|ready|plan(?:ning)?|deserve) to die\b|\b(?:i'?d|"
         r"i would) rather (?:die|be dead|be gone)\b", neg=True),
    _cue("crisis", r"\bwish(?:ed)? (?:i (?:was|were|had been)|to be) (?:dead|gone|never born)\b"),
    _cue("crisis", r"\bwish(?:ing|ed)? (?:\w+ ){0,2}(?:was|were) the end of (?:mine|me|my life)\b"),
    _cue("crisis", r"\bwish i could (?:just )?(?:die|disappear|vanish|stop existing|not exist|fall asleep forever)\b"),
    # --- others better off without me (Joiner's "perceived burdensomeness") -----------------------
    _cue("crisis", r"\b(?:i'd|i would|everyone would|they(?:'d| would)|she(?:'d| would)|he(?:'d| would)|"
         r"my (?:family|kids|partner|wife|husband) would|the world would|people would) be (?:better|happier|lighter|"
         r"fine|freer|relieved)(?: off)? (?:dead|without me|if i (?:was|were)n't|if i (?:was|were) gone|"
         r"if i disappeared|once i'?m gone)"),
    _cue("crisis", r"\bbetter off (?:dead|without me)\b|\bbetter off with (?:the|my) (?:life )?insurance\b"),
    _cue("crisis", r"\b(?:better|happier|lighter|easier|simpler|fine|freer|relieved|cope|coping|"
         r"manage) (?:\w+ )?(?:for (?:everyone|them|him|her) )?without me\b(?! (?:for|this|on|while|when|during|at|"
         r"if i go)\b)"),
    _cue("crisis", r"\bwithout me\b.{0,40}\b(?:relieved|happier|lighter|better off)\b"),
    _cue("crisis", r"\b(?:the world|nobody|no one|anyone|anybody|people|they|he|she)\b (?:\w+ ){0,2}(?:would|will|"
         r"'d|wouldn'?t|won'?t)(?: even| ever)? (?:miss|notice|care)\b(?: (?:\w+ ){0,3})?(?:if i|me gone|"
         r"when i'?m gone|the gap|my absence|that i'?m gone)"),
    _cue("crisis", r"\bhow long it would take (?:anyone|anybody|people|someone|them) to notice\b"),
    _cue("crisis", r"\b(?:i'?m|i am|feel like) (?:just )?(?:such )?a burden (?:to|on) (?:everyone|everybody|"
         r"my (?:family|partner|kids|friends|husband|wife|boyfriend|girlfriend)|them|him|her)\b"),
    _cue("crisis", r"\b(?:won'?t|will not|will never|no longer|nobody will|no one will|"
         r"never) (?:\w+ )?have to (?:deal with|put up with|worry about|look after|carry|take care of) (?:me|my)\b"),
    # --- no reason, no future, cannot go on -------------------------------------------------------
    _cue("crisis", r"\b(?:no|not any|don'?t see (?:the|any)|can'?t see (?:the|any)|what'?s the) (?:point|"
         r"reason) (?:in |of |to )?(?:living|going on|being alive|life|waking up|getting up|carrying on|"
         r"staying alive|trying anymore|anything anymore|me being here|it all|me)\b"),
    _cue("crisis", r"\bno reason to (?:live|stay alive|go on|keep going)\b|\b(?:nothing|no one|"
         r"nobody) (?:left )?to (?:live|hang on|hold on) for\b|\bwhat i'?m (?:still )?(?:hanging|holding) on for\b"),
    _cue("crisis", r"\brunning out of reasons to (?:live|keep going|go on|hold on|be here|stay alive)\b"),
    _cue("crisis", r"\b(?:don'?t|can'?t|do not|cannot) see (?:a|any) future for (?:me|myself)\b|\bno future for me\b"),
    _cue("crisis", r"\b(?:don'?t|do not|no longer|never|not) want(?:ing)? to (?:be alive|live|exist|be here|wake up|"
         r"go on|keep going|be around|do this anymore|be on this earth)\b(?! (?:with|like|in|out|at|near|there|"
         r"alone|together|on|off|by|under|here|that|this|as)\b)"),
    _cue("crisis", r"\bwant(?:ed|ing)? to (?:disappear|vanish|stop existing|not exist|not be here)\b"),
    _cue("crisis", r"\b(?:not sure|don'?t know|unsure|no longer sure) (?:if |whether )?i (?:still |"
         r"even )?want to (?:live|be alive|be here|go on|exist|keep going)\b(?! (?:with|in|there|here|like|together|"
         r"near|abroad)\b)"),
    _cue("crisis", r"\b(?:disappear(?:ed)?|vanish(?:ed)?|cease to exist|stop existing) (?:forever|for good|"
         r"permanently)\b"),
    _cue("crisis", r"(?<!\bit )(?<!\bthis )(?<!\bthat )(?<!\bthings )(?<!\bwe )\b(?:can'?t|cannot) (?:go on|"
         r"keep going|live|keep living)\b(?! (?:like|with|in|this|that|without|on|pretending|together|here|there|at|"
         r"alone)\b)"),
    _cue("crisis", r"\btired of (?:living|being alive|existing|life)\b(?! (?:like|with|in|under|out|on|paycheck|"
         r"here|there|at)\b)|\b(?:fighting|struggling|trying) to stay alive\b"),
    _cue("crisis", r"\b(?:life|living) (?:isn'?t|is not|isnt) worth (?:it|living)\b"),
    _cue("crisis", r"\b(?:don'?t|do not|stopped|no longer) car(?:e|ing) (?:whether|if) i(?:'m| am)? (?:live|living|"
         r"alive|die|wake up|make it)\b"),
    _cue("crisis", r"\b(?:i'?m|i am|feel like(?: i'?m)?) (?:already (?:a ghost|dead|gone)|(?:a ghost|dead|"
         r"gone) already)\b"),
    _cue("crisis", r"\bover,? and so am i\b"),
    _cue("crisis", r"\b(?:the world|nobody|no one|everyone|anyone|they|he|she|my family)\b (?:\w+ )?(?:doesn'?t|"
         r"don'?t|wouldn'?t|won'?t|does not) (?:even |really )?need me (?:in it|here|around|anymore|alive)\b"),
    _cue("crisis", r"\b(?:wonder(?:ing|ed)?|ask(?:ing|ed)? myself) (?:if|whether) (?:anyone|anybody|people|they|he|"
         r"she) (?:would|will|'d) (?:\w+ )?(?:miss me|notice|care)\b"),
    _cue("crisis", r"\b(?:list of )?reasons? to (?:stay alive|keep living|go on living|not (?:die|kill myself))\b"),
    _cue("crisis", r"\b(?:scared|afraid|frightened|terrified) of (?:myself|what i might do)\b", neg=True),
    _cue("crisis", r"\b(?:ring|rang|rung|call|called|calling|ringing|phoned|phoning|text|texted|texting|"
         r"contact(?:ed|ing)?) (?:the )?(?:samaritans|crisis (?:line|team)|suicide (?:hot)?line|lifeline|988|"
         r"shout)\b"),
    _cue("crisis", r"\b(?:rehears\w*|plann?\w*|draft\w*|compos\w*) what i'?d (?:write|say) in (?:a|my|the) (?:note|"
         r"letter)\b"),
    _cue("crisis", r"\bhow many more (?:chances|days|nights|mornings) i'?(?:ll| will) (?:get|have)\b(?! (?:with|"
         r"to (?:fix|make|win|prove)))"),
    # --- not waking up, sleeping forever ----------------------------------------------------------
    _cue("crisis", r"\b(?:not|never) (?:to )?(?:wake|waking) up\b(?! (?:the|my|our|him|her|them|everyone|anyone|"
         r"early|late|in time|before|until|when)\b)|\bif i (?:just )?(?:didn'?t|did not|don'?t|never) wake up\b"),
    _cue("crisis", r"\b(?:sleep|asleep) (?:and |then )?(?:not|never) (?:have to )?(?:wake|do|face|deal)\b|"
         r"\b(?:sleep|asleep) forever\b"),
    # --- wishing for an accident, reckless danger -------------------------------------------------
    _cue("crisis", r"\b(?:wish|wishing|hope|hoping|pray|praying) (?:that )?(?:a |an |the |some )?(?:bus|car|truck|"
         r"lorry|train|plane|accident|drunk driver) (?:would |will |might )?(?:hit|kill|take) me\b"),
    _cue("crisis", r"\b(?:an accident|a crash|dying|death|me dying|if i died|me being gone) would (?:solve|fix|end|"
         r"sort) (?:everything|it all|all of (?:this|it)|my problems|all my problems)\b"),
    _cue("crisis", r"\b(?:easy|easier|simpler) (?:not to|to not|to never) (?:come home|wake up|be here|exist|go on|"
         r"carry on)\b"),
    _cue("crisis", r"\bhow easy it (?:would|'d) be to (?:just )?(?:take (?:one|a) (?:wrong )?step|fall|slip|jump|"
         r"let go|step (?:off|out|in front)|swerve|drive (?:off|into)|end it|not (?:come|go) (?:back|home)|"
         r"disappear|go under|slide under|slip under|never wake)"),
    _cue("crisis", r"\b(?:easy|easier|simpler|better) to (?:just )?(?:switch|turn|shut) (?:everything|it all) off\b"),
    _cue("crisis", r"\b(?:the )?only (?:thing|things|one|reason|person|people) (?:stopping|"
         r"keeping) me\b(?! (?:from (?:leaving|quitting|breaking|divorcing|moving|telling|going|calling|walking|"
         r"cheating)|in (?:this|the|that|my|our) |with (?:him|her|them)|there|sane|busy|motivated|from losing|"
         r"out of|from going|grounded|together|going to work))"),
    # --- self-harm --------------------------------------------------------------------------------
    _cue("crisis", r"\b(?:hurt(?:ing)?|harm(?:ed|ing)?|cut(?:ting)?|burn(?:ed|t|ing)?|punish(?:ed|ing)?|starv(?:e|"
         r"ed|ing)|hit(?:ting)?|punch(?:ed|ing)?|scratch(?:ed|ing)?|stab(?:bed|bing)?|bit(?:e|ing)?) myself\b",
         neg=True),
    _cue("crisis", r"\bself[- ]?(?:harm(?:ing|ed)?|injur\w*|mutilat\w*)\b", neg=True),
    _cue("crisis", r"\bi(?:'ve| have)? (?:\w+ )?cut (?:again|deeper|myself)\b|\bcutting (?:again|deeper)\b|"
         r"\bcut(?:ting)? (?:my|into my) (?:arms?|wrists?|legs?|thighs?|skin|stomach|body|hips?)\b", neg=True),
    _cue("crisis", r"\b(?:relapsed|started|started again) (?:on )?(?:cutting|self[- ]harm)"),
    _cue("crisis", r"\b(?:scratch|scratched|scratching|pick|picked|picking|dig|digging|bite|bit|"
         r"biting) (?:at )?my (?:own )?(?:arms?|skin|wrists?|legs?|thighs?|hands?|face|nails) until (?:it|"
         r"they) (?:bleeds?|bled|bleed)\b"),
    # hurting oneself "on purpose", counting pills against "enough", letters to everyone
    _cue("crisis", r"\b(?:burn|cut|hit|scratch|bang|punch|bit|bite|hurt|scald)\w* (?:my|"
         r"myself)\b.{0,40}\bon purpose\b"),
    _cue("crisis", rf"\bcount(?:ed|ing)? (?:out )?(?:my |the |all the |all my )?(?:\w+ )?{_PILLS}\b",
         needs=r"\benough\b"),
    _cue("crisis", r"\b(?:wrote|written|writing) (?:letters?|notes?) to (?:everyone|everybody|all of them|"
         r"each of them)\b"),
    _cue("crisis", r"\bburn(?:ing|ed|t|s)? my (?:wrists?|arms?|skin|legs?|thighs?|hands?|stomach) with (?:a |"
         r"my )?(?:lighter|cigarette|match|matches|candle)\b|\buntil my (?:knuckles|hands?|fists?|skin|"
         r"arms?) (?:split|bled|bleed|were bleeding|broke)\b"),
    _cue("crisis", rf"\b(?:forget\w*|skip\w*|stop\w*|not taking)\W* (?:taking )?my (?:\w+ )?{_PILLS}\W* on purpose\b"),
    _cue("crisis", r"\b(?:hit|hitting|bang|banging|slam|slamming|punch|punching) my (?:own )?(?:head|"
         r"fists?) (?:against|into|on) (?:the|a) (?:wall|door|floor|desk|mirror)\b"),
    _cue("crisis", r"\b(?:threw|throw|throwing|hid|hide|hiding|bought|buy|buying|keep|kept|got rid of|"
         r"found) (?:away )?(?:the |my |some |more |new )?(?:razor )?blades?\b"),
    # --- means: pills, lethality, ropes, weapons, heights, water, cars ------------------------------
    _cue("crisis", r"\boverdos(?:e|ed|ing)\b", neg=True),
    _cue("crisis", r"\b(?:took|take|taking|swallowed|swallow|taken) (?:a (?:handful|bottle|packet|box|"
         r"whole (?:bottle|packet|box))|all|the (?:whole|rest)|loads|too many|a lot|a bunch|an entire (?:bottle|"
         rf"packet|box)) (?:of )?(?:my |the |these )?(?:\w+ )?{_PILLS}"),
    _cue("crisis", r"\b(?:stockpil\w*|stash\w*|sav(?:e|ing|ed) up|hoard\w*|collect(?:ing|"
         r"ed)) (?:of )?(?:all )?(?:my |the |"
         rf"these )?(?:\w+ )?{_PILLS}\b"),
    _cue("crisis", rf"\b(?:how many|enough) (?:of )?(?:my |the |these )?(?:\w+ )?{_PILLS} (?:would|will it|does it|"
         r"it would|it'?d|it takes|it will|to (?:kill|die|end|overdose|od|not wake|do it|be fatal|be lethal|"
         r"make sure))\b"),
    _cue("crisis", rf"\binstead of taking (?:it|them|my {_PILLS})\b", needs=_PILLS),
    _cue("crisis", r"\bpills? (?:to|that would) (?:end|sleep forever|not wake)"),
    _cue("crisis", r"\b(?:look(?:ed|ing)?|star(?:ed|ing)|counting|counted) at (?:the |my |his |her |"
         rf"all the )?(?:\w+ )?{_PILLS}\b(?=.*\b(?:long time|ages|an hour|hours|thought|wondered|counted|again)\b)"),
    _cue("crisis", r"\b(?:thinking|think|thought) about (?:the|his|her|my|a) (?:\w+ ){0,2}(?:pills|tablets|rope|gun|"
         r"knife|blades|razor|bridge|cliff|tracks)\b"),
    _cue("crisis", r"\b(?:fatal|lethal|deadly) (?:in (?:large|high|big) )?doses?\b|\b(?:lethal|fatal|"
         r"deadly) (?:amount|overdose)\b"),
    _cue("crisis", rf"\b(?:which|what) (?:common |kind of |type of )?{_PILLS} (?:are|is) (?:fatal|lethal|deadly)\b"),
    _cue("crisis", r"\bhow (?:much|many) (?:\w+ ){0,3}(?:would it|does it|it would|it) takes? to (?:kill|damage|"
         r"overdose|die|be fatal|not wake|stop (?:your|my|the) heart|shut down)"),
    _cue("crisis", r"\bhow long (?:does|would|will|did) it take (?:to |for (?:someone|a person|you|me) to )(?:drown|"
         r"die|bleed out|suffocate|stop breathing|lose consciousness)\b"),
    _cue("crisis", r"\b(?:most )?(?:painless|quickest|easiest|surest|quick|quiet|peaceful) ways? (?:to|of) (?:die|"
         r"dying|go|do it|end it|kill)\b(?! (?:about|through|back|forward|on|ahead|out|to)\b)"),
    _cue("crisis", r"\b(?:looking up|looked up|researching|researched|googling|googled) (?:ways|how|"
         r"methods) (?:to (?:do it|die|end it)|of (?:dying|killing))\b"),
    _cue("crisis", r"\bnoose\b|\b(?:bought|buy|buying|got|have|found) (?:a |some |the )?rope\b(?! (?:for|to (?:tie|"
         r"hang (?:up|the|a))|swing|ladder|light|lights|bridge|course)\b)", neg=True),
    _cue("crisis", r"\bhang(?:ing)? myself\b", neg=True),
    _cue("crisis", r"\bpull(?:ed|ing)? the trigger\b(?! on\b)|\bgun (?:to|against|in) my (?:head|temple|mouth|"
         r"chest)\b|\bmy gun jammed\b"),
    _cue("crisis", r"\b(?:use|using|turn|turning|point|pointing) (?:it|the gun|a gun|the knife|a knife|"
         r"the pills) on myself\b"),
    _cue("crisis", r"\b(?:buy|bought|get|got|have) (?:a )?(?:gun|rope|razor|blades?)\b(?=.*(?:myself|end|pain|gone|"
         r"die|for me))"),
    _cue("crisis", r"\b(?:tallest|highest) (?:floor |level |storey |point )?(?:of (?:the|"
         r"a) )?(?:multi-?storey )?(?:bridges?|buildings?|cliffs?|car ?parks?|parking (?:garages?|structures?)|"
         r"towers?|rooftops?|multi-?storeys?)\b"),
    _cue("crisis", r"\bjump(?:ing)? (?:off|from|in front of)\b", neg=True),
    _cue("crisis", r"\bdriv(?:e|ing) (?:off|into) (?:the |a )?(?:\w+ )?(?:bridge|cliff|wall|tree|river|"
         r"oncoming traffic|lorry|truck|sea)\b", neg=True),
    _cue("crisis", r"\b(?:stand|standing|stood|sit|sitting|sat|lean|leaning) (?:\w+ ){0,2}(?:at|on|"
         r"over) the (?:very )?edge(?: of (?:the |a )?(?:platform|cliff|bridge|roof|rooftop|building|balcony|ledge|"
         r"tracks))?\b(?! of)"),
    _cue("crisis", r"\b(?:sit|sitting|sat) in (?:the|a|my) (?:garage|car) with the (?:car )?(?:engine|"
         r"motor) running\b|\b(?:hose|hosepipe|tube) (?:to|from|on) the exhaust\b"),
    # --- goodbyes, notes, putting affairs in order -------------------------------------------------
    _cue("crisis", r"\b(?:goodbye|suicide|farewell) (?:letters?|notes?)\b|\blast goodbye\b"),
    _cue("crisis", r"\b(?:letters?|notes?) (?:to|for) (?:everyone|all the people|the people|"
         r"each of the people) (?:i love|i care about|who matter)"),
    _cue("crisis", r"\bwr(?:ote|ite|iting|itten) (?:a |my )?(?:letters?|notes?) (?:to|for) (?:everyone|my (?:family|"
         r"kids|children|parents|mum|mom|dad|sister|brother|wife|husband|partner))\b",
         needs=r"\bin case\b|when i'?m gone|after i'?m gone|\bgoodbye\b|\bexplain\b"),
    _cue("crisis", r"\b(?:say|said|saying) goodbye (?:\w+ ){0,3}in my head\b|\bgoodbye in my head\b"),
    _cue("crisis", r"\b(?:giv(?:e|ing)|gave) (?:away )?(?:all )?(?:of )?my (?:things|stuff|belongings|possessions|"
         r"books|clothes|guitar|cat|dog|plants)(?: away)?\b"),
    _cue("crisis", r"\b(?:putting|put|get|getting|got) my affairs in order\b"),
    _cue("crisis", r"\b(?:make|made|making) (?:the )?(?:final )?(?:arrangements|my will)\b(?=.*(?:gone|not be|"
         r"won'?t|soon|just in case))"),
    _cue("crisis", r"\blast time (?:you'?ll|anyone will) (?:hear|see) (?:from )?me\b"),
    _cue("crisis", r"\bwon'?t be (?:around|here) (?:much longer|for long|anymore|next (?:week|month|year))\b"),
    _cue("crisis", r"\b(?:plan(?:ning)?|going|intend(?:ing)?) (?:not to|to not) be (?:around|here|alive)\b"),
    _cue("crisis", r"\b(?:don'?t|do not) (?:plan|expect|intend) to (?:be around|be here|still be here|be alive|"
         r"make it)\b(?! (?:when|while|if|for (?:the|his|her|their|that|this) (?:party|wedding|meeting|dinner|"
         r"visit)))"),
    _cue("crisis", r"\b(?:don'?t think|doubt) i'?ll (?:still )?be (?:here|around|alive)\b(?!.*\b(?:because i'?m|"
         r"since i'?m|i'?ll be (?:away|travelling|traveling|working)|work trip|abroad))"),
    _cue("crisis", r"\b(?:end|stop) the pain (?:for good|forever|permanently)\b|\bway out of (?:this|the|my) pain\b|"
         r"\b(?:found|find|have|know) a way to (?:make (?:it|the pain|this|everything) stop|end (?:it|the pain|"
         r"this))\b"),
    _cue("crisis", r"\bwant (?:it|everything) (?:all )?to (?:stop|end)\b(?! between)", neg=True),
    _cue("crisis", r"\bwon'?t (?:have|need) to (?:deal with|put up with|face|do|carry) (?:this|it|any of (?:this|"
         r"it)) (?:much|any|for much) longer\b"),
    _cue("crisis", r"\b(?:thinking|thought|think|dream(?:ing)?) (?:about|of) (?:death|dying|not being here|"
         r"ending it|my funeral|being dead|not existing)\b|\bmy (?:own )?funeral\b"),
    _cue("crisis", r"\bif i (?:just )?(?:wasn'?t|weren'?t|was not|were not) (?:here|around|alive|"
         r"in the picture)\b(?! (?:to|for|this|tonight|tomorrow|next|on|when|during|at (?!all)|yet|then)\b)"),
    _cue("crisis", r"\bif anything (?:ever )?happens to me,? (?:please )?(?:look after|take care of|feed|give|"
         r"tell)\b"),
    _cue("crisis", r"\b(?:looked up|look up|looking up|searched for|googled) (?:a |the )?(?:helpline|crisis line|"
         r"suicide (?:hotline|line)|samaritans|988)\b"),
    # --- weak crisis signals: only two different ones together route -----------------------------
    # hopelessness
    _weak("crisis", r"\bnothing (?:really )?matters (?:anymore|any more|now)\b|\b(?:life|everything|it all) (?:is|"
          r"feels|seems) (?:so )?(?:pointless|meaningless)\b"),
    _weak("crisis", r"\b(?:doesn'?t|don'?t) seem (?:to be )?(?:much|any) (?:reason|point)\b"),
    _weak("crisis", r"\brunning out of reasons\b"),
    _weak("crisis", r"\b(?:don'?t|do not|can'?t) believe (?:them|it|that|anyone|people)\b", needs=r"\bgets? better\b"),
    _weak("crisis", r"\b(?:i'?m|i am) (?:just )?(?:so )?done\b(?! (?:with (?:him|her|them|this relationship|"
          r"the relationship|work|my job)|cooking|eating|talking))"),
    _weak("crisis", r"\b(?:no|can'?t see a|can'?t find a|there'?s no|that'?s a|it'?s a|is a|as a) way out\b|"
          r"\bexcept one\b"),
    _weak("crisis", r"\bi'?d be relieved\b"),
    _weak("crisis", r"\bnothing (?:is )?(?:pulling|keeping) me (?:forward|going|here)\b|"
          r"\bnothing to look forward to\b"),
    _weak("crisis", r"\b(?:i'?d|i would) (?:finally |at least )?be worth (?:something|more)\b"),
    _weak("crisis", r"\b(?:wrote|written|writing) (?:letters?|notes?) to\b|\bnot sure why\b(?=[.!]*$)"),
    _weak("crisis", r"\b(?:can'?t|cannot) (?:do this|take (?:it|this)) (?:anymore|any more)\b|\b(?:can'?t|"
          r"cannot) (?:go on|live) like this\b"),
    _weak("crisis", r"\b(?:i'?m|i am) (?:just )?in the way\b|\bbeing a burden\b|\beverything i touch\b|"
          r"\bi ruin everything\b"),
    _weak("crisis", r"\bi (?:should|could|might as well) (?:just )?(?:stop|go|disappear|give up)[.!]*$"),
    _weak("crisis", r"\b(?:would|'d) be (?:better off|happier) with(?:out)?\b|\bmake it official\b(?=.*\b(?:ghost|"
          r"gone|dead)\b)"),
    # finality: things wound up, goodbyes, a plan
    _weak("crisis", r"\bwon'?t (?:need|have) to worry about (?:anything|it|any of (?:this|it))\b|"
          r"\bwon'?t need (?:them|it|anything|any of (?:it|this|them))\b|\bwon'?t have to deal with (?:this|it)\b"),
    _weak("crisis", r"\b(?:cancelled|canceled|stopped making) (?:all )?(?:of )?my plans\b|\bstopped making plans\b"),
    _weak("crisis", r"\b(?:updated|wrote|written|made|making|finished|sorted) (?:out )?(?:my|a) will\b"),
    _weak("crisis", r"\b(?:wrote|written|writing) down (?:all )?my passwords\b|\bbills on autopay\b"),
    _weak("crisis", r"\blife insurance\b"),
    _weak("crisis", r"\bi don'?t like the reason(?: why)?\b|\bnot sure what for\b"),
    _weak("crisis", r"\bif anything (?:ever )?happens(?: to me)?\b"),
    _weak("crisis", r"\b(?:can|could|should) (?:have|keep|take) my (?:dog|cat|pets?|things|stuff|belongings|guitar|"
          r"car|clothes)\b"),
    _weak("crisis", r"\b(?:arranged|asked) for (?:\w+ ){1,2}to (?:look after|take care of|take|have|feed|keep) my\b"),
    _weak("crisis", r"\bbest thing i (?:could|can) do for (?:them|her|him|everyone|my|our)\b"),
    _weak("crisis", r"\b(?:one|a) last (?:message|text|call|letter|time|look)\b|\bgoodbye (?:message|text|video)s?\b"),
    _weak("crisis", r"\bsaying goodbye to (?:people|everyone|everybody)\b"),
    _weak("crisis", r"\b(?:feels|felt) (?:so )?final\b"),
    _weak("crisis", r"\b(?:felt|feel|feeling) (?:oddly|strangely|weirdly|so|very) (?:calm|peaceful|at peace)\b"),
    _weak("crisis", r"\bso (?:she|he|they) (?:doesn'?t|don'?t|won'?t) blame (?:herself|himself|themselves)\b"),
    _weak("crisis", r"\bif i (?:died|die|was dead|were dead|was gone|were gone)\b|\bwhen i'?m gone\b"),
    _weak("crisis", r"\basking for (?:reasons|no reason|a reason)\b"),
    _weak("crisis", r"\bafter (?:this week|tonight|this weekend)\b(?=.*\b(?:won'?t|nobody|no one|anymore)\b)"),
    _weak("crisis", r"\bi (?:have|'ve got|made|'ve made) a plan(?: now)?\b(?! (?:for|to|with|b|about|of)\b)"),
    _weak("crisis", r"\bthe thoughts (?:get|are|come|came|have|won'?t|ever|again|back)\b"),
    # means and places, without a stated intent
    _weak("crisis", rf"\b(?:which|what) (?:common )?{_PILLS} (?:are|is) (?:dangerous|toxic|bad) (?:to|with|in)\b"),
    _weak("crisis", r"\bi(?:'ve|'m| have| am| was)? (?:\w+ ){0,2}(?:drive|drove|driving) (?:really |too |very |"
          r"dangerously )?(?:fast|recklessly)\b"),
    _weak("crisis", r"\bhop(?:e|ing) (?:that )?something (?:bad )?happens\b(?! (?:between|with))|\b(?:daring|hoping|"
          r"waiting for) something (?:bad )?to happen\b"),
    _weak("crisis", r"\b(?:drove|drive|driving|walked|walk|walking) (?:over|across|onto|to) the bridge\b"),
    _weak("crisis", r"\bi don'?t know what i was thinking\b"),
    _weak("crisis", r"\b(?:sat|sit|sitting|stand|standing|stood) (?:\w+ ){0,3}on (?:the|a) (?:bridge|ledge|roof|"
          r"balcony|railing|cliff|tracks)\b|\b(?:walk|walked|go|went|drive|drove) to the (?:cliffs?|bridge|tracks)\b"),
    _weak("crisis", r"\bhow easy it would be[.!]*$|\b(?:thought|thinking|think) about it(?: a lot)?[.!]*$|"
          r"\bthinking about the sea\b"),
    _weak("crisis", r"\b(?:feel|feeling|felt) like a ghost\b"),
    _weak("crisis", r"\b(?:waiting|want|wanting|longing|ready) to join (?!(?:a|an|the|my|our|his|her|in|them|us|you|"
          r"him)\b)\w+"),
    _weak("crisis", r"\b(?:speeding|speed|hurry|hurrying) (?:things|it) (?:up|along)\b"),
    _weak("crisis", rf"\b(?:look(?:ed|ing)?|star(?:ed|ing)) at (?:the |my |his |her )?(?:\w+ ){{0,4}}{_PILLS}\b"),
    _weak("crisis", r"\bi don'?t think i would\b|\bpart of me hopes\b"),

    # === abuse: physical violence =================================================================
    _cue("violence", rf"\b{_SUBJ} (?:\w+ ){{0,3}}(?P<cue>{_VIOLENT_VERB} {_BODY})", neg=True),
    _cue("violence", r"\b(?:hits|hit|punched|punches|punch|slapped|slaps|slap|kicked|kicks|kick|choked|chokes|choke|"
         r"strangled|strangles|strangle|shoved|shoves|shove|beat|beats|smacked|smacks|headbutted|spat on|spits on|"
         r"hitting|punching|slapping|kicking|choking|strangling|beating|shoving) me\b(?! (?:out|off|up|back|hard|"
         r"now|that|how|like|with (?:a|the) (?:pillow|joke|question)))", neg=True),
    _cue("violence", rf"\b{_SUBJ} (?:\w+ ){{0,3}}(?P<cue>push(?:es|ed|ing)? me)\b(?! (?:away|aside|to|into|too|"
         r"harder|further|forward|towards|for|out of my comfort|on|about|around to)\b)", neg=True),
    _cue("violence", r"\b(?:him|her|them) (?:\w+ )?(?:hitting|kicking|punching|slapping|choking|strangling|shoving|"
         r"beating) me\b", neg=True),
    _cue("violence", r"\bpinn?(?:ed|s|ing)? me (?:down|against|to)\b", neg=True),
    _cue("violence", r"\bpush(?:es|ed|ing)? me (?:down|over|against|off|around|into (?:a|the) (?:wall|door|table|"
         r"floor|furniture|ground|wardrobe))\b", neg=True),
    _cue("violence", r"\bgrab(?:s|bed|bing)? (?:me by )?(?:my|me by the) (?:wrist|wrists|arm|arms|hair|neck|throat|"
         r"face|jaw|shoulders?)\b|\bgrab(?:s|bed|bing)? me (?:by|and (?:shook|shoved|pushed|threw|pinned))\b",
         neg=True),
    _cue("violence", r"\bthr(?:ew|ows|owing|ow|own) (?:a |the |his |her |my )?(?:\w+ ){1,2}at (?:me|my head|us)\b|"
         r"\bthr(?:ew|ows|owing|ow) (?:things|stuff|objects|plates|glasses|furniture|a (?:plate|glass|chair|"
         r"mug))\b(?! (?:away|out)\b)|\bthr(?:ew|ows|owing|ow) (?:the |his |her |my )?\w+ at the (?:tv|telly|wall|"
         r"door|window|floor)\b", neg=True, partner_acts=True),
    _cue("violence", r"\b(?:put|puts|putting) (?:his|her|their) hands? (?:on|around) (?:me|my (?:neck|throat))\b",
         neg=True),
    _cue("violence", r"\b(?:bruises?|bruised|black eye|split lip|broken (?:rib|nose|wrist|arm|jaw))\b|"
         r"\bbroke my (?:nose|arm|wrist|jaw|ribs?|finger)\b"),
    _cue("violence", r"\b(?:slam|slammed|slams|shut) (?:\w+ ){0,2}(?:door|drawer|window|lid) on my (?:hand|fingers|"
         r"arm|leg|foot|head)\b"),
    _cue("violence", r"\b(?:domestic (?:violence|abuse)|abusive (?:partner|relationship|husband|wife|boyfriend|"
         r"girlfriend|ex|marriage|father|mother|dad|mum|mom|parents?|step\w+|brother|sister|family|home|household|"
         r"man|woman)|(?:is|being|was|gets|got|been) (?:very |so |really |extremely |physically |verbally |"
         r"emotionally )*abusive|abus(?:es|ed|ing) me|(?:was|been|being|got) abused by|physically (?:hurt|abus\w+|"
         r"attack\w+|violent)|(?:physical|sexual) abuse)\b", neg=True),
    _cue("violence", r"\bgets? (?:physical|violent|rough) (?:with me|when)\b|\b(?:attack|attacked|attacks) me\b",
         neg=True),
    _cue("violence", r"\b(?:so|to|until) (?:that )?(?:he|she|they) (?:stops?|won'?t|doesn'?t|don'?t|will stop|"
         r"can'?t) (?:\w+ )?(?:hitting|hit|hurting|hurt|grab\w*|push\w*|shov\w*|chok\w*|slap\w*|kick\w*|throw\w*|"
         r"punch\w*|bit(?:e|ing)|scratch\w*|strangl\w*)"),
    _cue("violence", r"\b(?:stops?|stop|stopping) (?:hitting|hurting|grabbing|choking|slapping|kicking|shoving|"
         r"pushing|biting|strangling|punching) (?:me|us|the kids)\b"),
    _cue("violence", r"\benough to (?:hurt|hit|harm|kill|strangle|choke) (?:me|us)\b|\b(?:leave|left|leaves|"
         r"leaving) (?:a )?(?:marks?|bruises?|bruising) on me\b|\bhard enough to leave (?:marks?|bruises?|"
         r"bruising)\b"),
    _cue("violence", r"\bhands? (?:round|around|on) my (?:throat|neck)\b|\bsqueez(?:e|es|ed|ing) my (?:wrists?|"
         r"arms?|neck|throat)\b|\b(?:shoved|pushed|thrown|threw me|slammed) (?:me )?(?:into|against) (?:the|"
         r"a) (?:wall|door|bookcase|table|floor|wardrobe|cupboard|furniture|car|counter|radiator|fridge)\b", neg=True),
    _cue("violence", r"\bforc(?:e|es|ed|ing) (?:himself|herself|themselves) on me\b", neg=True),
    # --- abuse: threats and intimidation -----------------------------------------------------------
    _cue("threat", r"\bthreat(?:en|ens|ened|ening)? (?:to )?(?:kill|hurt|harm|beat|hit|take|leave with|report|"
         r"deport|call immigration|out me|post|share|ruin|destroy|burn|get rid of|end|stab|shoot|strangle|throw me|"
         r"kick me out|call the police on me|cut me off|commit suicide|hurt (?:himself|herself)|(?:send|leak|show|"
         r"release|expose|post|share) (?:my |the |our |those |them |all )?(?:\w+ )?(?:photos|pictures|pics|videos|"
         r"nudes|messages|texts|secrets|to)|smack|slap|punch|kick|choke|break|hide|throw (?:out|away)|sell)\b",
         neg=True),
    _cue("threat", r"\brussian roulette\b"),
    _cue("threat", r"\b(?:threatens|threatened|threatening) (?:me|my|us|the kids|our)\b", neg=True),
    _cue("threat", r"\b(?:he|she|they)(?:'ll| will| would|'d| is going to|'s going to|"
         r" was going to) (?:\w+ )?(?:kill|hurt|harm|beat|stab|shoot) (?:me|us|himself|herself|themselves|the kids|"
         r"my (?:dog|cat|kids|children|family|mum|mom|dad|sister|brother))\b"),
    # a threat tied to leaving, telling, or disobeying
    _cue("threat", rf"\b{_SUBJ}(?:'ll| will|'d| would| is going to|'s going to| was going to| said (?:he|she|"
         r"they)(?:'d|'ll))(?: \w+){0,2} (?:tell (?:my (?:family|parents|boss|work|friends)|everyone|people|"
         r"the (?:court|judge|police|social services))\b|make sure (?:no one|nobody|no-one|i|the kids|you)\b|"
         r"ruin (?:me|my)\b|report me\b|out me\b|(?:post|share|send|leak) (?:my|the|our|those|"
         r"these) (?:\w+ )?(?:photos|pictures|pics|videos|nudes|messages)\b|take (?:the|my|our) (?:kids|children|"
         r"baby|son|daughter)\b|get rid of (?:her|him|it|the|my|our)\b|make me (?:pay|regret|sorry)\b|destroy (?:me|"
         r"my)\b|have me (?:deported|arrested|sectioned)|call the (?:police|cops) (?:on me|and (?:tell|say)))"),
    _cue("threat", r"\bi'?ll never see (?:the|my|our) (?:kids|children|baby|son|daughter)\b"),
    _cue("threat", r"\bif (?:he|she|they) can'?t have (?:me|you),? (?:nobody|no one|no-one)\b"),
    _cue("threat", r"\b(?:you'?ll|you will|you'?re going to) regret (?:this|it|that|leaving|the day)\b(?! not)|"
         r"\bmake (?:me|you) regret\b"),
    _cue("threat", r"\bknows? where (?:my|your) (?:\w+ )?(?:lives|works|live|work|is staying|goes to school)\b"),
    _cue("threat", r"\bbe careful\b.{0,60}\baccidents? (?:happen|can happen|could happen)\b"),
    _cue("threat", r"\b(?:said|says|told me|threatened|warned me|swore)\b[^.]{0,60}\b(?:i|you)(?:'ll|"
         r" will)? (?:won'?t|will not|wouldn'?t|never) be able to (?:walk|stand|sit|see|talk|move|breathe)\b"),
    _cue("threat", r"\bsaid,? [\"“']?next time[\"”']?[.!]*$"),
    _cue("threat", r"\b(?:teach(?:ing)? me a lesson|learn(?:ed|t)? (?:some )?respect|put me in my place)\b"),
    _cue("threat", r"\b(?:there'?ll|there will|there'?s going to) be consequences\b|\b(?:nobody|no one|"
         r"no-one) (?:would|will) (?:ever )?find (?:me|you|your body|my body)\b"),
    _cue("threat", r"\b(?:punch(?:es|ed)?|kick(?:s|ed)?|smash(?:es|ed)?|slam(?:s|med)?) (?:a |the |"
         r"holes in the )?(?:walls?|doors?|table|things|my (?:phone|things|stuff))\b", neg=True, partner_acts=True),
    _cue("threat", rf"\b{_SUBJ} (?:\w+ ){{0,2}}(?:smash(?:ed|es)?|broke|breaks|destroyed|kicked in|punched|"
         r"put (?:his|her) fist through) (?:the|a|our) (?:\w+ )?(?:table|door|chair|window|tv|telly|wall|mirror|"
         r"plates?|glass|windscreen|steering wheel|dashboard)\b"),
    _cue("threat", rf"\b{_SUBJ} (?:\w+ ){{0,2}}(?:smash(?:ed|es)?|broke|breaks|destroyed|destroys|ripped up|tore up|"
         r"burn(?:ed|t|s)?|cut up) (?:all )?(?:of )?my (?:\w+ )?(?:phone|guitar|laptop|things|stuff|belongings|"
         r"clothes|glasses|car|photos|computer|tablet|possessions|keys)\b"),
    _cue("threat", r"\b(?:block(?:s|ed|ing)?|stand(?:s|ing)? in) (?:the )?(?:door|doorway|exit|way out)\b",
         neg=True, partner_acts=True),
    _cue("threat", r"\b(?:won'?t|wouldn'?t|doesn'?t|didn'?t) let me (?:leave|out|go out|out of the (?:house|room|"
         r"car))\b"),
    _cue("threat", r"\block(?:s|ed|ing)? me (?:in|out)\b", neg=True),
    _cue("threat", r"\b(?:standing|stands|stood|towering|towers|towered) over (?:me|the bed|my bed)\b|\b(?:cornered|"
         r"corners|cornering) me\b|\bbacked me (?:into|against)\b|\b(?:screams?|screamed|screaming|yell(?:s|ed|"
         r"ing)?|shout(?:s|ed|ing)?) in my face\b|\bface (?:right )?(?:up )?(?:against|in|into) mine\b",
         neg=True, partner_acts=True),
    _cue("threat", r"\b(?:take|took|takes) (?:away )?(?:the kids|the children|my kids|my children)\b(?=.*(?:if|"
         r"leave|away))"),
    _cue("threat", r"\b(?:if i (?:leave|left|tell|told)|when i (?:try to )?leave),? (?:he|she|they)(?:'ll| will|"
         r" would|'d| said)"),
    # a weapon in the partner's hand; owning one only counts in a fight
    _cue("threat", rf"\b{_SUBJ} (?:\w+ ){{0,3}}(?:holding|held|holds|pulled|pulls|waved|waves|pointed|points|"
         r"grabbed|grabs|picked up|brandish\w*|came at me with|threatened me with|took out|reached for) (?:a |the |"
         r"his |her |their )?(?:\w+ )?(?:knife|gun|weapon|bat|hammer|machete|blade)\b"),
    _cue("threat", rf"\b{_SUBJ} (?:\w+ ){{0,3}}(?:sleeps with|keeps|has|had|got) (?:a |the |his |her |their )?"
         r"(?:\w+ )?(?:knife|gun|weapon|machete)\b(?=.*\b(?:argu\w*|fight\w*|row|shout\w*|scream\w*|threat\w*|angry|"
         r"drunk|at me|point\w*|hit\w*|slap\w*)\b)"),
    _cue("threat", r"\bbegg(?:ed|ing) (?:him|her|them) to (?:stop|slow down|let me go|put (?:it|me|her|him) down)\b|"
         r"\b(?:put|drive|crash) (?:us|me) into (?:the|a) (?:barrier|wall|tree|river|lorry|truck|oncoming traffic)\b"),
    _cue("threat", r"\b(?:with|holding) (?:a|the|his|her) (?:knife|gun|weapon)\b(?=.*\b(?:me|us|argu\w*|fight\w*)\b)"),
    # driving as a weapon: only with intent or anger ("he drives too fast" alone is a common complaint)
    _cue("threat", rf"\b{_SUBJ} (?:\w+ ){{0,2}}(?:drives?|drove|driving) (?:\w+ ){{0,2}}(?:dangerously|recklessly|"
         r"too fast|fast)\b(?=.*\b(?:on purpose|to (?:punish|scare|frighten|teach|get back at|make a point)|"
         r"when (?:he|she|they)(?:'s| is|'re| are) (?:angry|mad|furious|drunk)|angry with me|with the (?:baby|"
         r"kids))\b)"),
    _cue("threat", r"\b(?:drives?|drove|driving|walks?|walked|waits?|waited|waiting|parks?|parked|sits?|"
         r"sat) (?:past|outside|by) (?:my|our) (?:house|home|flat|work|office|door|place|school|"
         r"gym)\b(?=.*\b(?:night|again|times|every|still|ex)\b)|\bfollow(?:s|ed|ing)? me (?:home|to work|everywhere|"
         r"around)\b"),
    _cue("threat", r"\b(?:my )?(?:visa|immigration status|residency|papers|green card) (?:depends|relies|"
         r"is tied) on (?:him|her|them|my (?:husband|wife|partner))\b|\b(?:report|reporting) me to (?:immigration|"
         r"the home office|ice)\b"),
    # --- abuse: fear of the partner ------------------------------------------------------------------
    _cue("fear", rf"\b(?:afraid|scared|terrified|frightened|fearful) of (?P<cue>{_HIM})", neg=True),
    _cue("fear", r"\b(?:afraid|scared|terrified|frightened) (?:to (?:go home|go in|go inside|come home|go back|"
         r"leave(?! (?:my|the|a|this|home|house|work|bed|class|school|room)\b)|say no|disagree|upset (?:him|her|"
         r"them)|make (?:him|her|them) angry))", neg=True),
    _cue("fear", r"\b(?:scared|afraid|terrified) (?:of )?what (?:he|she|they)(?:'ll| will|'d| would| might)? (?:do|"
         r"say)\b", neg=True),
    _cue("fear", r"\b(?:he|she|they|my (?:partner|husband|wife|boyfriend|girlfriend))(?:'s| is| gets?| can get|"
         r" becomes?| can be)? (?:\w+ )?(?:scary|scaring me|frightening me|terrifying me|intimidating)\b", neg=True),
    _cue("fear", rf"\b{_SUBJ} (?:\w+ ){{0,2}}(?:scares|frightens|terrifies|intimidates) me\b", neg=True),
    _cue("fear", r"\bon eggshells\b"),
    _cue("fear", r"\bplan (?:my|our) (?:whole |entire )?(?:day|days|life|evenings?|week|schedule) around (?:his|her|"
         r"their) (?:mood|moods|temper|anger)\b"),
    _cue("fear", r"\b(?:his|her|their) (?:temper|rage|anger|moods?) (?:scares?|terrif\w+|frighten\w*)\b"),
    _cue("fear", r"\bflinch(?:es|ed|ing)?\b", neg=True),
    _cue("fear", r"\bsleep(?:s|ing)? with (?:my |the )?(?:car )?keys\b|\bsleep(?:s|ing)? with (?:the |"
         r"my )?(?:bedroom )?door locked\b"),
    _cue("fear", r"\b(?:keep|keeps|kept|have|packed) (?:a |my )?(?:bag|go[- ]bag) (?:packed|ready|hidden)\b"),
    _cue("fear", r"\b(?:hide|hid|hiding|stash\w*|put(?:ting)? aside|sav(?:e|ing)) (?:\w+ ){0,2}(?:cash|"
         r"money)\b(?=.*\b(?:in case|get out|escape|leave|run)\b)|\bin case i (?:ever )?(?:need|have) to (?:get out|"
         r"leave|run|escape)\b"),
    _cue("fear", r"\bplan(?:ning|ned)? (?:the|my|an|our) (?:way|route) out\b|\bescape (?:route|plan)\b"),
    _cue("fear", r"\b(?:hide|hid|hiding|lock(?:ed|s|ing)? myself) in the (?:bathroom|bedroom|car|toilet|"
         r"room)\b(?=.*\b(?:he|she|they|him|her|them)\b)|\b(?:hide|hid|hiding|hidden) from (?:him|her|"
         r"them)\b(?= (?:in|when|until|whenever|every|at night))"),
    _cue("fear", r"\b(?:not|don'?t) feel safe (?:at home|with (?:him|her|them|my partner)|in my (?:own )?home)\b"),
    _cue("fear", r"\bfear for my (?:life|safety)\b"),
    _cue("fear", r"\b(?:calm|placate|appease|keep) (?:him|her|them) (?:down|calm|happy) (?:so|before|or else)\b"),
    _cue("fear", r"\bso (?:he|she|they) (?:doesn'?t|don'?t|won'?t) (?:explode|blow up|get angry|lose it|snap|rage|"
         r"go off)\b"),
    _cue("fear", r"\b(?:restraining|protective|protection|non-molestation) order\b|\b(?:women'?s|domestic violence|"
         r"dv|abuse) (?:shelter|refuge)\b|\b(?:to|at|in|into|from) (?:a|the) (?:women'?s )?refuge\b"),
    # the police or a shelter, where a partner is in the picture: weak, because a friend's story or a
    # noise complaint mentions the police too
    _weak("fear", r"\b(?:call|called|calling|rang|phoned|contact(?:ed|ing)?|went to|go to|going to|report(?:ed|"
          r"ing)? (?:it|him|her|them) to) the (?:police|cops)\b|\bpolice (?:came|arrived|were called|showed up|"
          r"report)\b|\b(?:went|go|going|moved|stay(?:ed|ing)?|live|living|fled|ran) (?:to|at|in|into) (?:a|"
          r"the) shelter\b", needs=r"\b(?:he|she|him|her|partner|husband|wife|boyfriend|girlfriend|ex)\b"),
    # --- abuse: sexual coercion ------------------------------------------------------------------------
    _cue("sexual", r"\b(?:force[sd]?|forcing|pressur(?:e|es|ed|ing)|guilt(?:s|ed)?|coerc\w*|made|makes) me (?:into |"
         r"to )?(?:have )?(?:sex|sexual|do (?:sexual )?things|sleep with|things (?:in bed|sexually)|stuff (?:in bed|"
         r"sexually))", neg=True),
    _cue("sexual", r"\b(?:doesn'?t|won'?t|didn'?t) (?:take|accept|stop (?:at|when i say)) no\b|"
         r"\bsaid no,? and (?:he|she|they) (?:didn'?t|did not|wouldn'?t|kept going|carried on)\b"),
    _cue("sexual", r"\b(?:kept|keeps|keep) (?:on )?(?:pressuring|pushing|asking|begging|going|"
         r"on at me) (?:me )?(?:after|even after|when|until) i(?:'d| had)? (?:said|say) no\b|"
         r"\buntil (?:it was easier to )?(?:i )?(?:just )?let it happen\b"),
    _cue("sexual", r"\b(?:didn'?t|did not|doesn'?t|does not|won'?t|wouldn'?t) stop when i (?:said|say|told (?:him|"
         r"her|them)) (?:no|stop)\b"),
    _cue("sexual", r"\bwhen i (?:said|say) no\b(?=.*(?:anyway|kept (?:going|on)|didn'?t stop|carried on|sex|angry|"
         r"sulk|punish|let it happen|gave in))"),
    _cue("sexual", r"\b(?:rape|raped|raping|sexual(?:ly)? (?:assault|abuse)\w*)\b", neg=True),
    _cue("sexual", r"\bwhile i (?:was|am) (?:asleep|sleeping|drunk|passed out)\b(?=.*(?:touch|sex|undress))"),
    _cue("sexual", r"\b(?:my|your|a wife'?s|wifely|marital) (?:duty|obligation)\b(?=.*\b(?:bed|sex|intimate|"
         r"sleep with)\b)|\b(?:bed|sex)\b.*\bmy (?:wifely |marital )?(?:duty|obligation)\b"),
    _cue("sexual", r"\b(?:good|proper|real) (?:wife|husband|girlfriend|boyfriend|partner) (?:doesn'?t|does not|"
         r"never|wouldn'?t) (?:say no|refuse|deny)\b"),
    _cue("sexual", r"\b(?:said|says|tells me|told me) i owe(?:d)? (?:him|her|them)\b(?! (?:money|£|\$|\d|for|"
         r"a favou?r|an apology|dinner|lunch|a drink))"),
    # --- abuse: threats to children or pets ------------------------------------------------------------
    _cue("children", r"\b(?:hurt|hit|kick|kicked|kicks|hits|harm|threaten\w*|drown|get rid of|throw\w*|"
         r"threw) (?:the|my|our) (?:dog|cat|puppy|kitten|pet|pets|kids|children|son|daughter|baby|hamster|"
         r"rabbit)\b(?!.*\b(?:toy|game|ball)\b)", neg=True),
    _cue("children", r"\bheld (?:the|my|our) (?:cat|dog|pet|puppy|kitten|hamster|rabbit|baby) (?:over|out of|"
         r"under)\b|\bhid(?:es|ing)? (?:\w+ ){0,4}when (?:he|she|daddy|dad|mum|mummy|(?:his|her|my|"
         r"their) \w+) (?:shouts|yells|screams|gets angry|rages|is drunk|drinks|comes home)\b"),
    _cue("children", r"\b(?:the|my|our) (?:cat|dog|pet|puppy|kitten|hamster|rabbit)(?: will| would|'ll|"
         r"'d)? [\"“']?disappear"),
    _cue("children", r"\b(?:hit|hits|beat|beats|whip\w*|smack\w*|slap\w*|belt\w*) (?:our|my|the|his|her) (?:son|"
         r"daughter|kids?|children|child|baby|boy|girl)\b(?=.*\b(?:belt|hard|bruise|with a|again)\b)"),
    # --- coercive control: money, documents, phone, movements, contacts, body ------------------------
    # (routes to "abuse"; the journal classifier files these under "controlling", not abuse_risk)
    _cue("control", r"\b(?:takes|took|keeps|kept|controls|controlled|holds|held|hid|hides|"
         r"withh[eo]lds?) (?:all )?(?:of )?my (?:wages|paycheck|pay|salary|money|bank card|cards|passport|phone|"
         r"keys|car keys|house keys|documents|id|wallet|purse)\b(?!.*\b(?:to help|for safekeeping i asked)\b)"),
    _cue("control", r"\b(?:hid|hides|hide|hiding|took|takes|keeps|kept|locked|locks|confiscat\w+|"
         r"withh[eo]ld\w*) (?:away )?(?:my|our) (?:passport|documents|papers|birth certificate|visa)\b|"
         r"\bmy passport back\b|\b(?:keeps?|kept) (?:it|them) locked (?:up |away )?in (?:his|her|their) (?:safe|"
         r"drawer|car|office)\b"),
    _cue("control", r"\b(?:hand|give|turn) over (?:all )?(?:of )?my (?:wages|pay|salary|money|paycheck|earnings|"
         r"benefits)\b"),
    _cue("control", r"\b(?:gives|gave) me an allowance\b|\b(?:makes? me|have to|must) (?:show|hand|give|"
         r"account for) (?:him|her|them) (?:every |all |the )?(?:receipts?|my (?:wages|pay|salary|money|"
         r"bank statements?))\b|\bchecks? (?:every|all) (?:of )?(?:my )?(?:receipts?|purchases?|spending|"
         r"bank statements?)\b"),
    _cue("control", r"\b(?:i(?:'m| am| was|'ve been| have been)? (?:not|never|no longer) (?:even )?allowed|"
         r"i wasn'?t allowed|(?:won'?t|doesn'?t|didn'?t|wouldn'?t) let me|forbid(?:s|den)? me|(?:he|she|"
         r"they) (?:doesn'?t|won'?t|does not|will not|didn'?t) allow me) (?:to )?(?:see|visit|talk|call|text|go|"
         r"wear|work|have|leave|drive|spend|eat|sleep|use|my own)\b(?! (?:his|her|their)\b)"),
    _cue("control", r"\blet me have (?:my own|a) (?:phone|bank (?:card|account)|money|car|job|friends|key)\b"),
    _cue("control", r"\b(?:track(?:s|ed|ing)?|monitor(?:s|ed|ing)?|spy(?:ing)? on|spies on) (?:my|me|where i)\b"),
    _cue("control", r"\b(?:put|puts|installed|installs|hid|hidden|set up) (?:\w+ ){0,2}(?:cameras?|trackers?|"
         r"tracking (?:app|device)|spyware|a tracker|an airtag|gps)\b(?=.*\b(?:watch|monitor|spy|check|track|"
         r"see what i|on me|my (?:car|phone|bag)|without)\w*)", partner_acts=True),
    _cue("control", r"\b(?:reads|checks|goes through|searches|(?<!\bi )(?:went through|read|checked|"
         r"searched)) (?:all )?(?:of )?my (?:phone|messages|texts|emails|email|dms|bag)\b(?=.*(?:every|always|"
         r"constantly|demands|makes me|each|nightly|without|hits|talk to|\ball\b))"),
    _cue("control", r"\b(?:demands|makes me (?:give|hand|share)|insists on) (?:my )?(?:passwords?|passcodes?|phone|"
         r"location)\b"),
    _cue("control", r"\b(?:cut|cuts|cutting) me off from (?:my )?(?:friends|family|everyone|my (?:mum|mom|dad|"
         r"parents|sister|brother))\b|\b(?:deleted|deletes|blocked|blocks|removed|"
         r"removes) (?:all )?(?:of )?my (?:friends|contacts|family|numbers)\b"),
    _cue("control", r"\bhas to approve (?:what|who|where|everything|my)\b|\bcontrol(?:s|led|ling)? (?:what|who|"
         r"where|when|how much) i (?:eat|wear|see|go|spend|talk|say|do)\b|\b(?:weighs|weighed|weighing) me\b"),
    _cue("control", r"\b(?:grab|snatch|took|take|yank|rip)\w* (?:my )?phone (?:out of my hands?|from me|"
         r"away from me|and (?:threw|throws|smashed|smashes|broke|breaks|hid|hides))\b"),
    _cue("control", r"\binterrogat(?:e|es|ed|ing) me\b|\b(?:held|holds|keeps) my phone (?:out of (?:my )?reach|"
         r"away from me)\b"),
    _cue("control", r"\bdisciplin(?:e|es|ed|ing) me\b"),
    # --- weak abuse signals: only two different ones together route --------------------------------
    # anger aimed at things, fists, an anger display that scared the writer
    _weak("threat", r"\bhole in the (?:\w+ )?(?:wall|door)\b"),
    _weak("threat", r"\b(?:his|her|their) fists?\b|\bfists? clenched\b|\bclenched (?:his|her|their )?fists?\b"),
    # hypervigilance: the body reacting to the partner coming home, keeping the children out of sight
    _weak("fear", r"\bmy stomach (?:drops|dropped|sinks|sank|knots|lurches)\b"),
    _weak("fear", r"\bhear (?:his|her|their) (?:key|car|footsteps)\b"),
    _weak("fear", r"\b(?:it|that|this) (?:really )?(?:scared|frightened|terrified) me\b"),
    _weak("threat", r"\b(?:punched|kicked|threw|smashed|slammed) (?:a |the )?(?:cushion|pillow|chair|cupboard|plate|"
          r"glass|mug)\b|\b(?:shouted|screamed|yelled|raged)\b"),
    _weak("fear", r"\b(?:kids|children) (?:are )?(?:in bed|upstairs|asleep|out of the way) before (?:he|she|"
          r"they) (?:gets?|comes?) (?:back|home|in)\b"),
    _weak("fear", r"\b(?:don'?t|shouldn'?t|do not) (?:need|have) to (?:see|hear) (?:it|that|this) again\b"),
    # police at the door, and covering for the partner afterwards
    _weak("fear", r"\b(?:neighbou?rs?|someone|somebody|they) (?:called|rang|phoned) the (?:police|cops)\b"),
    _weak("fear", r"\btold (?:the )?(?:officers?|police|cops) (?:it was|that|nothing|everything)\b"),
    # harassment, veiled threats, "he didn't hit me" (said only when hitting is on the writer's mind)
    _weak("threat", r"\btexted me (?:\d+|\w+ty|dozens of|hundreds of) times\b"),
    _weak("threat", r"\bsort (?:him|her|them|you|me) out\b|\b(?:said|says|hissed|snarled),? [\"“']?(?:try it|"
          r"i dare you|just try|go on then|don'?t you dare)\b"),
    _weak("threat", r"\b(?:don'?t|do not) know when (?:he|she|they) will\b|\bnext time,? (?:he|she|they)(?:'d|'ll|"
          r" would| will)\b"),
    _weak("threat", r"\b(?:he|she|they) (?:didn'?t|hasn'?t) (?:actually )?hit me\b|\bstood (?:very |really |right |"
          r"so )close\b"),
    _weak("fear", r"\bi couldn'?t breathe\b|\bi'?m (?:so |really )?(?:terrified|petrified)\b|"
          r"\bmy stomach (?:hasn'?t settled|is in knots|turned)\b"),
    _weak("fear", r"\b(?:cat|dog|pet|puppy|kitten) (?:went|has gone|is) missing\b"),
    _weak("fear", r"\b(?:listen(?:ing)? for|check(?:ing)?|gaug(?:e|ing)|read(?:ing)?) (?:what|which) mood (?:he|she|"
          r"they)(?:'s| is|'re| are)? in\b"),
    _weak("fear", r"\bjump every time (?:the )?(?:front )?door opens\b"),
    # covering up marks
    _weak("violence", r"\b(?:long sleeves|high[- ]neck\w*|polo[- ]necks?|turtle[- ]?necks?|concealer)\b|"
          r"\bmy (?:cheek|eye|arm|neck|wrist) is (?:purple|black|blue|swollen)\b"),
    _weak("violence", r"\b(?:nobody|no one|people|anyone)\b (?:\w+ ){0,3}(?:needs? to|should|can'?t|"
          r"mustn'?t) see (?:my|the) (?:neck|arms|wrists|marks|bruises|face)\b"),
]
# fmt: on


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
    # Weak cues that did not count: kept for debugging and evaluation only.
    weak: list[Cue] = field(default_factory=list)

    @property
    def crisis(self) -> bool:
        return any(c.category == "crisis" for c in self.cues)

    @property
    def abuse(self) -> bool:
        return any(c.category != "crisis" for c in self.cues)

    def categories(self) -> set[str]:
        return {c.category for c in self.cues}


_NEGATION = re.compile(
    r"\b(?:not|never|no longer|don'?t|doesn'?t|didn'?t|isn'?t|wasn'?t|won'?t|wouldn'?t|hasn'?t|"
    r"haven'?t|nobody|no one|stopped)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# "I'm not sure I want to die" keeps the cue: hedges are not denials.
_HEDGE = re.compile(r"\bnot (?:sure|certain)\b|\bdon'?t know\b", re.IGNORECASE)
# The writer as the subject right before a cue ("I even start throwing things"), with no partner
# named in between ("when I disagree he throws things" keeps the cue).
_WRITER_ACTS = re.compile(
    r"\b(?:i|i'?ve|i'?m|i'?ll|i'?d|we)\s+(?:(?!(?:he|she|they|him|her|them|when|if|because|and|but|"
    r"then)\b)\w+\s+){0,3}$",
    re.IGNORECASE,
)
_HYPOTHETICAL_MEDIA = re.compile(r"\b(?:character|protagonist|in the (?:film|movie|book|show))\b", re.I)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text) if s and s.strip()]


def _neutralise(sentence: str) -> str:
    # Replace idioms with spaces of the same length so character offsets stay valid.
    return _HARMLESS_RE.sub(lambda m: " " * len(m.group(0)), sentence)


def _negated(clean: str, start: int) -> bool:
    before = clean[max(0, start - 40) : start]
    return bool(_NEGATION.search(before)) and not _HEDGE.search(before)


def screen(text: str) -> SafetyResult:
    """Deterministic crisis/abuse screen. Crisis outranks abuse when both are present."""
    sents = sentences(text)
    cleaned = [_neutralise(s.translate(_QUOTES)) for s in sents]
    # Each rule runs once over the whole text, one sentence per line: no pattern crosses a line
    # (they use literal spaces, and "." stops at a newline), and "$" ends a sentence.
    whole = "\n".join(cleaned)
    starts = [0]
    for c in cleaned[:-1]:
        starts.append(starts[-1] + len(c) + 1)
    low = whole.lower()
    strong: list[Cue] = []
    weak: dict[str, list[tuple[int, Cue]]] = {"crisis": [], "abuse": []}
    for r_id, rule in enumerate(_RULES):
        if rule.anchors is not None and not any(a in low for a in rule.anchors):
            continue  # none of the words this rule needs is in the text: skip the regex
        if rule.needs is not None and not rule.needs.search(whole):
            continue
        for m in rule.rx.finditer(whole):
            i = bisect_right(starts, m.start()) - 1
            clean, base = cleaned[i], starts[i]
            start, end = m.start() - base, m.end() - base
            if rule.negatable:
                at = (m.start("cue") if "cue" in rule.rx.groupindex else m.start()) - base
                if _negated(clean, at):
                    continue
            if rule.partner_acts and _WRITER_ACTS.search(clean[max(0, start - 40) : start]):
                continue
            if rule.category == "crisis" and _HYPOTHETICAL_MEDIA.search(clean) and "i " not in clean.lower()[:start]:
                continue
            cue = Cue(rule.category, sents[i][start:end], i, start, end)
            if rule.weak:
                weak["crisis" if rule.category == "crisis" else "abuse"].append((r_id, cue))
            else:
                strong.append(cue)
    # Weak cues count when two different ones agree, or next to a strong cue of the same kind.
    cues = list(strong)
    unused: list[Cue] = []
    for kind, found in weak.items():
        has_strong = any((c.category == "crisis") == (kind == "crisis") for c in strong)
        if has_strong or len({r_id for r_id, _ in found}) >= 2:
            cues += [c for _, c in found]
        else:
            unused += [c for _, c in found]
    cues.sort(key=lambda c: (c.sentence, c.start))
    level: Level = "none"
    if any(c.category == "crisis" for c in cues):
        level = "crisis"
    elif cues:
        level = "abuse"
    return SafetyResult(level, cues, unused)


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
    items = tuple(Resource(r["region"], r["kind"], r["name"], str(r["contact"]), r["how"]) for r in data["resources"])
    return Resources(items, str(data.get("reviewed", "")))


_REGION_NAMES = {"US": "United States", "UK-IE": "UK and Ireland", "EU": "European Union", "international": "Anywhere"}


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
        parts += [
            "",
            "Because you also mentioned being hurt or threatened:",
            *_resource_lines(resources.pick(("abuse",), region)),
        ]
    parts += [
        "",
        "If it feels hard to call, texting is fine, and so is telling someone you trust, "
        '"I\'m not okay and I need you with me."',
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
        '"the right way" can keep you focused on managing their reactions instead of on your safety. '
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
