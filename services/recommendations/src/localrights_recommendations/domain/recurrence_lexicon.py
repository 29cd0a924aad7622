"""What the recurrence matcher knows about UPR texts beyond their words: a small rule set.

Treaties under their many names ("CPED", "the International Convention for the Protection of
All Persons from Enforced Disappearance"), the issues recommendations are about, the groups
of people they name, the kinds of step they ask for, and the words every recommendation
uses. Kept apart from the matcher so that reading one does not mean scrolling the other;
patterns apply to the lower-cased text of ``normalise``.
"""

from __future__ import annotations

import re

# Ratifying, acceding, signing: the ask is to join a treaty.
_JOIN = re.compile(
    r"\b(?:ratify|ratifying|ratification|accede|acceding|accession|adhere|adhering|"
    r"become (?:a )?part(?:y|ies))\b"
)

# Implementing, complying with, incorporating: the ask is to apply a treaty.
_APPLY = re.compile(r"\b(?:implement|comply|complies|complying|incorporat|obligations under)")

_CRC = r"(?:the )?(?:crc|convention on the rights of the child)"
# Treaties as recommendations name them, most specific first: an optional protocol's name
# contains its convention's, so a matched span is removed before the next pattern runs.
INSTRUMENTS: tuple[tuple[str, str], ...] = (
    (
        "op-cat",
        r"op-?cat\b|optional protocol (?:to|of) (?:the )?(?:un |united nations )?(?:convention "
        r"against torture|cat\b)",
    ),
    (
        "op2-iccpr",
        r"second optional protocol|op2-iccpr|optional protocol[^.;]{0,60}abolition of the death",
    ),
    (
        "op-icescr",
        r"op-icescr|optional protocol (?:to|of) the international covenant on economic",
    ),
    (
        "op-crc-ic",
        r"op-crc-ic|communications? procedure|third optional protocol",
    ),
    ("op-crc-sc", r"op-crc-sc|sale of children"),
    ("op-crc-ac", r"op-crc-ac|involvement of children in armed conflict"),
    # "the two optional protocols to the CRC", named no further: those of 2000 (AC and SC).
    ("op-crc-ac op-crc-sc", rf"(?:two )?optional protocols (?:to|of) {_CRC}"),
    ("op-crc", rf"optional protocols? (?:to|of) {_CRC}"),
    ("op-cedaw", r"optional protocol (?:to|of) (?:the )?(?:cedaw|convention on the elimination)"),
    (
        "op-crpd",
        r"optional protocol (?:to|of) (?:the )?(?:crpd|convention on the rights of persons)",
    ),
    (
        "ced",
        r"enforced disappearance|\bic?c?p?ped\b|\bcped\b|\bced\b",
    ),
    ("icrmw", r"migrant workers|\bicr?p?mw\b|\bmwc\b|\bcmw\b"),
    ("crpd", r"rights of persons with disabilities|\bcrpd\b"),
    ("cat", r"convention against torture|\bcat\b"),
    ("iccpr", r"international covenant on civil and political|\biccpr\b"),
    ("icescr", r"international covenant on economic|\bicescr\b"),
    ("crc", r"convention on the rights of the child|\bcrc\b"),
    ("cedaw", r"\bcedaw\b|elimination of (?:all forms of )?discrimination against women"),
    ("icerd", r"racial discrimination \(icerd\)|\bicerd\b"),
    ("rome-statute", r"rome statute|international criminal court|\bicc\b|kampala amendment"),
    ("ilo-169", r"\bilo\b[^;]{0,30}\b169\b|indigenous and tribal peoples"),
    ("ilo-189", r"\bilo\b[^;]{0,30}\b189\b|domestic workers convention|decent work for domestic"),
    ("istanbul", r"istanbul convention|preventing and combating violence against women"),
    ("coe-trafficking", r"council of europe convention on action against trafficking"),
    ("palermo", r"palermo protocol|prevent, suppress and punish trafficking"),
    ("statelessness", r"statelessness|status of stateless persons"),
    ("refugees-1951", r"1951 convention|status of refugees"),
    ("unesco-education", r"discrimination in education"),
    ("genocide", r"crime of genocide"),
    ("maputo", r"maputo protocol|rights of women in africa"),
    ("hague-adoption", r"intercountry adoption"),
)
_INSTRUMENTS = tuple((key, re.compile(pattern)) for key, pattern in INSTRUMENTS)
# A convention's optional protocol named only as "thereto" or "its optional protocol".
_THERETO = re.compile(r"optional protocols? thereto|\bits optional protocols?")
_PROTOCOL_OF = {
    "cat": "op-cat",
    "crpd": "op-crpd",
    "cedaw": "op-cedaw",
    "icescr": "op-icescr",
    "crc": "op-crc",
}

