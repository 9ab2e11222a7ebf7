"""The hand-written rule base that read news before the learned model, kept as a
baseline: ``python -m bench.accuracy`` measures it beside the model in the same run.
It is not used by tactful itself. Its casualty figures share the number words of
``rules.news.casualties``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rules import places
from rules.kinds.base import age, result
from rules.kinds.news import RECENT_NEWS
from rules.news.casualties import _DEATH, _NOT_AFTER_KILLED, _NUM, _QUAL, to_int
from rules.regions import lineage
from rules.reports import NOT_A_TRAGEDY, Assessment, Entry

_result = result
_age = age
# ---------------------------------------------------------------------------------
# News text.


def _lc(pattern: str) -> re.Pattern[str]:
    """A pattern for lower-cased text. Case-insensitive matching is several times
    slower in ``re``, so news text is lower-cased once and matched case-sensitively;
    patterns that must see capitals (team names, "X blasts Y") run on the original."""
    out, escaped = [], False
    for char in pattern:
        out.append(char if escaped else char.lower())
        escaped = char == "\\" and not escaped
    return re.compile("".join(out).replace("(?p<", "(?P<").replace("(?p=", "(?P="))


def _lower(text: str) -> str:
    """``text`` lower-cased with every offset kept (a few characters grow when lowered)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c.lower()[:1] for c in text)


# Classes of kinds. A disaster or an attack with deaths is serious (2); a crime or an
# accident with one or two deaths is minor (1): shown to staff, never held by default.
_DISASTER = "disaster"
_ATTACK = "attack"
_CRIME = "crime"

_KIND_CLASS = {
    "earthquake": _DISASTER,
    "tsunami": _DISASTER,
    "flood": _DISASTER,
    "storm": _DISASTER,
    "hurricane": _DISASTER,
    "typhoon": _DISASTER,
    "cyclone": _DISASTER,
    "tornado": _DISASTER,
    "wildfire": _DISASTER,
    "volcano": _DISASTER,
    "landslide": _DISASTER,
    "avalanche": _DISASTER,
    "heatwave": _DISASTER,
    "explosion": _DISASTER,
    "collapse": _DISASTER,
    "stampede": _CRIME,
    "bombing": _ATTACK,
    "terror": _ATTACK,
    "war": _ATTACK,
    "shooting": _CRIME,
    "stabbing": _CRIME,
    "attack": _CRIME,
    "crash": _CRIME,
    "fire": _CRIME,
    "incident": _CRIME,
}

