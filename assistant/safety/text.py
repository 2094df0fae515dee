"""One sentence splitter and one negation helper, shared by the safety screen and journal/cues.py.

The negation helper is deliberately narrow. A denial cancels a phrase only when the negation
governs that phrase directly, in the same clause, with nothing but auxiliaries and adverbs in
between ("he has never hit me", "I'm not suicidal"). It never cancels when:
- the negation belongs to something else ("I'm not okay I want to die": "not" is about "okay");
- the clause is a purpose, fear, condition or question ("so he doesn't grab my wrist", "in case
  he doesn't ...", "how do I make sure he won't hit me", "what if he ...");
- another word stands between the negation and the phrase ("nobody knows he hits me").
A miss is worse than a false alarm, so when in doubt the phrase stands.

Journal pattern cues (journal/cues.py) are precision first instead, so they ask for the wider
reading with `wide=True`: the denial may stand a few words before the phrase ("he doesn't give me
the silent treatment") or be a negative subject ("nobody called me stupid"), still in the same
clause and never in a purpose, fear, condition or question clause. The safety screen never uses it.
"""

from __future__ import annotations

import re

_SENT = re.compile(r"(?<=[.!?;])\s+|\n+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "`": "'"})

# Words that may stand between a negation and the phrase it denies.
_FILLER = (
    r"(?:ever|even|actually|really|once|been|be|being|have|has|had|did|do|does|is|was|am|are|were|"
    r"physically|literally|truly|at all|yet|so|that|very|any(?:more)?)"
)
_NEGATOR = (
    r"(?:not|never|no longer|don't|dont|doesn't|doesnt|didn't|didnt|isn't|isnt|wasn't|wasnt|won't|"
    r"wont|wouldn't|wouldnt|hasn't|hasnt|haven't|havent|aren't|arent|weren't|werent|ain't|"
    r"i'm not|im not|he's not|she's not|they're not|cannot|can't|cant)"
)
_DENIAL = re.compile(rf"\b{_NEGATOR}\s+(?:{_FILLER}\s+){{0,2}}$", re.IGNORECASE)
# The wide reading (cues only): up to three words of any kind between the denial and the phrase,
# or a negative subject at the start of the clause ("nobody ever called me ...").
_DENIAL_WIDE = re.compile(rf"\b{_NEGATOR}\s+(?:[\w']+\s+){{0,3}}$", re.IGNORECASE)
_NEG_SUBJECT = re.compile(
    rf"^\s*(?:nobody|no one|no-one|noone|neither of (?:us|them)|none of (?:us|them))\s+(?:{_FILLER}\s+){{0,2}}$",
    re.IGNORECASE,
)
# A clause break: the denial must be in the same clause as the phrase.
_CLAUSE = re.compile(r"[,;:()\"—–-]|\b(?:but|and|or|because|though|although|yet|then|while|cause|cuz)\b", re.I)
# Clauses where a negation does not deny anything: purpose, fear, condition, questions.
_NOT_A_DENIAL = re.compile(
    r"\b(?:so|so that|in case|if|unless|when|whenever|before|until|till|afraid|scared|worried|terrified|"
    r"fear|hope|hoping|try|trying|tried|make sure|pray|praying|or else|otherwise|how|what|why|whether|"
    r"wish|wishing|pretend|pretending|says|said|tells|told|claims|insists|swears|promised|promises|"
    r"supposed|should|shouldn't|need|needs|want|wants|careful|just)\b",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Curly quotes straightened (same length, so offsets stay valid)."""
    return text.translate(_QUOTES)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text) if s and s.strip()]


def negated(before: str, *, wide: bool = False) -> bool:
    """Is the phrase that follows `before` (same sentence) plainly denied? See the module docstring."""
    clause = _CLAUSE.split(normalise(before))[-1]
    if wide:
        if not (_DENIAL_WIDE.search(clause) or _NEG_SUBJECT.search(clause)):
            return False
    elif not _DENIAL.search(clause):
        return False
    return not _NOT_A_DENIAL.search(clause)
