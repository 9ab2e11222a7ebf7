"""The learned news model: its file, its seam, its vocabulary and its evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rules.assess import assess
from rules.news import features, model
from rules.reports import Entry

NOW = datetime(2025, 9, 1, 12, tzinfo=UTC)


def news(title: str, summary: str = "") -> Entry:
    return Entry("news", f"t:{title}", title, summary, published=NOW - timedelta(hours=1))


def tiny(weights: dict[str, float], threshold: float = 0.5) -> model.Model:
    heads = {
        name: {"bias": -2.0, "weights": weights, "threshold": threshold} for name in model.HEADS
    }
    heads["broad"] = {"bias": -9.0, "weights": {}, "threshold": 0.5}
    return model.from_json({"version": "tiny", "training_set_sha256": "0" * 64, "heads": heads})


@pytest.fixture
def flood_model():
    model.use(tiny({"w:flood": 4.0}))
    yield
    model.use(None)


def test_the_packaged_model_records_its_version_and_training_set():
    current = model.model()
    assert current.version.startswith("news-lr-")
    assert len(current.training_set_sha256) == 64
    assert set(current.heads) == set(model.HEADS)
    assert all(0 < head.threshold < 1 for head in current.heads.values())


def test_an_incomplete_model_file_is_refused_by_name():
    with pytest.raises(ValueError, match="incomplete"):
        model.from_json({"version": "x", "heads": {}})


def test_the_seam_scores_with_the_model_it_is_given(flood_model):
    held = assess(news("Floods sweep through the valley"), NOW)
    assert held.tragedy and held.severity == 2 and held.kind == "flood"
    assert any(line.startswith("'floods' +4.0") for line in held.evidence)
    assert not assess(news("Parliament passes the budget"), NOW).tragedy


def test_old_news_and_looking_back_hold_nothing(flood_model):
    old = Entry("news", "o", "Floods sweep the valley", published=NOW - timedelta(days=9))
    assert not assess(old, NOW).tragedy
    assert not assess(news("Ten years since the floods that swept the valley"), NOW).tragedy
    assert not assess(news("The 2019 floods, remembered"), NOW).tragedy


def test_evidence_quotes_the_words_and_figures_that_decided():
    result = assess(news("Chemical leak kills 2, sends 19 to hospital in Texas"), NOW)
    joined = " | ".join(result.evidence)
    assert "kills 2" in joined and "19 to hospital" in joined
    assert "'Texas' -> US-TX, US" in joined


def test_regions_are_named_for_an_entry_that_is_no_tragedy():
    result = assess(news("Texas lawmakers pass a new budget"), NOW)
    assert not result.tragedy and result.regions[:1] == ("US-TX",)


@pytest.mark.parametrize(
    ("text", "deaths", "injured"),
    [
        ("Gunman kills 5 in a school", 5, 0),
        ("At least 73 dead and thousands injured", 73, 2000),
        ("Death toll rises to 40 after floods", 40, 0),
        ("Gunman sentenced for 2015 church shooting that killed nine", 9, 0),
        ("Twenty-one people were killed", 21, 0),
        ("Eighteen killed and seventy wounded in a bus crash", 18, 70),
        ("Dozens dead in the floods", 24, 0),
        ("Someone was killed", 0, 0),
    ],
)
def test_casualty_figures_are_read_from_digits_and_words(text, deaths, injured):
    found = features.extract(text).casualties
    assert (found.deaths, found.injured) == (deaths, injured)


@pytest.mark.parametrize("blank", [0, 250, 700, 5000])
def test_the_summary_is_read_from_its_start_with_its_whitespace_collapsed(blank):
    summary = " \n" * blank + "Flood  kills 5 in\tthe valley. " + "Rain goes on. " * 100
    text = features.text_of("River bursts  its banks", summary)
    expected = " ".join(summary.split())[: features.SUMMARY_CHARS]
    assert text == f"River bursts its banks . {expected}"
    assert text.startswith("River bursts its banks . Flood kills 5 in the valley. Rain")


@pytest.mark.parametrize(
    "entry",
    features._read_lexicon()["entries"],
    ids=lambda e: f"{e['group']}:{e['phrase']}",
)
def test_every_vocabulary_entry_is_found_in_its_example(entry):
    found = features.extract(entry["example"])
    assert f"lex:{entry['group']}" in found.values, found.surface


@pytest.mark.parametrize(
    ("word", "stem"),
    [("killed", "kill"), ("kills", "kill"), ("shooting", "shoot"), ("floods", "flood"),
     ("capsized", "capsiz"), ("capsizes", "capsiz"), ("inning", "inn"), ("injuries", "injury")],
)  # fmt: skip
def test_inflections_of_one_word_share_a_stem(word, stem):
    assert features.stem(word) == stem


@pytest.mark.parametrize(
    ("title", "single"),
    [
        ("Leeds shooting: one man killed, one seriously injured", True),
        ("2 shot, 1 dead in campus shooting, suspect at large", True),
        ("Times Square shooting leaves 3 hurt", True),
        ("Multiple people shot at a mall, officials say", False),  # a vague figure
        ("1 dead, 6 others injured after shooting at a homecoming", False),  # 7 hit
        ("Two dead in a stabbing at a train station", False),
        ("At least one dead as typhoon slams Vietnam", False),  # a disaster's first toll
        ("Israeli strike kills 1 in Gaza", False),  # war
        ("Gunman opens fire at a school", False),  # no figure at all
    ],
)
def test_one_victims_crime_is_told_by_its_own_figures(title, single):
    from rules.kinds import news

    found = features.extract(title, "", 2025)
    assert news._single_victim(found, False) is single
    # The broad head can still say the whole country is shaken (a lawmaker killed).
    assert news._single_victim(found, True) is False


def test_one_victims_crime_is_shown_but_not_held():
    verdict = assess(news("Leeds shooting: one man killed, one seriously injured"), NOW)
    assert verdict.tragedy and verdict.severity == 1


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("Hurricane strengthens to Category 4 as it approaches the islands", "strengthens"),
        ("Tropical storm could become a hurricane by Friday", "could become"),
        ("Coastal towns brace for the typhoon", "brace"),
        ("Flood warning issued for the river valley", "warning"),
        ("Typhoon barrels towards the coast after killing 12", None),  # a toll
        ("Thousands evacuated as the hurricane approaches", None),  # harm already
        ("Hurricane approaches as gunman opens fire at a shelter", None),  # not weather only
        ("Flash floods sweep through the valley", None),  # nothing says it is to come
    ],
)
def test_weather_on_its_way_is_a_forecast(title, words):
    from rules.kinds import news

    assert news._forecast(features.extract(title, "", 2025)) == words


@pytest.mark.parametrize(
    "title",
    [
        "Hurricane strengthens to Category 4 as it approaches the islands",
        "Officer found not guilty of murder in a woman's shooting death",
        "Jury acquits the driver in the crash that killed three",
        "Man sentenced for the bombing of a market",
    ],
)
def test_forecasts_and_verdicts_hold_nothing_whatever_the_words_score(title):
    model.use(tiny({"w:hurrican": 9.0, "w:shoot": 9.0, "w:crash": 9.0, "w:bomb": 9.0}))
    try:
        verdict = assess(news(title), NOW)
    finally:
        model.use(None)
    assert not verdict.tragedy
    assert any(
        line.startswith(("a forecast: ", "a court's verdict: ")) for line in verdict.evidence
    )


def test_a_storm_that_has_struck_is_still_held():
    model.use(tiny({"w:hurrican": 9.0}))
    try:
        verdict = assess(news("Hurricane approaches the islands, leaving 12 dead"), NOW)
    finally:
        model.use(None)
    assert verdict.tragedy and verdict.severity >= 2


@pytest.mark.parametrize(
    ("title", "era"),
    [
        ("A veteran of the Second World War dies aged 99", "second world war"),
        ("WWII bomb found on a building site", "wwii"),
        ("World War II shipwreck located off the coast", "world war ii"),
        ("War in the north kills 12", None),
        ("Trade war escalates as tariffs rise", None),
    ],
)
def test_an_era_long_past_is_a_time_cue(title, era):
    assert features.extract(title, "", 2025).surface.get("time:era") == era


def test_an_era_long_past_holds_nothing(flood_model):
    verdict = assess(
        news("Floods sweep the valley", "Veterans of the First World War remembered"), NOW
    )
    assert not verdict.tragedy and "looks back: 'first world war'" in verdict.evidence


@pytest.fixture
def minor_model():
    """Every entry that says 'dead' is minor: shown (any), never held, and every
    entry has a chance of holding (P(hold) 0.12, 0.20 with 'dead') that lets it
    follow an event."""
    heads = {
        "any": {"bias": -2.0, "weights": {"w:dead": 4.0}, "threshold": 0.5},
        "hold": {"bias": -2.0, "weights": {"w:dead": 0.6}, "threshold": 0.5},
        "broad": {"bias": -9.0, "weights": {}, "threshold": 0.5},
    }
    model.use(model.from_json({"version": "m", "training_set_sha256": "0" * 64, "heads": heads}))
    yield
    model.use(None)


@pytest.mark.parametrize(
    ("title", "follows"),
    [
        ("Stowaway found dead in a jet's landing gear", False),  # its own story
        ("Protesters out after a student leader is found dead", False),
        ("Vigil for the dead draws hundreds", True),  # a follow-up word
        ("Suspect charged as two are found dead", True),
        ("Shooting leaves one dead", True),  # an event's kind
        # A war named as such is no event: only its strikes and their toll are.
        ("Envoys meet to end the war as two are found dead", False),
        ("Drone strike leaves one dead", True),
    ],
)
def test_a_minor_entry_follows_an_event_only_when_told_like_its_news(minor_model, title, follows):
    verdict = assess(news(title), NOW)
    assert verdict.tragedy and verdict.severity == 1
    assert verdict.follow_up is follows


@pytest.mark.parametrize(
    ("title", "reaction"),
    [
        ("Australia announces a gun buyback after the Bondi attack", True),
        ("After the school shooting, two leaders push for gun reform", True),
        ("Mayor fires back at critics in the wake of the mass shooting", True),
        ("Vigil held after the shooting at a church", False),  # a follow-up word
        ("Death toll rises after the flood", False),  # harm before 'after'
        ("Two more bodies found following the landslide", False),  # a figure
        ("Shooting at a mall leaves crowds fleeing", False),  # no 'after' clause
    ],
)
def test_a_reaction_names_its_event_only_after_it(title, reaction):
    from rules.kinds import news

    assert news._a_reaction(title) is reaction


@pytest.fixture
def hold_dead_model():
    """Every entry that says 'dead' holds."""
    heads = {
        "any": {"bias": -2.0, "weights": {"w:dead": 4.0}, "threshold": 0.5},
        "hold": {"bias": -2.0, "weights": {"w:dead": 4.0}, "threshold": 0.5},
        "broad": {"bias": -9.0, "weights": {}, "threshold": 0.5},
    }
    model.use(model.from_json({"version": "m", "training_set_sha256": "0" * 64, "heads": heads}))
    yield
    model.use(None)


def test_harm_in_a_war_named_as_such_is_the_wars(hold_dead_model):
    assert assess(news("Three dead as the war enters its fourth year"), NOW).kind == "war"
    assert assess(news("Three dead in the invasion's latest week"), NOW).kind == "war"
    assert assess(news("Three dead after a bus crash"), NOW).kind == "crash"
    assert assess(news("Three found dead at home"), NOW).kind == "incident"


def test_a_reaction_does_not_follow_its_event(minor_model):
    assert not assess(news("Leaders push for gun laws after the dead were named"), NOW).follow_up
    assert assess(news("Vigil for the dead after the shooting"), NOW).follow_up
    # Below the 'any' threshold too: told like news, not a reaction.
    assert assess(news("Suspect charged after the school shooting"), NOW).follow_up
    assert not assess(news("Governor calls a session after the school shooting"), NOW).follow_up


def test_war_news_the_model_gives_no_chance_of_holding_follows_nothing():
    # Shown as minor ('dead'), told like news, but P(hold) 0.0001.
    heads = {
        "any": {"bias": -2.0, "weights": {"w:dead": 4.0}, "threshold": 0.5},
        "hold": {"bias": -9.0, "weights": {}, "threshold": 0.5},
        "broad": {"bias": -9.0, "weights": {}, "threshold": 0.5},
    }
    model.use(model.from_json({"version": "m", "training_set_sha256": "0" * 64, "heads": heads}))
    try:
        # In a war's words, or only in follow-up words: no chance, no follow-up.
        assert not assess(news("Drone strike leaves one dead"), NOW).follow_up
        assert not assess(news("Vigil for the dead draws hundreds"), NOW).follow_up
        # Naming a discrete event's kind, it is coverage of such an event all the same.
        assert assess(news("Shooting leaves one dead"), NOW).follow_up
        assert assess(news("Residents describe the explosion that left one dead"), NOW).follow_up
    finally:
        model.use(None)