# Each kind: (strong, weak). A strong phrase names an act or an impact ("opened fire",
# "car bomb", "earthquake struck"); a weak one is a bare noun that needs support — a
# casualty figure, an impact verb, a named place — before it counts.
_KILL = r"kill(?:s|ed|ing)?"
_HIT = (
    r"(?:hit|hits|struck|strikes|rock(?:s|ed)?|slam(?:s|med)?|batter(?:s|ed)?|lash(?:es|ed)?|"
    r"pound(?:s|ed)?|ravag(?:es|ed)|devastat\w*|destroy\w*|flatten\w*|level(?:s|led)?|tore|"
    r"tears|rip(?:s|ped)|swept|sweeps|kill\w*|injur\w*|wound\w*)"
)
_VICTIMS = (
    r"(?:a |the )?(?:crowds?|people|worshippers|students|shoppers|protesters|passengers|"
    r"customers|diners|patrons|concertgoers|employees|co-?workers|classmates|officers|police|"
    r"families|children|bystanders)"
)
# A storm's name, not a modal or a verb ("Hurricane Ida hits", not "hurricane could hit").
_NAME = (
    r"(?!(?:could|may|might|would|will|is|was|has|had|expected|to|season|warning|watch)\b)"
    r"[a-z]+(?:'s)? "
)
_KIND_PATTERNS: dict[str, tuple[str, str]] = {
    "earthquake": (
        rf"(?:(?:earth)?quakes?|tremors?) (?:{_HIT}|jolt(?:s|ed)|shook|shakes|topple\w*)|"
        r"magnitude[- ]\d",
        r"earthquakes?|quakes?|aftershocks?",
    ),
    "tsunami": (rf"tsunamis? (?:{_HIT}|waves? (?:hit|struck))", r"tsunamis?"),
    "hurricane": (rf"hurricane {_NAME}(?:made landfall|{_HIT})", r"(?!x)x"),
    "typhoon": (rf"typhoon {_NAME}(?:made landfall|{_HIT})", r"typhoons?"),
    "cyclone": (rf"cyclone {_NAME}(?:made landfall|{_HIT})", r"(?!x)x"),
    "tornado": (
        rf"tornado(?:es)? (?:touched down|{_HIT})",
        r"(?!x)x",
    ),
    "storm": (
        rf"(?:tropical|winter|ice|snow|dust|sand) storm|storms? (?:{_HIT}|knock\w* out power)|"
        r"blizzards?|storm surge",
        r"storms?|monsoon (?:rains?|floods?)",
    ),
    "flood": (
        rf"flash floods?|floods? (?:{_HIT}|submerg\w*|inundat\w*|wash\w* away)|"
        r"flood(?:waters|water|-hit|-ravaged|-stricken| victims)|flooded (?:streets|homes|"
        r"houses|roads|towns?|villages?|areas|neighbou?rhoods|the (?:city|town|region))",
        r"floods|flooding|flood(?= (?:waters?|victims|damage|zone|defences|plain))",
    ),
    "wildfire": (
        rf"(?:wild|bush|forest|brush|grass)fires? (?:{_HIT}|burn\w*|rag\w*|spread\w*|engulf\w*|"
        r"threat\w*|forc\w*)",
        r"wildfires?|bushfires?|forest fires?|brush ?fires?|wild ?land fires?",
    ),
    "volcano": (
        rf"volcano(?:es)? (?:erupt\w*|spew\w*|{_KILL})|volcanic eruptions?|"
        r"(?:eruption|erupted) of (?:Mount|Mt)",
        r"volcano(?:es)?|volcanic|lava flows?",
    ),
    "landslide": (
        rf"(?:land|mud|rock)slides? (?:{_HIT}|buri\w*|bury\w*)",
        r"(?:land|mud|rock)slides?(?! (?:win|victory|vote|election|majority|margin|defeat))",
    ),
    "avalanche": (rf"avalanches? (?:{_HIT}|buri\w*|bury)", r"avalanches?(?! of)"),
    "heatwave": (rf"heat ?waves? (?:{_KILL}|claim\w*)", r"heat ?waves?|heatstroke"),
    "explosion": (
        rf"(?:explosions?|blasts?) (?:{_HIT}|shook|shakes)|(?:gas|chemical|factory|plant|port|"
        r"mine|pipeline|boiler|fireworks|warehouse|refinery|grenade) (?:explosion|blast)s?",
        r"explosions?|exploded|explodes|(?<!having a )(?<!had a )(?<!full )(?<!sand)blasts?"
        r"(?! (?:of|off|out|from|away|through|past|into|furnace|at|the|his|her|their)\b)",
    ),
    "bombing": (
        r"(?:suicide|car|truck|roadside|pipe|nail|barrel|letter|parcel) bomb(?:ings?|ers?|s)?|"
        rf"bombings? (?:{_HIT})|bombs? (?:attack|blast|explosion|went off|exploded|ripped|{_KILL})",
        r"bombings?|bombed|bomb(?![- ]?(?:shell|er|sniff\w*|making|proof|threat|scare|hoax|"
        r"squad|disposal)\b)|explosive devices?",
    ),
    "terror": (
        r"terror(?:ist)? attacks?|attacks? by (?:suspected )?(?:terrorists|militants|jihadists)|"
        rf"suicide attacks?|terrorists? (?:{_KILL}|attack\w*|struck|strike)|jihadist attacks?",
        r"terrorists?|sieges?|hostages?",
    ),
    "war": (
        r"(?:air ?strikes?|shelling|missile (?:strikes?|attacks?)|rocket (?:strikes?|attacks?)|"
        rf"mortar (?:attacks?|fire|rounds?|shells?)|drone strikes?|artillery) (?:{_HIT})",
        r"air ?strikes?|shelling|bombardments?|missile (?:strikes?|attacks?)|rocket (?:strikes?|"
        r"attacks?)|mortar (?:attacks?|fire|rounds?|shells?)|drone strikes?|artillery fire|"
        r"insurgents?|militants?|militiam[ae]n|clashes|gun ?battles?|fighting|offensive|rebels?|"
        r"grenades?|troops|soldiers",
    ),
    "shooting": (
        r"mass shootings?|opened fire|open(?:s|ing)? fire (?:on|at|into|in)|gunm[ae]n|shot dead|"
        r"fatally shot|gunned down|shot and killed|shooting (?:spree|rampage)|sniper (?:attack|"
        r"fire)|school shooting|shot (?:\d+|two|three|four|five|six|seven|eight|nine|ten|"
        r"several|dozens of) (?:people|victims|students|co-?workers|officers)|fired (?:\w+ )?"
        rf"(?:into|at|on) {_VICTIMS}",
        r"(?<!photo )(?<!film )(?<!movie )shootings?(?! (?:guard|star|percentage|range|gallery|"
        r"script|schedule|location|woes|slump|touch|stars|practice|skills|season|clinic|"
        r"competition|sports|for|of (?:a|the) (?:film|movie|video|scene)))|gunfire|gun attack|"
        r"shot (?:him|her|them)",
    ),
    "stabbing": (
        r"stabbing (?:attack|spree|rampage)|knife (?:attack|rampage)|stabbed to death|knifem[ae]n",
        r"stabbings?|(?<!back )stabbed(?! in the back)",
    ),
    "attack": (
        r"massacred?|massacres|killing spree|rampage|hacked to death|beaten to death|"
        rf"mass murder|attacks? (?:{_KILL}|leave\w*|left)|attackers|ambush(?:ed|es)?",
        r"murders?|murdered|killings?|slaying|homicides?|attacks?|assault",
    ),
    "crash": (
        r"(?:plane|air|jet|helicopter|train|bus|coach|car|road|boat|ferry|truck|lorry|airliner|"
        r"aircraft|motorway|highway|rail) (?:crash|accident|collision|disaster)(?:es)?|derail\w*|"
        rf"capsiz\w*|shipwreck|crash(?:ed|es)? (?:into|{_KILL})|plane (?:went down|crashed)|"
        r"(?:bus|car|truck|lorry|vehicle|coach|minibus|train) (?:plunge[sd]?|plunging|overturn\w*|"
        r"fell|falls|veer\w*|ploughs?|plows?) (?:into|off|down)|"
        r"(?:ferry|boat|ship|vessel) (?:sank|sinks|sinking)",
        r"(?<!gate)crash(?:es|ed)?(?! (?:out|course|diet|test|pad|landing|the party))|collision|"
        r"collided|sank|accidents?",
    ),
    "collapse": (
        r"(?:building|bridge|roof|mine|tunnel|dam|stadium|tower|block|wall|ceiling|crane|stand|"
        r"hotel|school|factory|house|mosque|church|temple) (?:collapse[sd]?|caved in)|"
        r"collapse[sd]? of (?:a|the|an) (?:\w+ )?(?:building|bridge|roof|mine|tunnel|dam|stadium|"
        r"tower|block|factory|hotel)",
        r"collapsed? buildings?",
    ),
    "stampede": (
        rf"stampedes? (?:{_KILL}|leav\w*|left|at|in)|crowd crush|crush of (?:the )?crowds?",
        r"stampedes?",
    ),
    "fire": (
        rf"(?:fire|blaze|inferno)s? (?:{_HIT}|gutt?\w*|engulf\w*|broke out|breaks out|rag\w*)|"
        r"(?:house|building|factory|hotel|tower|apartment|hospital|school|club|nightclub|market|"
        r"warehouse|flat|home|train|bus) (?:fire|blaze)|burn(?:ed|t) to death",
        r"(?<!cease)(?<!under )(?<!open )(?<!opened )(?<!opening )(?<!opens )(?<!friendly )(?<!cross)(?<!back)"
        r"(?<!camp)(?<!gun)(?<!wild)(?<!bush)(?<!brush)(?<!forest )fires?(?! (?:sale|up|back|off|"
        r"away|ants?|TV|fighting|fighter|fighters|truck|station|department|crews?|chief|escape|"
        r"alarm|emblem|exit|drill|hose|pit|power|brigade|service|fox|wall|on|at (?:will|critics))\b)|"
        r"blazes?|infernos?|arson",
    ),
}
# Substrings without which a kind's patterns cannot match: checking them first is
# much cheaper than running every pattern over every text.
_KIND_TRIGGERS: dict[str, tuple[str, ...]] = {
    "earthquake": ("quake", "tremor", "magnitude", "aftershock"),
    "tsunami": ("tsunami",),
    "hurricane": ("hurricane",),
    "typhoon": ("typhoon",),
    "cyclone": ("cyclone",),
    "tornado": ("tornado", "twister"),
    "storm": ("storm", "blizzard", "monsoon"),
    "flood": ("flood",),
    "wildfire": ("fire",),
    "volcano": ("volcan", "erupt", "lava"),
    "landslide": ("slide",),
    "avalanche": ("avalanche",),
    "heatwave": ("heat",),
    "explosion": ("explo", "blast"),
    "bombing": ("bomb", "explosive"),
    "terror": ("terror", "siege", "hostage", "jihad", "militant"),
    "war": (
        "strike", "shelling", "bombard", "missile", "rocket", "mortar", "drone", "artillery",
        "insurgen", "militan", "militia", "clash", "battle", "fighting", "offensive", "rebel",
        "grenade", "troops", "soldier",
    ),
    "shooting": ("shoot", "fire", "gun", "shot", "sniper"),
    "stabbing": ("stab", "knife", "knifem"),
    "attack": (
        "massacr", "spree", "rampage", "death", "murder", "attack", "ambush", "killing",
        "slaying", "homicide", "assault",
    ),
    "crash": (
        "crash", "derail", "capsiz", "shipwreck", "collision", "collided", "sank", "sink",
        "accident", "plung", "overturn", "fell", "falls", "veer", "plough", "plow",
    ),
    "collapse": ("collaps", "caved"),
    "stampede": ("stampede", "crush"),
    "fire": ("fire", "blaze", "inferno", "arson", "burn"),
}  # fmt: skip
# Names that keep their case: "Hurricanes" and "Cyclones" are teams, "Tornado" a jet.
_CASE_SENSITIVE_WEAK = {
    "hurricane": r"\b(?:hurricanes?\b(?! [A-Z])|Hurricane (?=[A-Z][a-z]))",
    "cyclone": r"(?<!State )\b(?:(?:tropical )?cyclones?\b|Cyclone (?=[A-Z][a-z]))",
    "tornado": r"\b(?:tornado(?:es)?|twisters?)\b",
}
_KIND_STRONG = {k: _lc(rf"\b(?:{s})") for k, (s, _) in _KIND_PATTERNS.items()}
_KIND_WEAK = {
    k: re.compile(_CASE_SENSITIVE_WEAK[k]) if k in _CASE_SENSITIVE_WEAK else _lc(rf"\b(?:{w})\b")
    for k, (_, w) in _KIND_PATTERNS.items()
}