# What recommendations are about, as UPR texts name it in many ways ("prison overcrowding",
# "the penitentiary system", "conditions of detention"). Two texts on different issues are
# rarely a repeat however alike their wording ("protect women from domestic violence" /
# "protect LGBT persons"); two on the same one are worth a second look when their words
# differ. Some issues are an ask in themselves (an NHRI, the death penalty, the age of
# marriage); groups of people are what a text is about only together with an issue.
ISSUES: tuple[tuple[str, str], ...] = (
    ("nhri", r"national human rights (?:institution|commission)|paris principles|\bnhri\b"),
    (
        "npm",
        r"national (?:preventive |prevention )?mechanism (?:for|to|of) (?:the )?prevent\w* "
        r"(?:of )?torture|national preventive mechanism|\bnpm\b",
    ),
    ("prisons", r"prison|penitentiar|conditions? of detention|detention conditions|incarcerat"),
    (
        "juvenile-justice",
        r"juvenile justice|minors? in conflict|deprivation of liberty[^.;]{0,40}"
        r"(?:minor|child|juvenile)|(?:minor|child|juvenile)[^.;]{0,60}deprivation of liberty",
    ),
    (
        "gender-equality",
        r"gender (?:equality|equity|parity)|equal\w*(?: treatment| opportunit\w*| rights)? "
        r"(?:between|of|for) (?:women and men|men and women)|equality of (?:all )?women|"
        r"empower\w* (?:of )?women|participation of women",
    ),
    (
        "violence-against-women",
        r"violence against women|gender[- ]based violence|domestic violence|violence within the "
        r"family",
    ),
    ("discrimination-against-women", r"discriminat\w*[^.;]{0,30}(?:against|vis-a-vis) women"),
    (
        "women-at-work",
        r"equal pay|equal (?:remuneration|salary|wages?)|(?:women|gender)[^.;]{0,80}(?:labour "
        r"market|employment|workplace)|(?:labour market|employment)[^.;]{0,40}(?:women|gender)",
    ),
    ("trafficking", r"traffick"),
    (
        "sexual-exploitation-of-children",
        r"(?:sexual )?exploitation (?:and (?:sale|abuse) )?of children|child prostitution|"
        r"exploitation of (?:minors|child)",
    ),
    (
        "street-children",
        r"street children|children (?:living )?(?:on|in) the streets?|homeless children",
    ),
    ("child-labour", r"child labou?r"),
    ("racism", r"racis|racial discrimination|xenophob|racial(?:ly)? motivated"),
    (
        "hate-speech",
        r"hate (?:speech|crime)|incitement to (?:racial )?hatred|racist[^.;]{0,30}(?:speech|"
        r"statement|discourse|remark)",
    ),
    ("poverty", r"povert|social expenditure|basic needs"),
    ("school-dropout", r"drop-?out"),
    (
        "education",
        r"(?:access to|quality of|scope of|right to) (?:quality |its |the )?education|"
        r"education (?:system|sector)|education and its quality|quality education|"
        r"inclusive education|school enrol",
    ),
    (
        "human-rights-education",
        r"human rights (?:education|training)|training (?:for|of) (?:law enforcement|public "
        r"officials|police)|capacity[- ]building programmes? (?:of|for) law enforcement|"
        r"(?:educate|train)\w*[^.;]{0,20}(?:police|law enforcement|judges)[^.;]{0,60}human rights",
    ),
    (
        "torture-in-criminal-law",
        r"crime of torture|criminali[sz]e torture|torture[^.;]{0,60}(?:criminal|penal) "
        r"(?:code|law)|acts of torture are offences",
    ),
    ("death-penalty", r"death penalty|executions|capital punishment"),
    ("special-procedures", r"special procedures|mandate holders|special rapporteur"),
    ("treaty-bodies", r"treaty bod"),
    ("technical-assistance", r"technical assistance"),
    ("civil-society", r"civil society"),
    ("fgm", r"genital mutilation|\bfgm\b"),
    ("child-marriage", r"age (?:of|for) marriage|child marriage|early marriage"),
    ("corporal-punishment", r"corporal punishment"),
    (
        "same-sex-decriminalisation",
        r"decriminali[sz]\w*[^.;]{0,40}(?:homosexual|same[- ]sex|consensual)|criminali[sz]\w*[^.;]"
        r"{0,20}(?:homosexual|same[- ]sex)|homosexual\w*[^.;]{0,40}decriminali[sz]|"
        # "eliminate homosexuality as a criminal offence", "same-sex relations as a crime"
        r"(?:homosexual\w*|same[- ]sex \w+)[^.;]{0,30}\bas (?:a |an )?(?:criminal )?(?:offen[cs]e|"
        r"crime)",
    ),
    (
        "lgbt-discrimination",
        r"discriminat\w*[^.;]{0,40}(?:sexual (?:orientation|identity)|gender identity|homosexual|"
        r"\blgbti?\b)|(?:sexual orientation|gender identity|homosexual\w*|\blgbti?\b)[^.;]{0,30}"
        r"discriminat",
    ),
    ("journalists", r"journalist|press freedom|freedom of the (?:press|media)"),
    ("security-forces-impunity", r"security forces|impunity"),
    ("development-assistance", r"development assistance|\boda\b|0\.7 per ?cent"),
    ("birth-registration", r"birth registration"),
)
# Issues that say what is asked by themselves: no need to compare the kind of step. Not FGM:
# a law against it and ending it in practice are different steps.
ASKS = frozenset(
    {
        "nhri",
        "npm",
        "torture-in-criminal-law",
        "death-penalty",
        "child-marriage",
        "corporal-punishment",
        "same-sex-decriminalisation",
        "development-assistance",
        "birth-registration",
    }
)
GROUPS: tuple[tuple[str, str], ...] = (
    ("roma", r"\broma\b|\bsinti\b|travellers"),
    ("migrants", r"migrant|immigrant|non-?citizens"),
    ("refugees", r"asylum|refugee"),
    ("afro-descendants", r"african descent|afro-descendant"),
    ("indigenous", r"indigenous|pygm|mbororo"),
    ("lgbt", r"sexual orientation|gender identity|homosexual|same[- ]sex|\blgbti?\b"),
    ("disability", r"disabilit"),
)
_ISSUES = tuple((key, re.compile(pattern)) for key, pattern in ISSUES)
_GROUPS = tuple((key, re.compile(pattern)) for key, pattern in GROUPS)

