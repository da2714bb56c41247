"""Pure-Python pieces of the simulator: taxonomy, gazetteer, PII, templates, styling, scenario files."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from socialbeat.simulator import pii, places
from socialbeat.simulator.compose import SLOT_NAMES
from socialbeat.simulator.phrases import chatter, civic
from socialbeat.simulator.plan import apportion, build_plan
from socialbeat.simulator.scenario import SOURCES, load_scenario, parse_scenario
from socialbeat.simulator.style import has_diacritics, strip_diacritics, teencode
from socialbeat.simulator.text import (
    LOCATION,
    PII,
    TextBuilder,
    TextStyle,
    compile_template,
    finalize,
    template_slots,
)
from socialbeat.simulator.timing import DIURNAL, hour_ordinal, volume_factor
from socialbeat.taxonomy import CATEGORIES, SENTIMENTS

pytestmark = pytest.mark.fast


def test_taxonomy_has_the_fifteen_categories() -> None:
    assert len(CATEGORIES) == 15 == len(set(CATEGORIES))
    assert CATEGORIES[0] == "traffic" and "data_privacy" in CATEGORIES
    assert SENTIMENTS == ("negative", "neutral", "positive")


def test_gazetteer_has_the_22_districts_with_streets_and_landmarks() -> None:
    assert len(places.DISTRICTS) == 22
    for district in places.DISTRICTS:
        assert district.wards and district.streets and district.landmarks, district.name
    assert places.find_district("Bình Thạnh").name == "Quận Bình Thạnh"
    assert places.find_district("TP Thủ Đức").name == "Thành phố Thủ Đức"
    assert places.find_district("Quận 8").name == "Quận 8"
    with pytest.raises(ValueError):
        places.find_district("Quận 2")  # merged into Thủ Đức in 2021: only an alias now


def test_gazetteer_matches_the_shared_one_when_present() -> None:
    from socialbeat.settings import load_settings

    path = load_settings().datasets_path / "gazetteer" / "hcmc_area_units_pre2025.csv"
    if not path.is_file():
        pytest.skip("shared gazetteer not available")
    import csv

    with path.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["province_code"] == "79"]
    shared = {(r["district_name"], r["ward_name"].replace("Hoà", "Hòa")) for r in rows}
    ours = {(d.name, w) for d in places.DISTRICTS for w in d.wards}
    assert {d for d, _ in shared} == {d.name for d in places.DISTRICTS}
    assert ours <= shared


def test_district_forms_are_the_ones_people_type() -> None:
    q7 = places.district_forms("Quận 7", "social", None)
    assert {"Q7", "q.7", "Quận 7"} <= set(q7)
    thu_duc = places.district_forms(places.THU_DUC, "social", "Quận 2")
    assert "Quận 2" in thu_duc and "TP Thủ Đức" in thu_duc
    assert "Bình Thạnh" in places.district_forms("Quận Bình Thạnh", "social", None)
    assert places.district_forms("Quận 1", "en", None)[0] == "District 1"
    assert "F22" in places.ward_forms("Phường 22", "social")


def test_thu_duc_places_keep_their_former_district_consistent() -> None:
    rng = random.Random(3)
    for _ in range(200):
        place = places.random_place(rng, places.DISTRICTS_BY_NAME[places.THU_DUC])
        assert place.former in ("Quận 2", "Quận 9", "Quận Thủ Đức")
        assert places.WARD_FORMER[place.ward or ""] == place.former


@pytest.mark.parametrize(
    ("surface", "normalized"),
    [
        ("0909 123 456", "0909123456"),
        ("+84 909 123 456", "0909123456"),
        ("84909123456", "0909123456"),
        ("0909.123.456", "0909123456"),
        ("(+84) 909123456", "0909123456"),
    ],
)
def test_phone_formats_normalize(surface: str, normalized: str) -> None:
    assert pii.normalize_phone(surface) == normalized


def test_pii_generators_are_consistent() -> None:
    rng = random.Random(1)
    for _ in range(300):
        surface, normal = pii.phone(rng)
        assert pii.normalize_phone(surface) == normal and len(normal) in (10, 11)
        surface, normal = pii.cccd(rng)
        assert len(normal) == 12 and pii.digits(surface) == normal
        surface, normal = pii.plate(rng)
        assert pii.normalize_plate(surface) == normal and normal[:2] in ("50", "51", "59")
        surface, normal = pii.bank_account(rng)
        assert pii.digits(surface) == normal and 9 <= len(normal) <= 14
        surface, normal = pii.email(rng, "Nguyễn Thị Minh Thư")
        assert "@" in surface and not has_diacritics(surface)


def test_strip_diacritics_keeps_length_and_teencode_changes_words() -> None:
    text = "Ngập ở đường Nguyễn Hữu Cảnh, Quận Bình Thạnh"
    assert strip_diacritics(text) == "Ngap o duong Nguyen Huu Canh, Quan Binh Thanh"
    assert len(strip_diacritics(text)) == len(text)
    changed = teencode("Mọi người ơi không biết được gì hết", random.Random(0), rate=1.0)
    assert changed != "Mọi người ơi không biết được gì hết"
    assert teencode("máy lọc không khí", random.Random(0), rate=1.0) == "máy lọc không khí"


def test_every_template_compiles_and_uses_known_slots() -> None:
    templates: list[str] = []
    for banks in (civic.POSTS, civic.COMMENTS, civic.ENGLISH, chatter.CHATTER):
        for bank in banks.values():
            templates.extend(t for group in bank.values() for t in group)
    for bank in (chatter.REACTIONS, chatter.HARD_NEGATIVES, chatter.OPENERS, chatter.CLOSERS):
        templates.extend(t for group in bank.values() for t in group)
    for group in (
        *civic.HEADLINES.values(),
        *civic.ANNOUNCEMENTS.values(),
        *chatter.SPAM.values(),
        *chatter.VIDEO_TITLES.values(),
        *chatter.TIKTOK_CAPTIONS.values(),
        *chatter.FORUM_TITLES.values(),
    ):
        templates.extend(group)
    templates.extend(civic.NEWS_FRAMES)
    for incident in load_scenario().incidents:
        templates.extend(
            t for group in (*incident.texts.values(), *incident.comments.values()) for t in group
        )
    for template in templates:
        assert set(template_slots(template)) <= SLOT_NAMES, template
    for category in CATEGORIES:
        for banks in (civic.POSTS, civic.COMMENTS):
            assert set(banks[category]) == set(SENTIMENTS), category
        assert civic.HEADLINES[category] and civic.ISSUES[category] and civic.ANNOUNCEMENTS[category]


def test_template_syntax() -> None:
    nodes = compile_template("a [b|c {x}|] d {y:Quận 1}")
    assert nodes[0] == "a "
    assert template_slots("a [b|c {x}|] d {y:Quận 1}") == ["x", "y"]
    with pytest.raises(ValueError):
        compile_template("a [b|c")


def test_spans_survive_restyling() -> None:
    builder = TextBuilder()
    builder.add("Mọi người ơi không biết ")
    builder.add("Bình Thạnh", LOCATION, {"type": "district"})
    builder.add(" có ngập không, gọi ")
    builder.add("0909 123 456", PII, {"type": "phone"})
    for style in (
        TextStyle(),
        TextStyle(no_diacritics=True, teencode=True, stretch=True),
        TextStyle(caps=True),
    ):
        composed = finalize(builder, style, random.Random(5))
        for span in composed.locations + composed.pii:
            assert composed.text[span["start"] : span["end"]] == span["text"]
        assert composed.pii[0]["text"] == "0909 123 456"


def test_default_scenario_has_the_five_incidents() -> None:
    scenario = load_scenario()
    ids = [i.id for i in scenario.incidents]
    assert len(ids) == 5
    assert {
        "flood-nguyen-huu-canh",
        "scam-wave-0868",
        "fire-apartment-q8",
        "rumour-water-poisoned",
        "metro-line-1-praise",
    } == set(ids)
    rumour = next(i for i in scenario.incidents if i.id == "rumour-water-poisoned")
    assert rumour.campaign and rumour.duration_hours == 1
    assert abs(sum(scenario.sources.values()) - 1) < 1e-9


def test_scenario_validation_names_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        parse_scenario({"colour": "red"})
    with pytest.raises(ValueError, match="unknown category"):
        parse_scenario(
            {
                "incidents": [
                    {"id": "x", "start": "10:00", "categories": ["weather"], "texts": {"negative": ["a"]}}
                ]
            }
        )
    with pytest.raises(ValueError, match="HH:MM"):
        parse_scenario({"incidents": [{"id": "x", "start": "25:00", "texts": {"negative": ["a"]}}]})
    with pytest.raises(ValueError, match="needs facebook_post"):
        parse_scenario({"sources": {"facebook_post": 0}})
    path = tmp_path / "s.yaml"
    path.write_text("incidents:\n  - {id: y, start: '08:00', texts: {neutral: ['[a|b']}}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad template"):
        load_scenario(path)


def test_apportion_and_plan() -> None:
    assert apportion(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert sum(apportion(997, {s: 1.0 + i for i, s in enumerate(SOURCES)}).values()) == 997
    scenario = load_scenario()
    from datetime import datetime

    first = hour_ordinal(datetime(2024, 3, 11, 0))
    plan = build_plan(scenario, first, 24, 1000)
    totals = [sum(plan.get(s, h).base for s in range(len(SOURCES))) for h in plan.hour_ordinals]
    assert abs(sum(totals) - 24 * 1000 * sum(volume_factor(h) for h in plan.hour_ordinals) / 24) < 30
    assert max(DIURNAL) / min(DIURNAL) > 10
    flood = next(i for i, inc in enumerate(scenario.incidents) if inc.id == "flood-nguyen-huu-canh")
    flood_hours = [
        h for h in plan.hour_ordinals if any(plan.get(s, h).incident_block(flood)[1] for s in range(8))
    ]
    assert [(h - first) for h in flood_hours] == [10, 11, 12, 13, 14]  # 17:00-22:00 in Vietnam = 10-14 UTC


def test_weekly_pattern() -> None:
    from datetime import datetime

    tuesday_evening = hour_ordinal(datetime(2024, 3, 12, 13))  # 20:00 in HCMC
    saturday_evening = hour_ordinal(datetime(2024, 3, 16, 13))
    tuesday_night = hour_ordinal(datetime(2024, 3, 11, 20))  # 03:00
    assert volume_factor(saturday_evening) > 1.1 * volume_factor(tuesday_evening)
    assert volume_factor(tuesday_evening) > 8 * volume_factor(tuesday_night)
    week = [volume_factor(hour_ordinal(datetime(2024, 3, 11, 0)) + h) for h in range(7 * 24)]
    assert abs(sum(week) / len(week) - 1) < 1e-9