# One cheap search first: most news has none of these stems.
_PREFILTER_RE = _lc(
    r"quake|tremor|tsunami|hurrican|typhoon|cyclone|tornad|twister|storm|blizzard|monsoon|"
    r"flood|fire|blaze|inferno|arson|volcan|lava|erupt|slide|avalanch|heat ?wave|heatstroke|"
    r"explo|blast|bomb|terror|siege|hostage|militant|insurgent|rebel|strike|shelling|missile|"
    r"rocket|mortar|shoot|gun|sniper|stab|knife|massacre|murder|kill|slay|homicide|rampage|"
    r"attack|crash|derail|capsiz|shipwreck|collision|collided|sank|sink|collaps|stampede|"
    r"crush|dead|death|died|dies|fatal|injur|wound|victim|casualt|toll|bodies"
)

# ---- casualty figures -------------------------------------------------------------

_HURT = r"(?P<hurt>injured|wounded|hurt|injuries|casualties|hospitali[sz]ed|missing)"
_CASUALTY_RES = (
    # "73 dead", "five people were killed", "dozens dead and thousands injured"
    _lc(
        rf"\b{_QUAL}{_NUM} (?:[\w'\u2019-]+ ){{0,3}}?(?:(?:were|are|have been|had been|was|feared|"
        rf"confirmed|reported|said) )?(?:{_DEATH}|{_HURT})\b{_NOT_AFTER_KILLED}"
    ),
    # "kills 5", "killing at least 20 people", "leaves 3 dead", "injuring 100"
    _lc(
        r"\b(?P<verb>kill(?:s|ed|ing)?|claim(?:s|ed|ing)? the lives of|injur(?:es|ed|ing)|"
        rf"wound(?:s|ed|ing)|hurt(?:s|ing)?) (?:all )?{_QUAL}{_NUM}\b"
        r"(?! (?:goals?|points?|runs?|wickets?|games?|matches|years?|months?|days?|hours?|"
        r"minutes?|percent|per cent|%|times|seconds|shots|strokes|laps|yards|seats|jobs))"
    ),
    _lc(
        rf"\b(?P<verb>leav(?:es|ing)|left) {_QUAL}{_NUM} (?:[\w'\u2019-]+ ){{0,2}}?(?:{_DEATH}|{_HURT})\b"
    ),
    # "the deaths of 12 hostages", "claimed the lives of 200"
    _lc(
        rf"\b(?P<death>deaths|bodies|lives|murders|killings) of {_QUAL}{_NUM}\b(?! (?:years?|days?))"
    ),
    # "nine Iraqis and four soldiers are reported to have been killed"
    _lc(
        rf"\b{_QUAL}{_NUM} (?:[\w'\u2019-]+ ){{0,6}}?(?:are|were|have been|had been) (?:reported|said|"
        rf"believed|thought|feared|confirmed|known) to (?:have )?(?:been )?{_DEATH}\b"
    ),
    # "killed a teen girl and three women": the last figure of a short list, plus one
    _lc(
        rf"\b(?P<verb>kill(?:s|ed|ing)|shot dead|murdered) (?:a|an|one|his|her) (?:[\w'\u2019-]+ ){{1,3}}"
        rf"and (?P<plus>){_QUAL}{_NUM}\b"
    ),
    # "death toll rises to 73"
    _lc(
        r"\bdeath toll (?:[\w'\u2019-]+ ){0,4}?(?:to|at|of|reaches|hits|passes|tops|is|stands at|"
        rf"exceeds) {_QUAL}{_NUM}\b"
    ),
)
_DEADLY_RE = _lc(
    r"\b(?:deadly|fatal|killed|kills|killing|dead|died|dies|death toll|victims|casualties|"
    r"lethal|turns deadly|claimed (?:the )?lives|bodies|feared dead|injured|wounded|injuring|"
    rf"wounding)\b{_NOT_AFTER_KILLED}"
)
# Verbs and adjectives of impact that turn a bare disaster noun into an event.
_IMPACT_RE = _lc(
    rf"\b(?:{_HIT}|damag(?:e|es|ed)|engulf(?:s|ed)|submerg\w*|smash\w*|wreck\w*|"
    r"trapped|homeless|evacuat\w+|rescue\w*|rubble|ruins|debris|massive|huge|"
    r"powerful|catastrophic|devastating|scale of damage|aftermath|survivors)\b"
)
_NO_HARM_RE = _lc(
    r"\b(?:no (?:one|body|reports? of) (?:was |were )?(?:hurt|injured|killed|harmed|damage)|"
    r"no (?:injuries|casualties|deaths|damage|evacuations)|not yet serious|nobody (?:was )?"
    r"(?:hurt|injured|killed)|without (?:casualties|injuries))\b"
)
_MASS_RE = _lc(
    r"\b(?:mass (?:shooting|killing|murder|casualt\w+|stabbing)|massacre\w*|en masse|rampage|"
    r"spree|indiscriminately)\b"
)
# Bare nouns specific enough that "killed" or "injured" next to them is harm.
_SPECIFIC_NOUNS = frozenset({"bombing", "terror", "shooting", "stabbing", "attack"})
_MOURNING_RE = _lc(r"\b(?:national mourning|days? of (?:national )?mourning)\b")
# Acts and harm that no match report, market story or review describes.
_UNMISTAKABLE_RE = _lc(
    r"\b(?:open(?:ed|ing|s)? fire (?:at|in|inside|outside|into|near|on "
    rf"{_VICTIMS})|shooting spree|killing spree|went on a rampage|shot dead|fatally shot|gunned down|suicide bomb\w*|"
    r"car bomb|death toll|killed at least|at least \d+ (?:people )?(?:were )?(?:killed|dead)|"
    r"(?:people|civilians|children|students|worshippers|passengers|residents|villagers|"
    r"soldiers|police(?:men)?|officers|workers|miners|pilgrims|tourists|women|men) (?:were |"
    r"have been )?(?:killed|dead|died|injured|wounded)|killing \d+|kills \d+|stabbed to death|"
    r"burned to death|buried alive|feared dead|bodies (?:were )?(?:found|recovered))\b"
)

