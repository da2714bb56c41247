"""Acceptance checks on one simulated day (24 hours from 2024-03-11T00 UTC, default scenario)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sim_support import DAY_HOURS, DAY_START, SimDay, SimLine

from socialbeat.contracts import load_contracts
from socialbeat.landing import hour_range, open_landing
from socialbeat.simulator.scenario import SOURCES, load_scenario
from socialbeat.simulator.style import TEENCODE_TOKENS, has_diacritics, strip_diacritics
from socialbeat.taxonomy import CATEGORIES, SENTIMENTS

pytestmark = pytest.mark.slow
VN = timedelta(hours=7)


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def local_hour(line: SimLine) -> int:
    return (line.hour + VN).hour


def test_every_valid_line_meets_its_contract(sim_day: SimDay) -> None:
    contracts = load_contracts()
    longs = contracts.long_fields()
    strings = [f.name for f in contracts.envelope if f.type == "string"]
    for line in sim_day.valid():
        record = line.record
        assert record is not None
        folder_source = line.file.split("/")[0].removeprefix("source=")
        assert record["source"] == folder_source == line.source
        for name in contracts.required_for(record["source"]):
            assert record.get(name) is not None, (name, line.file, line.number)
        for name in strings:
            assert name not in record or isinstance(record[name], str), name
        for path in longs:
            value = record.get(path[0])
            if len(path) == 2 and isinstance(value, dict):
                value = value.get(path[1])
            if value is not None:
                assert type(value) is int and value >= 0, (path, value)
        assert isinstance(record["engagement"], dict) and record["engagement"]
        assert len(record["text"]) <= 100_000
        created, crawled = parse_ts(record["created_at"]), parse_ts(record["crawled_at"])
        assert line.hour <= crawled < line.hour + timedelta(hours=1), (line.file, record["crawled_at"])
        assert created <= crawled and created.year >= 2024


def test_source_mix_follows_the_scenario(sim_day: SimDay) -> None:
    weights = load_scenario().sources
    baseline = Counter(line.source for line in sim_day.originals() if not line.truth["incident"])
    total = sum(baseline.values())
    for source in SOURCES:
        assert abs(baseline[source] / total - weights[source] / sum(weights.values())) < 0.01, source
    facebook = baseline["facebook_post"] + baseline["facebook_comment"]
    assert facebook / total > 0.45
    assert baseline.most_common(1)[0][0] == "facebook_comment"


def test_diurnal_shape_in_vietnam_time(sim_day: SimDay) -> None:
    per_hour = Counter(local_hour(line) for line in sim_day.lines if not line.truth.get("incident"))
    night = sum(per_hour[h] for h in (2, 3, 4)) / 3
    lunch = sum(per_hour[h] for h in (11, 12, 13)) / 3
    evening = sum(per_hour[h] for h in (20, 21, 22)) / 3
    morning = sum(per_hour[h] for h in (8, 9, 10)) / 3
    assert evening > lunch > morning > night * 3
    assert max(per_hour, key=lambda h: per_hour[h]) in (20, 21, 22)


def test_share_without_diacritics_and_with_teencode(sim_day: SimDay) -> None:
    vietnamese = [
        line
        for line in sim_day.originals()
        if line.truth["lang"] == "vi" and len((line.record or {})["text"].split()) >= 3
    ]
    plain = [line for line in vietnamese if not has_diacritics(line.record["text"])]  # type: ignore[index]
    assert 0.07 <= len(plain) / len(vietnamese) <= 0.14
    flagged = [line for line in vietnamese if "no_diacritics" in line.truth["style"]]
    assert all(not has_diacritics(line.record["text"]) for line in flagged)  # type: ignore[index]
    teen = [line for line in vietnamese if "teencode" in line.truth["style"]]
    assert 0.12 <= len(teen) / len(vietnamese) <= 0.35
    tokens = TEENCODE_TOKENS | {strip_diacritics(token) for token in TEENCODE_TOKENS}
    for line in teen:
        text = line.record["text"].lower()  # type: ignore[index]
        words = {w.strip(".,!?:;@#") for w in text.split()}
        assert words & tokens or any(f" {token} " in f" {text} " for token in tokens), text


def test_content_mix(sim_day: SimDay) -> None:
    originals = sim_day.originals()
    civic = [line for line in originals if line.truth["categories"]]
    assert 0.33 <= len(civic) / len(originals) <= 0.47
    assert {c for line in civic for c in line.truth["categories"]} == set(CATEGORIES)
    sentiments = Counter(line.truth["sentiment"] for line in originals)
    assert set(sentiments) == set(SENTIMENTS) and min(sentiments.values()) / len(originals) > 0.15
    topics = Counter(line.truth["topic"].split(":")[0] for line in originals)
    for kind in ("chatter", "reaction", "hard_negative", "spam", "empty", "emoji", "english", "incident"):
        assert topics[kind] > 0, kind
    assert all(
        not line.truth["categories"] for line in originals if line.truth["topic"].startswith("hard_negative")
    )
    langs = Counter(line.truth["lang"] for line in originals)
    assert langs["en"] > 0 and langs["zh"] > 0
    styles = Counter(s for line in originals for s in line.truth["style"])
    for style in (
        "emoji",
        "hashtag",
        "mention",
        "url",
        "html_entity",
        "all_caps",
        "stretched_letters",
        "repost",
    ):
        assert styles[style] > 0, style
    texts = [line.record["text"] for line in originals if line.record]
    assert any(t == "" for t in texts) and max(len(t) for t in texts) > 3000
    hard = " ".join(texts)
    assert any(
        phrase in hard for phrase in ("kẹt tiền", "cháy hàng", "ngập trong hạnh phúc", "Ngập trong hạnh phúc")
    )


def test_places_are_named_as_people_write_them(sim_day: SimDay) -> None:
    spans = [s for line in sim_day.originals() for s in line.truth["locations"]]
    districts = {s["name"] for s in spans if s["type"] == "district"}
    assert len(districts) == 22
    surfaces = {s["text"] for s in spans if s["type"] == "district"}
    assert surfaces & {"Q1", "q1", "Q.1", "q.1"} and surfaces & {
        "Quận 2",
        "Q2",
        "q2",
        "Q9",
        "Quận 9",
        "quận 9",
    }
    assert {"Bình Thạnh", "TP Thủ Đức"} <= surfaces
    assert any(s["type"] == "landmark" and s.get("kind") == "hospital" for s in spans)
    assert any(s["type"] == "landmark" and s.get("kind") == "canal" for s in spans)


def test_every_span_occurs_in_its_text(sim_day: SimDay) -> None:
    counted = Counter()
    for line in sim_day.valid():
        text = line.record["text"]  # type: ignore[index]
        for span in line.truth["pii"] + line.truth["locations"]:
            assert text[span["start"] : span["end"]] == span["text"], (line.file, line.number, span)
            counted[span["type"]] += 1
    for kind in ("phone", "email", "cccd", "bank_account", "plate", "district", "ward", "street", "landmark"):
        assert counted[kind] > 0, kind


def test_thread_parents_resolve(sim_day: SimDay) -> None:
    ids: dict[str, set[str]] = defaultdict(set)
    first_hour: dict[tuple[str, str], datetime] = {}
    for line in sim_day.valid():
        record = line.record or {}
        ids[line.source].add(record["platform_item_id"])
        key = (line.source, record["platform_item_id"])
        first_hour[key] = min(first_hour.get(key, line.hour), line.hour)
    earlier = 0
    for line in sim_day.valid():
        record = line.record or {}
        source, parent = line.source, record.get("parent_id")
        if source == "facebook_comment":
            assert record["post_id"] in ids["facebook_post"]
            assert parent in ids["facebook_post"] or parent in ids["facebook_comment"]
            earlier += first_hour[("facebook_post", record["post_id"])] < line.hour
        elif source == "news_comment":
            assert record["article_id"] in ids["news_article"]
            assert parent in ids["news_article"] or parent in ids["news_comment"]
        elif source in ("youtube_comment", "tiktok_comment"):
            assert parent == record["video_id"] or parent in ids[source]
        elif source == "forum_post" and parent is not None:
            assert parent in ids["forum_post"]
        else:
            assert parent is None
    assert earlier > 100  # many comments answer posts of earlier hours


def test_authors_and_engagement_are_heavy_tailed(sim_day: SimDay) -> None:
    comments = [line.record for line in sim_day.originals() if line.source == "facebook_comment"]
    per_author = Counter(r["author_id"] for r in comments if r)
    top = sum(count for _, count in per_author.most_common(max(1, len(per_author) // 100)))
    assert top / len(comments) > 0.04  # the top 1% of commenters write well over 1% of comments
    followers = sorted(
        r["author_followers"]
        for line in sim_day.originals()
        if line.source == "facebook_post" and (r := line.record) and "author_followers" in r
    )
    assert followers[-1] > 1_000_000 and followers[-1] > 20 * followers[len(followers) // 2]
    likes = sorted(line.record["engagement"]["likes"] for line in sim_day.originals() if line.record)
    assert likes[-1] > 100 * max(1, likes[len(likes) // 2])


def test_crawl_lag_and_late_arrivals(sim_day: SimDay) -> None:
    lags = [
        parse_ts(r["crawled_at"]) - parse_ts(r["created_at"])
        for line in sim_day.originals()
        if (r := line.record)
    ]
    lags.sort()
    assert lags[len(lags) // 2] < timedelta(minutes=30)
    late = sum(lag > timedelta(hours=6) for lag in lags)
    assert 0.005 < late / len(lags) < 0.05


def test_refetches_edits_and_duplicates(sim_day: SimDay) -> None:
    by_id: dict[tuple[str, str], list[SimLine]] = defaultdict(list)
    for line in sim_day.valid():
        by_id[(line.source, line.record["platform_item_id"])].append(line)  # type: ignore[index]
    kinds = Counter(line.truth["kind"] for line in sim_day.valid())
    assert kinds["refetch"] > 50 and kinds["edit"] > 10 and kinds["duplicate_line"] > 5
    for line in sim_day.valid():
        if line.truth["kind"] == "original":
            continue
        original = next(
            other
            for other in by_id[(line.source, line.record["platform_item_id"])]  # type: ignore[index]
            if other.truth["kind"] == "original"
        )
        if line.truth["kind"] == "duplicate_line":
            twins = [
                o
                for o in by_id[(line.source, line.record["platform_item_id"])]  # type: ignore[index]
                if o.raw == line.raw and o.file == line.file and o.number != line.number
            ]
            assert twins
        elif line.truth["kind"] == "refetch":
            assert line.record["text"] == original.record["text"]  # type: ignore[index]
            assert line.record["crawled_at"] >= original.record["crawled_at"]  # type: ignore[index]
            for key, value in original.record["engagement"].items():  # type: ignore[index]
                assert line.record["engagement"][key] >= value  # type: ignore[index]
        else:
            assert line.record["text"].startswith(original.record["text"])  # type: ignore[index]
            assert line.record["text"] != original.record["text"]  # type: ignore[index]
    reposts = [line for line in sim_day.originals() if line.truth["repost_of"]]
    assert reposts
    for line in reposts:
        target = by_id[(line.truth["repost_of"]["source"], line.truth["repost_of"]["platform_item_id"])]
        assert target and target[0].record["text"] in line.record["text"]  # type: ignore[index]


def _incident_lines(day: SimDay, incident: str) -> list[SimLine]:
    return [line for line in day.originals() if line.truth["incident"] == incident]


def _window(day: SimDay, incident: str) -> tuple[datetime, datetime]:
    spec = next(i for i in day.scenario_file()["incidents"] if i["id"] == incident)
    return parse_ts(spec["start"]), parse_ts(spec["end"])


@pytest.mark.parametrize(
    ("incident", "local_start", "district"),
    [
        ("flood-nguyen-huu-canh", "17:00", "Quận Bình Thạnh"),
        ("fire-apartment-q8", "13:30", "Quận 8"),
        ("rumour-water-poisoned", "20:00", "Quận 12"),
        ("metro-line-1-praise", "07:00", None),
        ("scam-wave-0868", "09:00", None),
    ],
)
def test_incidents_happen_at_their_scripted_time_and_place(
    sim_day: SimDay, incident: str, local_start: str, district: str | None
) -> None:
    start, end = _window(sim_day, incident)
    assert (start + VN).strftime("%H:%M") == local_start and start.date() == DAY_START.date()
    lines = _incident_lines(sim_day, incident)
    assert len(lines) >= 20
    for line in lines:
        record = line.record or {}
        assert start <= parse_ts(record["created_at"]) <= parse_ts(record["crawled_at"]) < end
    if district is None:
        return
    named = [line for line in lines if any(s.get("district") == district for s in line.truth["locations"])]
    assert len(named) / len(lines) > 0.5
    # the incident stands out: its category in its district is far more frequent in its window than outside

    def about(line: SimLine) -> bool:
        return lines[0].truth["categories"][0] in line.truth["categories"] and any(
            s.get("district") == district for s in line.truth["locations"]
        )

    inside = sum(1 for line in sim_day.originals() if about(line) and start <= line.hour < end)
    outside = sum(1 for line in sim_day.originals() if about(line) and not start <= line.hour < end)
    hours_inside = max(1, round((end - start).total_seconds() / 3600))
    assert inside / hours_inside > 5 * max(1, outside) / (DAY_HOURS - hours_inside)


def test_flood_is_on_nguyen_huu_canh(sim_day: SimDay) -> None:
    lines = _incident_lines(sim_day, "flood-nguyen-huu-canh")
    streets = Counter(s["name"] for line in lines for s in line.truth["locations"] if s["type"] == "street")
    assert streets.most_common(1)[0][0] == "Nguyễn Hữu Cảnh"
    assert {"flooding", "traffic"} == set(lines[0].truth["categories"])


def test_scam_wave_repeats_one_phone_and_one_account(sim_day: SimDay) -> None:
    lines = _incident_lines(sim_day, "scam-wave-0868")
    phones = Counter(p["normalized"] for line in lines for p in line.truth["pii"] if p["type"] == "phone")
    accounts = Counter(
        p["normalized"] for line in lines for p in line.truth["pii"] if p["type"] == "bank_account"
    )
    assert phones.most_common(1)[0] == ("0868214937", sum(phones.values())) and sum(phones.values()) > 20
    assert list(accounts) == ["19035582447109"]
    surfaces = {p["text"] for line in lines for p in line.truth["pii"] if p["type"] == "phone"}
    assert len(surfaces) >= 3  # the same number written several ways
    hours = {line.hour for line in lines}
    assert len(hours) >= 10


def test_rumour_is_copied_nearly_verbatim_by_many_accounts_within_an_hour(sim_day: SimDay) -> None:
    lines = _incident_lines(sim_day, "rumour-water-poisoned")
    authors = {line.record["author_id"] for line in lines}  # type: ignore[index]
    assert len(authors) > 0.9 * len(lines) >= 36
    core = "Nhà máy nước bị nhiễm độc"
    similar = [line for line in lines if core.lower() in line.record["text"].lower()]  # type: ignore[index]
    assert len(similar) / len(lines) > 0.8
    times = sorted(parse_ts(line.record["created_at"]) for line in lines)  # type: ignore[index]
    assert times[-1] - times[0] <= timedelta(hours=1)
    assert all(line.truth["categories"] == ["misinformation"] for line in lines)


def test_metro_praise_is_mostly_positive(sim_day: SimDay) -> None:
    lines = _incident_lines(sim_day, "metro-line-1-praise")
    sentiments = Counter(line.truth["sentiment"] for line in lines)
    assert sentiments["positive"] / len(lines) > 0.55


def test_malformed_lines_at_the_configured_rate(sim_day: SimDay) -> None:
    malformed = [line for line in sim_day.lines if line.truth["kind"] == "malformed"]
    rate = len(malformed) / len(sim_day.lines)
    assert 0.003 < rate < 0.008
    assert sim_day.summary.total_malformed == len(malformed)
    assert len({line.truth["malformed"] for line in malformed}) >= 6


def test_truth_and_manifests_sit_beside_the_crawl_files(sim_day: SimDay) -> None:
    store = open_landing(str(sim_day.landing))
    hours = hour_range(DAY_START, DAY_START + timedelta(hours=DAY_HOURS - 1))
    files_per_hour = []
    for hour in hours:
        assert store.hour_complete(hour, list(SOURCES))
        listed = store.list_hour(hour)
        assert listed and all(f.name.startswith("part-") and "_truth" not in f.uri for f in listed)
        files_per_hour.append(len(listed))
        manifest = store.manifest("facebook_post", hour)
        assert manifest is not None and manifest["files"][0]["lines"] > 0
        incidents = json.loads(
            (
                sim_day.landing / "_truth" / f"dt={hour:%Y-%m-%d}" / f"hour={hour:%H}" / "incidents.json"
            ).read_text(encoding="utf-8")
        )
        assert incidents["hour"] == f"{hour:%Y-%m-%dT%H}"
    scenario = sim_day.scenario_file()
    assert scenario["seed"] == 7 and len(scenario["incidents"]) == 5
    assert scenario["totals"]["lines"] == len(sim_day.lines)


def _by_source(lines: list[SimLine]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        out[line.source].append(line.truth)
    return out


def test_summary_counts_match_the_files(sim_day: SimDay) -> None:
    per_source = Counter(line.source for line in sim_day.lines)
    assert sim_day.summary.lines_per_source() == dict(per_source)
    assert sim_day.summary.incidents == dict(
        Counter(line.truth["incident"] for line in sim_day.originals() if line.truth["incident"])
    )
    assert set(_by_source(sim_day.lines)) == set(SOURCES)