# The kind of step a text asks for. Two texts on one subject that ask for different kinds of
# step ("adopt a national plan against trafficking" / "approve a trafficking law") are not a
# repeat: one status could not describe both.
ACTIONS: tuple[tuple[str, str], ...] = (
    (
        "plan",
        r"(?:action|national) plan|plan of action|\bstrateg|(?:comprehensive|national) programme",
    ),
    # "law enforcement", "the rule of law", "international law" and "existing laws" ask for
    # no new law.
    (
        "law",
        r"legislat|(?<!rule of )(?<!international )(?<!existing )\blaws?\b(?! enforcement)|"
        r"\bcode\b|criminali[sz]e|\bamend",
    ),
    ("moratorium", r"moratorium"),
    # Holding fewer people (less pre-trial detention, other penalties than prison) is another
    # step than improving the conditions of those held.
    (
        "custody",
        r"(?:review|reduc|decreas|limit|shorten)\w*[^.;]{0,40}pre-?trial detention|"
        r"alternatives? (?:penalties |sentences |measures )?to (?:the )?(?:prison|detention|"
        r"incarceration|imprisonment|deprivation of liberty)|alternative (?:penalties|sentences|"
        r"sentencing|measures)|non-custodial|(?:measure of )?last resort",
    ),
    # A standing invitation to every mandate holder is another step than one rapporteur's visit.
    ("standing-invitation", r"(?:standing|open) invitation"),
    (
        "visit",
        r"(?<!standing )(?<!open )invitation|(?:agree to|accept|allow|facilitate) (?:the |a )?"
        r"visit",
    ),
    # Protecting or assisting the victims of a harm is another step than ending it.
    (
        "victims",
        r"(?:protect|assist|support|identif|reintegrat|rehabilitat|redress|compensat)\w*"
        r"[^.;]{0,50}\bvictims?\b|\bvictims?\b[^.;]{0,20}(?:protection|assistance|support|"
        r"identification|reintegration|rehabilitation|redress)",
    ),
)
_ACTIONS = tuple((key, re.compile(pattern)) for key, pattern in ACTIONS)