# ---- contexts --------------------------------------------------------------------
# Hard: the entry looks back at an event already covered (a trial, an anniversary),
# whatever its figures. Soft: the entry is about something else (sport, markets, a
# film, a forecast, a policy); these outweigh only entries without firm harm.

# A court case or a commemoration: decisive in a headline, a detail in a summary.
_TRIAL_RE = _lc(
    r"\b(?:trial|retrial|sentenced|sentencing|convicted|conviction|jury|juror|verdict|inquest|"
    r"plead(?:s|ed)? (?:guilty|not guilty)|pleaded|testif(?:y|ies|ied)|lawsuit|sued|sues|"
    r"appeals? court|acquit\w*|extradit\w+|death row|parole)\b"
)
_COMMEMORATION_RE = _lc(
    r"\b(?:anniversary|anniversaries|remember(?:s|ed|ing)?|remembrance|memorial|"
    r"commemorat\w+|tribute|looking back|survivors? (?:recall|remember)|legacy of|in history)\b"
)
# A study or an analysis: in a headline, the entry is about research, not an event.
_ANALYSIS_RE = _lc(
    r"\b(?:study|studies|research|researchers|survey|analysis|scientists|statistics)\b"
)
# A time reference that puts the event itself in the past, wherever it is.
_LONG_AGO_RE = _lc(
    r"\b(?:(?:years?|decades?) (?:ago|after|since|later|on)|decades|last (?:month|year)|"
    r"(?:weeks|months) ago|a year ago|(?:first|second) world war|world war (?:i|ii|one|two|1|2)|"
    r"WWI+|Hiroshima|Nagasaki|Holocaust|cold war|9/11|September 11)\b"
)
_SPORT_STRONG_RE = re.compile(
    r"\b(?:NBA|NFL|NHL|MLB|NCAA|FIFA|UEFA|NASCAR|PGA|LPGA|ATP|WTA|Premier League|Champions "
    r"League|World Cup|Super Bowl|World Series|Olympics?|Paralympics?|play-?offs?|quarterbacks?|"
    r"touchdowns?|innings|wickets?|goalkeeper|striker|midfielder|coach|coaches|Grand Slam|"
    r"Wimbledon|Ryder Cup|golf|golfer|tennis|soccer|football|basketball|baseball|hockey|rugby|"
    r"cricket|Formula One|Grand Prix|halftime|overtime|home runs?|pitcher|slugger|rebounds|"
    r"birdies?|bogey|under-par|over-par|par|UFC|boxer|boxing|Tour de France|ODI|pennant|"
    r"bullpen|quarterfinals?|semifinals?|semi-finals?|quarter-finals?)\b"
)
_SPORT_WEAK_RE = _lc(
    r"\b(?:tournament|championships?|league|leagues|derby|teammates?|scored|scores|scoring|"
    r"seeded|season|preseason|match|matches|fixture|squad|defender|guard|forward|rookie|"
    r"draft|transfer|knockout|bout|marathon|sprint|racing|cyclist|stadium|fans|victory|win|"
    r"wins|won|beat|beats|defeat|defeats|defeated|title|cup|champion|champions|rivalry|"
    r"team|players?|jinx|curse|points|race|sports?|doubleheaders?|series|tackle|"
    r"world number|no-show|injury list|sidelined)\b"
)
_SCORE_RE = re.compile(r"(?<![\d.,:/])\d{1,3}-\d{1,3}(?![\d]|[.,:/-]\d)")
_ENTERTAINMENT_RE = _lc(
    r"\b(?:film|films|movie|movies|box office|(?:film|movie|official|teaser|new) trailer|trailer for|premiere|sequel|remake|starring|actor|"
    r"actress|album|song|singer|novel|book|books|author|memoir|documentary|TV series|episode|"
    r"sitcom|thriller|Netflix|HBO|Hollywood|Oscars?|Emmys?|Grammys?|video ?games?|videogames?|"
    r"gamers?|PlayStation|Xbox|Nintendo|review|reviews|reviewed|musical|comic|superhero|"
    r"Marvel|DVD|soundtrack|screenplay|fiction)\b"
)
_MARKET_RE = _lc(
    r"\b(?:stock markets?|stock exchanges?|(?:stocks|shares|prices|markets) (?:rose|fell|rise|"
    r"fall|jump\w*|surg\w*|slump\w*|plung\w*|tumbl\w*|soar\w*|climb\w*|drop\w*|rall\w*)|"
    r"share prices?|investors?|investments?|Dow|Nasdaq|S&P|FTSE|Nikkei|traders|bonds?|yields?|"
    r"currenc(?:y|ies)|dollar|earnings|"
    r"profits?|revenues?|sales|economy|economic|recession|inflation|futures|commodit(?:y|ies)|"
    r"crude|oil prices|fiscal|IPO|valuation|Wall Street|hiring|jobs|payrolls|insurers?|"
    r"insurance|deductibles?|homeowners|retailers?|consumers?)\b"
)
_SCIENCE_RE = _lc(
    r"\b(?:exploding stars?|star explosions?|supernovae?|galax(?:y|ies)|planets?|asteroids?|"
    r"comets?|NASA|telescopes?|"
    r"astronomers?|solar flare|black holes?|cosmic|gamma-ray|nuclear (?:tests?|blast|explosion|"
    r"bomb|weapons?|programme|program|plant)|test blast|controlled explosion|demolition|"
    r"fireworks display|rocket launch|spacecraft|satellite)\b"
)
_NOT_NOW_RE = _lc(
    r"\b(?:(?:could|might|may|would|will|can) (?:\w+ )?(?:hit|strike|cause|trigger|happen|occur|"
    r"kill|devastate|destroy|affect|face|bring|spark|lead|be hit|make landfall|reach)|"
    r"could've|would've|(?:could|would|might) have|risk|risks|threat of|threatens to|"
    r"threatening to|fears? (?:of|that|for)|warns?|prepar\w+|drills?|exercises?|simulat\w+|"
    r"forecasts?|predict\w*|expected to|likely to|possible|potential|scenario|brac(?:e|es|ing)|"
    r"plan(?:s|ning)? (?:for|to)|what if|how to|in case of|early warning|studies|study|"
    r"research\w*|scientists?|analysis|survey|preparedness|resilien\w+|proof|resistant|"
    r"vulnerable|prevent\w*|foil\w*|thwart\w*|plot\w*|(?:is|are) approaching|approach(?:es|"
    r"ing) (?:the )?(?:coast|land|islands?|shore)|bearing down|(?:heads?|headed|heading) "
    r"(?:for|toward)|nears|climate change|global warming|coming|days ago|last week|escaped|"
    r"escapes|survived|not (?:from|caused by)|before (?:the |a )?\w+ (?:hits|arrives|strikes|makes landfall)|watch(?:es)? (?:was |were |is |are )?(?:issued|"
    r"posted|in effect)|(?:hurricane|tornado|tsunami|flood|storm|typhoon|cyclone) watch)\b"
)
_AFTERMATH_RE = _lc(
    r"\b(?:arrest(?:s|ed)?|held over|detained|charged|charges|suspects?|raids?|accus\w+|"
    r"claims|comments|crackdown|cooperation|rally|talks|protest(?:s|ed|ing)? (?:over|against|"
    r"the)|following the|in the wake of|since the|"
    r"condemn\w*|blamed|responsibility|investigat\w+|probe|found|defused|seized|jailed|"
    r"settlement|compensation)\b"
)
_DISEASE_RE = _lc(
    r"\b(?:covid(?:-19)?|coronavirus|pandemic|virus|epidemic|outbreak|flu|influenza|ebola|"
    r"cholera|measles|hiv|cancer|malaria|norovirus|infections?|disease|overdoses?|"
    r"opioids?|heart attacks?|drugs?|patients|side effects|FDA)\b"
)
# Idioms and metaphors that use an event's word for something else; the words they
# cover no longer count as kinds.
_IDIOM_RE = _lc(
    r"\b(?:political (?:earthquake|storm|firestorm|tsunami)|electoral earthquake|"
    r"(?:storm|flood|flurry|tsunami|avalanche|explosion|barrage|torrent|deluge|wave) of "
    r"(?!water|mud|lava|snow|rocks|debris|gunfire|bullets|rockets|missiles|violence|attacks|"
    r"bombings|explosions)[a-z]+|(?:took|take[sn]?|taking) (?:\w+ )?by storm|perfect storm|"
    r"brainstorm\w*|storm(?:ed|s|ing)? (?:out|off|into|to|back|past|home|the)|weather(?:ed|s|"
    r"ing)? the storm|desert storm|firestorm|(?:price|trade|turf|bidding|culture|ratings|talent|"
    r"console|browser|format|fare|tariff|cola|chip) wars?|war (?:of words|chest|room|on (?:drugs|"
    r"terror|poverty|obesity|want|waste|spam|piracy))|flood(?:s|ed|ing)? (?:the )?(?:polls|"
    r"market|streets to|zone|inbox|gates|lights?)|floodgates|floodlights?|(?:flooded|flooding|"
    r"floods) (?:\w+ ){1,3}with (?!water|mud)|killed it|killing it|kills it|dead heat|"
    r"dead ball|deadline|dead last|dead end|sudden death|death (?:metal|star)|shooting star|"
    r"shot (?:down|at) (?:a|the) (?:bill|proposal|idea|plan|deal)|population explosion|"
    r"explosion (?:in|of) (?:\w+ )?(?:demand|growth|interest|popularity|sales|prices|costs|"
    r"use|usage|users|traffic|data|content|activity|numbers|apps|choice|investment|debt|jobs|"
    r"start-?ups|e-?mail|spam|cases)|crash course|gate-?crash\w*|(?:market|stock|share|price|"
    r"computer|system|server|website|software|browser|network|app|Windows|housing|currency|"
    r"oil) crash(?:es|ed)?|crash(?:ed|es)? (?:out|and burn)|(?:talks|deal|negotiations|merger|"
    r"company|firm|bank|government|coalition|economy|currency|market|prices?|shares|stocks?|"
    r"ratings|support|team|defence|defense) (?:collapse[sd]?|crash(?:ed|es)?|plunge[sd]?|"
    r"plummet\w*)|landslide (?:win|victory|vote|election|majority)|won (?:by )?(?:in )?a "
    r"landslide|spread(?:s|ing)? like wildfire|fire sale|under fire|(?:fired|fires|firing) "
    r"(?:a |an |the |his |her |their )?(?:coach|manager|CEO|chief|employee|staff|workers|"
    r"warning shot|salvo|broadside|volley|up)|opened fire on (?:critics|the government|"
    r"rivals)|tsunami of|(?:blast(?:s|ed)?|slam(?:s|med)?|hits? out at|rip(?:s|ped)?|"
    r"batter(?:s|ed)?) (?:critics|rivals|the media|media|reports|claims|plans?|proposals?|"
    r"decision|government|officials|opponents)|heat (?:crush|beat|top|down|rout|"
    r"edge|turn up)|turns? up (?:the )?heat|licks? (?:its|their|his|her) wounds|stabbed in the back|stab at|bombed (?:at|in) the "
    r"box office|box-office bomb|anti-?terror\w*|counter-?terror\w*|terror (?:suspects?|"
    r"charges?|laws?|alert|threat|raids?|plot|cell|list|financing|funding|scares?)|heart "
    r"attacks?|asthma attacks?|panic attacks?|attack(?:s|ed|ing)? (?:on|against) (?:the )?"
    r"(?:policy|plan|proposal|record|government|opposition|critics|president|minister)|"
    r"blast (?:from the past|of (?:cold|air|wind|winter|heat))|having a blast|had a blast|"
    r"(?:a|the) (?:hot|cold|poor) shooting|sharp ?shooting|shot (?:\d+|a \d+)|"
    r"(?:eruption|erupt(?:s|ed)?) (?:of|in|into) (?:anger|cheers|violence|protests?|laughter|"
    r"applause|celebration|controversy)|(?:violence|fighting|protests?|anger|row) erupt\w*)\b"
)
# Lower-case verb uses of a noun that is an event only as a noun ("X blasts Y").
_VERB_IDIOM_RE = re.compile(
    r"\b(?:blasts|blasted|slams|slammed|rips|ripped|batters|battered) (?:[A-Z][a-z]+'s|"
    r"(?:his|her|their) [a-z]+|the (?:[a-z]+ )?(?:government|media|decision|plan|rival|critics))|"
    r"\b(?:blasts|blasted) [A-Z][a-z]+\b"
)
_ONGOING_RE = _lc(
    r"\b(?:today|tonight|yesterday|this (?:morning|afternoon|evening|week)|on (?:monday|"
    r"tuesday|wednesday|thursday|friday|saturday|sunday)|live(?: updates)?|breaking|latest|"
    r"rescuers?|search(?:ing)? for survivors|continues? to|still|now|rising|rises|climbs)\b"
)
_HASHTAG_RE = re.compile(r"#([A-Za-z][a-z]*(?:[A-Z][a-z]+)+)\b")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _split_hashtag(match: re.Match[str]) -> str:
    """ "#ItalyEarthquake" -> "Italy Earthquake": tags hide the words that matter."""
    return _CAMEL_RE.sub(" ", match.group(1))


