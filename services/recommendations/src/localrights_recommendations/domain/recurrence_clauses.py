"""What a recommendation asks for in general besides its specific steps, clause by clause.

One recommendation often asks for several things at once ("Raise awareness of FGM and adopt
legislation prohibiting it and continue to implement programmes ..."). Such a text names a law
among its asks, but it also asks, in general, for the issue to be dealt with, so a later
general ask on that issue can repeat it; a text asking for the law alone cannot. The rules
therefore split a text into the clauses it asks in (at "; ", or at "and", "as well as" or
"including by" followed by a verb) and keep the issues of those asking for no specific step.
"""

from __future__ import annotations

import re

from localrights_recommendations.domain.recurrence_lexicon import (
    actions_of,
    asks_to_join,
    instruments_of,
    issues_of,
)

# The verbs a UPR recommendation asks with, as the first word of a clause ("and adopt",
# "including by adopting", "as well as to reduce").
_VERBS = (
    r"(?:adopt|take|ensur|provid|promot|continu|strengthen|establish|implement|improv|increas|"
    r"elaborat|develop|combat|eliminat|rais|look|reform|allocat|consider|creat|enhanc|"
    r"intensif|guarante|protect|prevent|investigat|prosecut|conduct|set up|put in place|"
    r"step up|redoubl|accelerat|pursu|review|revis|amend|enact|approv|apply|monitor|shar|"
    r"seek|expand|encourag|support|address|fight|remov|abolish|repeal|train|educat|reduc|"
    r"harmoni[sz]|bring|give|mak|draw up|invest|finali[sz]|criminali[sz]|"
    r"prohibit|facilitat|allow|accept|extend|respect|condemn|integrat|includ|incorporat|"
    r"speed up|end|eradicat|sensiti[sz]|disseminat)"
    r"(?:e|es|s|ed|ing|ies|y)?\b"
)
_CLAUSE_BREAK = re.compile(
    rf"; |\. |,? (?:and|as well as|while|including(?: by| through)?|in particular by)"
    rf" (?:more generally |also |further |to )?(?={_VERBS})"
)
_ENDS_WITH_VERB = re.compile(rf"\b{_VERBS}$")


def clauses_of(text: str) -> list[str]:
    """The clauses a normalised text asks in."""
    clauses: list[str] = []
    for part in _CLAUSE_BREAK.split(text):
        if clauses and _ENDS_WITH_VERB.search(clauses[-1].rstrip()):
            # "to prevent and fight racist violence": two verbs of one ask, not two asks.
            clauses[-1] = f"{clauses[-1]} and {part}"
        elif part.strip():
            clauses.append(part)
    return clauses


def issues_asked_in_general(text: str) -> frozenset[str]:
    """The issues of a normalised text's clauses that ask for no specific step (no law, plan,
    moratorium, invitation, treaty ... among ``ACTIONS``)."""
    found: set[str] = set()
    for clause in clauses_of(text):
        if not actions_of(clause, instruments_of(clause), asks_to_join(clause)):
            found |= issues_of(clause)
    return frozenset(found)