# A body cited as the source of an ask ("as recommended by the Special Rapporteur on violence
# against women") says who asked before, not what is asked: its name would make the text look
# about special procedures or the CEDAW.
_BODY = (
    r"(?:the )?(?:un |united nations )?(?:(?:special rapporteurs?|independent experts?|working "
    r"group)(?: on (?:(?!\band the\b|\bregarding\b)[^.;,])*)?|committee (?:on|against) "
    r"(?:the )?(?:elimination of (?:all forms of )?(?:racial )?discrimination(?: against women)?|"
    r"rights of the child|rights of persons with disabilities|economic, social and cultural "
    r"rights|enforced disappearances?|migrant workers|torture)|human rights committee|committee "
    r"against torture|cedaw committee|treaty bodies|special procedures)"
)
_CITATION = re.compile(
    rf"(?:,? ?(?:as |issues |concerns )?(?:recommended|raised|requested|expressed|suggested|"
    rf"urged|called for|noted) by (?:both )?|recommendations? (?:of|by|made by) ){_BODY}"
    rf"(?: ?and {_BODY})*"
)

# What nearly every recommendation says: it tells nothing about what a text asks for.
_BOILERPLATE = re.compile(
    r"^(?:(?:continue|consider|further|also|urgently|effectively|fully|redouble|"
    r"intensify|pursue|maintain|step up|keep|make|take|adopt|undertake|strengthen|enhance|"
    r"increase|speed up|expedite|accelerate|its|their|the|all|necessary|additional|"
    r"further|concrete|effective|appropriate|specific|efforts?|measures?|steps?|action|"
    r"actions|initiatives?|possibility|of|to|and|in|with|towards?|on|for|"
    r"the process of|process|work(?:ing)?|the view)\b[\s,]*)+"
)
STOP_WORDS = frozenset(
    """a an and are as at be been by for from has have in into is it its of on or that the
    their them these this those to was were which with within will would including such
    also all any other its further continue continued continuing efforts effort measures
    measure take taking steps step ensure ensuring consider considering necessary
    appropriate effective effectively adequate concrete relevant particular particularly
    order view regard regards possible soon possibility state party country national
    """.split()
)


def normalise(text: str) -> str:
    """Lower case, plain quotes, one space; nothing else (the rules read this form)."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def instruments_of(text: str) -> frozenset[str]:
    """The treaties a normalised text names, most specific first (OP-CAT is not CAT)."""
    found: set[str] = set()
    rest = text
    for key, pattern in _INSTRUMENTS:
        if pattern.search(rest):
            if key == "op-crc":  # an optional protocol already named is not its convention
                if not found & {"op-crc-ic", "op-crc-sc", "op-crc-ac"}:
                    found.add(key)
            else:
                found.update(key.split())
            rest = pattern.sub(" ", rest)
    if _THERETO.search(text):  # "the CRPD and the optional protocol thereto"
        found.update(_PROTOCOL_OF[key] for key in found & _PROTOCOL_OF.keys())
    return frozenset(found)


def issues_of(text: str) -> frozenset[str]:
    """What a normalised text is about, among ``ISSUES``."""
    return frozenset(key for key, pattern in _ISSUES if pattern.search(text))


def groups_of(text: str) -> frozenset[str]:
    """The groups of people a normalised text names, among ``GROUPS``."""
    return frozenset(key for key, pattern in _GROUPS if pattern.search(text))


def actions_of(text: str, instruments: frozenset[str], joins: bool) -> frozenset[str]:
    """The kinds of step a normalised text asks for, among ``ACTIONS``; applying a treaty it
    names (not joining it) is one too."""
    found = {key for key, pattern in _ACTIONS if pattern.search(text)}
    if instruments and not joins:
        found.add("treaty")
    return frozenset(found)


def asks_to_apply(text: str) -> bool:
    """Whether a normalised text asks the State to apply a treaty ("and comply with its
    provisions"), which a text asking to ratify it may ask too."""
    return _APPLY.search(text) is not None


def asks_to_join(text: str) -> bool:
    """Whether a normalised text asks the State to ratify, accede to or sign a treaty."""
    return _JOIN.search(text) is not None


def strip_citations(text: str) -> str:
    """A normalised text without the bodies it cites as the source of its ask."""
    return _CITATION.sub(" ", text)


def strip_boilerplate(text: str) -> str:
    """A normalised text without the opening words every recommendation uses."""
    return _BOILERPLATE.sub("", text)