_YEAR_RE = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'\u2018\u201c])")
_SLUG_SPLIT_RE = re.compile(r"[^a-z]+")
# Words of a link path that are sections, formats or publishers, not places.
_SLUG_NOISE = frozenset({
    "www", "com", "org", "net", "html", "htm", "php", "index", "intl", "world", "news", "live",
    "updates", "video", "videos", "article", "articles", "story", "stories", "gallery",
    "collections", "collection", "cnn", "bbc", "middleeast", "europe", "asia", "africa",
    "americas", "latin", "america", "edition", "local", "national", "politics",
    "business", "sport", "sports", "entertainment", "opinion", "weather", "health", "tech",
    "science", "vpx", "dle", "scli", "hnk", "ctw",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class _KindHit:
    kind: str
    strong: bool
    start: int
    end: int
    phrase: str


@dataclass(frozen=True, slots=True)
class _Casualties:
    deaths: int
    injured: int
    in_title: bool
    phrase: str


def _casualties(low: str, title_end: int) -> _Casualties:
    deaths = injured = 0
    in_title = False
    phrases: list[str] = []
    for pattern in _CASUALTY_RES:
        for match in pattern.finditer(low):
            groups = match.groupdict()
            count = to_int(groups["num"]) + (1 if groups.get("plus") is not None else 0)
            if count <= 0 or count > 5_000_000:
                continue
            verb = (groups.get("verb") or "").lower()
            hurt = groups.get("hurt") or verb.startswith(("injur", "wound", "hurt"))
            if hurt and not groups.get("death"):
                injured = max(injured, count)
            else:
                deaths = max(deaths, count)
                in_title = in_title or match.start() < title_end
            phrases.append(match.group(0))
    return _Casualties(deaths, injured, in_title, "; ".join(dict.fromkeys(phrases)))


def _kind_hits(raw: str, low: str) -> list[_KindHit]:
    hits: list[_KindHit] = []
    for kind, triggers in _KIND_TRIGGERS.items():
        if not any(t in low for t in triggers):
            continue
        for match in _KIND_STRONG[kind].finditer(low):
            hits.append(
                _KindHit(kind, True, match.start(), match.end(), raw[match.start() : match.end()])
            )
        source = raw if kind in _CASE_SENSITIVE_WEAK else low
        for match in _KIND_WEAK[kind].finditer(source):
            hits.append(
                _KindHit(kind, False, match.start(), match.end(), raw[match.start() : match.end()])
            )
    return hits


def _drop_idioms(raw: str, low: str, hits: list[_KindHit]) -> tuple[list[_KindHit], list[str]]:
    spans = [(m.start(), m.end(), raw[m.start() : m.end()]) for m in _IDIOM_RE.finditer(low)]
    spans += [(m.start(), m.end(), m.group(0)) for m in _VERB_IDIOM_RE.finditer(raw)]
    if not spans:
        return hits, []
    kept = [h for h in hits if not any(s <= h.start < e or s < h.end <= e for s, e, _ in spans)]
    return kept, [f"idiom '{phrase}'" for _, _, phrase in spans]


# When several kinds are named, the most specific act wins (a "bomb blast" is a
# bombing, a "hurricane flood" a hurricane).
_KIND_PRIORITY = (
    "terror", "bombing", "shooting", "stabbing", "tsunami", "earthquake", "volcano",
    "hurricane", "typhoon", "cyclone", "tornado", "storm", "wildfire", "flood", "landslide",
    "avalanche", "stampede", "collapse", "crash", "explosion", "war", "heatwave",
    "fire", "attack",
)  # fmt: skip
_RANK = {kind: index for index, kind in enumerate(_KIND_PRIORITY)}
_GENERIC_KINDS = frozenset({"attack", "war"})


def _pick_kind(hits: Sequence[_KindHit], title_end: int) -> _KindHit:
    def key(hit: _KindHit) -> tuple[bool, bool, bool, int]:
        # A generic word ("massacre", "attack") yields to the method ("opened fire").
        generic = hit.kind in _GENERIC_KINDS
        return (generic, not hit.strong, hit.start >= title_end, _RANK.get(hit.kind, 99))

    return min(hits, key=key)


def _undated(text: str, year: int, hits: list[_KindHit]) -> tuple[list[_KindHit], str | None]:
    """The hits no earlier year stands next to ("the 2004 tsunami", "since 2010 quake"),
    and the first such year found."""
    years = [m for m in _YEAR_RE.finditer(text) if int(m.group()) < year]
    if not years:
        return hits, None
    kept = [h for h in hits if not any(abs(h.start - m.start()) < 40 for m in years)]
    return kept, years[0].group()


# Contexts that say an entry is about something other than harm happening now, and
# what evidence each one yields to: "firm" evidence is a casualty figure with an event
# or a phrase no sport, market or review uses; an "act" is a strong phrase naming a
# violent act or an impact ("opened fire", "suicide bomber", "earthquake struck").
_CONTEXTS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    # name, pattern, does an act or impact outweigh it?
    ("a film, book, show or game", _ENTERTAINMENT_RE, False),
    ("markets", _MARKET_RE, False),
    ("science or weapons", _SCIENCE_RE, False),
    ("not happening now", _NOT_NOW_RE, True),
    ("a follow-up", _AFTERMATH_RE, True),
    ("a court case", _TRIAL_RE, True),
    ("a commemoration", _COMMEMORATION_RE, True),
)


def _soft_context(raw: str, low: str, act: bool) -> str | None:
    """Why the entry is about something else than harm, if it is."""
    if _sport_score(raw, low):
        return "sport"
    for name, pattern, act_wins in _CONTEXTS:
        if act and act_wins:
            continue
        found = pattern.search(low)
        if found:
            return f"{name}: '{raw[found.start() : found.end()]}'"
    return None


def _governed(low: str, hit: _KindHit) -> bool:
    """True when a forecast, follow-up or commemoration cue stands just before ``hit``."""
    start = max(0, hit.start - 50)
    cues = (_NOT_NOW_RE, _AFTERMATH_RE, _COMMEMORATION_RE)
    return any(cue.search(low, start, hit.start) for cue in cues)


def _sport_score(raw: str, low: str) -> int:
    strong = len(_SPORT_STRONG_RE.findall(raw)) + len(_SCORE_RE.findall(raw))
    weak = len(_SPORT_WEAK_RE.findall(low))
    return 1 if strong or weak >= 2 else 0


def _link_words(link: str | None) -> str:
    """The words of a link's path, as a title-cased phrase for the gazetteer."""
    if not link:
        return ""
    path = link.split("//", 1)[-1].partition("/")[2].lower()
    words = [w for w in _SLUG_SPLIT_RE.split(path) if len(w) > 2 and w not in _SLUG_NOISE]
    return " ".join(w.capitalize() for w in words)


def _named(matches: Sequence[places.PlaceMatch], regions: tuple[str, ...]) -> str:
    """The words that named ``regions`` ("Uvalde, Texas"), for the evidence."""
    for match in matches:
        if match.regions and match.regions[0] == regions[0]:
            return match.text or match.name
    return next((m.text or m.name for m in matches if regions[0] in m.regions), "")


def _text_regions(entry: Entry, title: str, summary: str) -> tuple[tuple[str, ...], str]:
    """The affected area named by the title, refined by the summary when the summary
    names a place inside it, else the summary's, else the link's; and how it was found
    ("'Uvalde, Texas' in title -> US-TX, US")."""
    title_matches = places.resolve_text(title) if title else []
    summary_matches = places.resolve_text(summary) if summary else []
    in_title = places.best_regions(title_matches)
    in_summary = places.best_regions(summary_matches)
    found, matches, where = in_title, title_matches, "title"
    if in_title and in_summary:
        try:
            refines = in_summary[0] != in_title[0] and in_title[0] in lineage(in_summary[0])
        except KeyError:
            refines = False
        if refines:
            found, matches, where = in_summary, summary_matches, "summary"
    elif in_summary:
        found, matches, where = in_summary, summary_matches, "summary"
    if not found:
        # A link path is lower case and terse: trust only well-known places in it.
        slug = _link_words(entry.link)
        matches = [
            m
            for m in (places.resolve_text(slug) if slug else [])
            if m.kind in ("country", "subdivision") or m.population >= 500_000
        ]
        found, where = places.best_regions(matches), "link"
    if not found:
        return (), ""
    return found, f"'{_named(matches, found)}' in {where} -> {', '.join(found)}"


def assess_news(entry: Entry, now: datetime) -> Assessment:
    title = _HASHTAG_RE.sub(_split_hashtag, entry.title.strip())
    summary = " ".join(_SENTENCE_SPLIT_RE.split(entry.summary.strip())[:3])[:600]
    summary = _HASHTAG_RE.sub(_split_hashtag, summary)
    text = f"{title}. {summary}" if summary else title
    low = _lower(text)
    if not _PREFILTER_RE.search(low):
        return NOT_A_TRAGEDY
    title_end = len(title)
    hits, evidence = _drop_idioms(text, low, _kind_hits(text, low))
    casualties = _casualties(low, title_end)
    if not hits and not (casualties.deaths and casualties.in_title):
        return _result(None, 0, 0, (), evidence)

    age = _age(entry, now)
    if age is not None and age > RECENT_NEWS:
        return _result(None, 0, 0, (), [*evidence, f"published {age.days} days before"])
    long_ago = _LONG_AGO_RE.search(low)
    if long_ago:
        return _result(None, 0, 0, (), [*evidence, f"looks back: '{long_ago.group(0)}'"])
    for pattern in (_TRIAL_RE, _COMMEMORATION_RE, _ANALYSIS_RE):
        found = pattern.search(low, 0, title_end)
        if found:
            return _result(None, 0, 0, (), [*evidence, f"looks back: '{found.group(0)}'"])
    year = (entry.published or now).year
    undated, old_year = _undated(text, year, hits)
    if old_year and not undated and not _ONGOING_RE.search(low):
        return _result(None, 0, 0, (), [*evidence, f"looks back to {old_year}"])
    hits = undated or hits
    # A strong phrase is an act that outweighs a context, unless the context governs it
    # ("the threat of another terrorist attack", "following the school massacre").
    act = any(h.strong and not _governed(low, h) for h in hits)
    disease = _DISEASE_RE.search(low)
    if disease and not act:
        illness = f"illness, not a sudden event: '{disease.group(0)}'"
        return _result(None, 0, 0, (), [*evidence, illness])
    firm = _UNMISTAKABLE_RE.search(low) is not None or bool(hits and casualties.deaths)
    if not firm:
        context = _soft_context(text, low, act)
        if context:
            return _result(None, 0, 0, (), [*evidence, context])

    kind_hit = _pick_kind(hits, title_end) if hits else None
    kind = kind_hit.kind if kind_hit else "incident"
    if kind_hit:
        where = "title" if kind_hit.start < title_end else "summary"
        evidence.append(f"{kind}: '{kind_hit.phrase}' in {where}")
    if casualties.phrase:
        evidence.append(f"casualties: '{casualties.phrase}'")
    deadly = _DEADLY_RE.search(low)
    if not casualties.deaths and "death toll" in low and kind_hit is not None:
        # "The death toll keeps rising": several dead, however many exactly.
        casualties = _Casualties(3, casualties.injured, casualties.in_title, "death toll")
    if deadly and not casualties.phrase:
        evidence.append(f"'{deadly.group(0)}'")
    impact = None
    if kind_hit:
        # An impact word counts only next to the event it describes.
        start = max(0, kind_hit.start - 80)
        impact = _IMPACT_RE.search(low, start, min(len(low), kind_hit.end + 80))
    if impact:
        evidence.append(f"impact: '{impact.group(0)}'")
    regions, where = _text_regions(entry, title, summary)
    headline = any(h.start < title_end and _KIND_CLASS[h.kind] == _DISASTER for h in hits)
    signals = _Signals(
        kind=kind,
        casualties=casualties,
        named=kind_hit is not None,
        strong=any(h.strong for h in hits),
        deadly=deadly is not None,
        impact=impact is not None,
        placed=bool(regions) and headline,
        mass=_MASS_RE.search(low) is not None,
    )
    severity, confidence = _severity(signals)
    no_harm = _NO_HARM_RE.search(low)
    if no_harm and severity >= 2 and not casualties.deaths:
        severity = 1
        evidence.append(f"'{no_harm.group(0)}'")
    mourning = _MOURNING_RE.search(low)
    if mourning and severity >= 2:
        severity, confidence = 4, max(confidence, 0.85)
        evidence.append(f"'{mourning.group(0)}'")
    if severity <= 0:
        return _result(None, 0, 0, (), [*evidence, "no harm reported"])
    if regions:
        evidence.append(where)
        if " in link -> " in where:
            confidence -= 0.1
    return _result(kind, severity, confidence, regions, evidence)


@dataclass(frozen=True, slots=True)
class _Signals:
    """What the text of one entry says, as far as severity cares."""

    kind: str
    casualties: _Casualties
    named: bool  # a kind word was found (else the kind is "incident")
    strong: bool  # a strong phrase: an act or an impact
    deadly: bool  # a harm word without a figure ("deadly", "killed")
    impact: bool  # an impact word next to the event ("rocks", "devastating")
    placed: bool  # a disaster word in a headline that names a place
    mass: bool  # "massacre", "rampage", "mass shooting"


def _severity(s: _Signals) -> tuple[int, float]:
    """Severity 0-4 and a confidence, from the figures first, then the wording."""
    klass = _KIND_CLASS.get(s.kind, _CRIME)
    serious = klass in (_DISASTER, _ATTACK)
    deaths, injured = s.casualties.deaths, s.casualties.injured
    if deaths >= 1000:
        return 4, 0.9
    if deaths >= 20 or injured >= 500:
        return 3, 0.9
    if deaths >= 3:
        return 2, 0.85
    if deaths >= 1:
        return (2, 0.8) if serious else (1, 0.75)
    if injured >= 20 or (injured >= 10 and serious):
        return 2, 0.7
    if not s.named:
        return 0, 0.0
    mass = s.mass and klass == _CRIME
    if (s.deadly or injured) and (s.strong or klass == _DISASTER or s.kind in _SPECIFIC_NOUNS):
        # Harm without a figure: serious for a disaster or an attack, minor for a
        # single crime or accident unless it was a mass attack.
        if serious or mass:
            return 2, 0.7 if s.strong else 0.6
        return 1, 0.6
    if s.strong:
        return (2, 0.65) if serious or mass else (1, 0.55)
    if klass == _DISASTER and (s.impact or s.placed):
        # A disaster noun with an impact word, or in a headline that names a place:
        # news coverage itself says it mattered; how much is unknown.
        return 2, 0.5 if s.impact and s.placed else 0.45
    if klass == _DISASTER:
        return 1, 0.4
    return 0, 0.0
