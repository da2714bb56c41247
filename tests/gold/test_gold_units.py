"""Gold transforms on tiny frames: alerts (pandas), agency filters and DDL, and the configuration (fast)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import yaml

from socialbeat.gold import alerts
from socialbeat.gold.job import GOLD_TABLES
from socialbeat.gold.publish import agency_filter, publish_statements
from socialbeat.gold.report import Scope, scope_for
from socialbeat.gold.terms import load_stopwords
from socialbeat.settings import Agency, AlertSettings, Settings, load_settings
from socialbeat.tables import table
from socialbeat.taxonomy import CATEGORIES

pytestmark = pytest.mark.fast

CFG = AlertSettings(min_volume=5, min_ratio=3.0, max_p_value=1e-3, baseline_days=7, min_baseline_days=3,
                    fallback_hours=24, close_after_hours=2)  # fmt: skip
DAY = datetime(2024, 3, 11)


def _cells(counts: dict[tuple[datetime, str, str], int]) -> pd.DataFrame:
    rows = [{"hour_vn": h, "category": c, "district": d, "volume": v} for (h, c, d), v in counts.items()]
    return pd.DataFrame(rows, columns=["hour_vn", "category", "district", "volume"])


def _totals(volume_per_hour: int, hours: list[datetime]) -> pd.DataFrame:
    return pd.DataFrame({"hour_vn": hours, "volume": [volume_per_hour] * len(hours)})


def test_poisson_tail_and_severity() -> None:
    assert alerts.poisson_tail(0, 3.0) == 1.0
    assert alerts.poisson_tail(1, 2.0) == pytest.approx(1 - 2.718281828**-2)
    assert alerts.poisson_tail(20, 1.0) < 1e-15
    levels = {"medium": 8.0, "high": 12.0, "critical": 20.0}
    assert [alerts.severity(p, levels) for p in (1e-5, 1e-9, 1e-13, 1e-30)] == [
        "low",
        "medium",
        "high",
        "critical",
    ]


def test_a_spike_against_the_same_hour_of_previous_days() -> None:
    hours = [DAY - timedelta(days=d) + timedelta(hours=17) for d in range(8)]
    counts = {(h, "flooding", "Quận 8"): 1 for h in hours[1:]}
    counts[(hours[0], "flooding", "Quận 8")] = 25
    cells = alerts.with_citywide(_cells(counts), "Toàn thành phố", "Chưa xác định")
    scored = alerts.score_hours(cells, _totals(300, hours), ["2024-03-11"], CFG)
    district = scored[scored["scope"] == "district"].iloc[0]
    assert district["method"] == "same_hour" and district["expected"] == pytest.approx(1.0)
    assert bool(district["spike"]) and district["p_value"] < 1e-15
    found = alerts.episodes(scored, DAY + timedelta(hours=23), CFG)
    assert set(found["scope"]) == {"district", "city"}
    assert set(found["status"]) == {"closed"}


def test_without_history_the_trailing_share_is_the_baseline() -> None:
    hours = [DAY + timedelta(hours=h) for h in range(10)]
    counts = {(h, "traffic", "Quận 1"): 2 for h in hours}  # 2 of 100 every hour: nothing unusual
    counts[(hours[9], "traffic", "Quận 1")] = 3
    counts.update({(h, "fire_safety", "Quận 8"): 0 for h in hours[:9]})
    counts[(hours[9], "fire_safety", "Quận 8")] = 12
    cells = alerts.with_citywide(_cells(counts), "Toàn thành phố", "Chưa xác định")
    scored = alerts.score_hours(cells, _totals(100, hours), ["2024-03-11"], CFG)
    assert set(scored["method"]) == {"trailing_share"}
    spikes = scored[scored["spike"]]
    assert set(spikes["category"]) == {"fire_safety"}
    assert spikes["hour_vn"].min() == hours[9]


def test_first_hour_of_data_is_not_judged_and_unlocated_cells_only_count_citywide() -> None:
    hour = DAY + timedelta(hours=7)
    cells = alerts.with_citywide(_cells({(hour, "traffic", "Chưa xác định"): 40}), "TP", "Chưa xác định")
    assert list(cells["scope"]) == ["city"]
    scored = alerts.score_hours(cells, _totals(100, [hour]), ["2024-03-11"], CFG)
    assert scored.empty
    found = alerts.episodes(scored, hour, CFG)  # nothing judged: no alert, and the columns stay
    assert found.empty and list(found.columns) == alerts.ALERT_COLUMNS


def _spike_rows(hours: list[datetime]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "hour_vn": pd.Timestamp(h),
                "category": "flooding",
                "district": "Quận 8",
                "scope": "district",
                "volume": 20,
                "expected": 1.0,
                "ratio": 20.0,
                "z_score": 19.0,
                "p_value": 1e-20,
                "method": "same_hour",
                "spike": True,
            }
            for h in hours
        ]
    )


def test_episodes_merge_short_gaps_and_close_against_the_watermark() -> None:
    hours = [DAY + timedelta(hours=h) for h in (17, 18, 20, 23)]
    found = alerts.episodes(_spike_rows(hours), DAY + timedelta(hours=23), CFG).sort_values("start_hour_vn")
    assert list(found["hours"]) == [3, 1]  # 17, 18 and 20 (one quiet hour) are one alert; 23 another
    assert list(found["status"]) == ["closed", "open"]
    assert found.iloc[0]["alert_id"] == alerts.alert_id("flooding", "Quận 8", hours[0])
    again = alerts.episodes(_spike_rows(hours), DAY + timedelta(hours=23), CFG).sort_values("start_hour_vn")
    pd.testing.assert_frame_equal(found.reset_index(drop=True), again.reset_index(drop=True))
    assert set(alerts.episodes(_spike_rows(hours), None, CFG)["status"]) == {"open"}


def test_python_rows_are_plain_values() -> None:
    found = alerts.episodes(_spike_rows([DAY + timedelta(hours=17)]), None, CFG)
    (row,) = alerts.python_rows(found, ["start_hour_vn", "spike_hours", "volume"])
    assert type(row[0]) is datetime and type(row[1][0]) is datetime and type(row[2]) is int


def test_stopwords_cover_the_repo_list_the_shared_list_and_their_plain_forms(tmp_path: Path) -> None:
    words = load_stopwords(None)
    assert {"không", "khong", "mọi người", "moi nguoi", "rất"} <= words
    assert "ngập" not in words and "cháy" not in words
    shared = tmp_path / "lexicons" / "vi_stopwords"
    shared.mkdir(parents=True)
    (shared / "vietnamese-stopwords.txt").write_text("ai nấy\nbởi vì\n", encoding="utf-8")
    assert {"ai nấy", "boi vi"} <= load_stopwords(tmp_path)


def test_agency_filters_and_ddl() -> None:
    traffic = Agency(code="sgtvt", name="Sở GTVT", categories=["traffic", "flooding"])
    district = Agency(code="ubnd_bt", name="UBND Bình Thạnh", districts=["Quận Bình Thạnh"])
    assert agency_filter("gold.category_hourly", traffic) == "category IN ('traffic', 'flooding')"
    assert (
        agency_filter("gold.mentions", traffic) == "arrays_overlap(categories, array('traffic', 'flooding'))"
    )
    assert "category <> 'all'" in agency_filter("gold.trending_terms", traffic)
    assert agency_filter("gold.alerts", district) == "district IN ('Quận Bình Thạnh')"
    assert agency_filter("gold.campaigns", district) == "arrays_overlap(districts, array('Quận Bình Thạnh'))"
    assert agency_filter("gold.trending_terms", district) == "TRUE"
    settings = Settings().model_copy(update={"lake": "/data/lake"})
    settings.gold.agencies = [traffic, district]
    statements = publish_statements(settings)
    assert statements[0].startswith("CREATE DATABASE IF NOT EXISTS gold")
    creates = [s for s in statements if s.startswith("CREATE TABLE")]
    assert len(creates) == len(GOLD_TABLES) and "LOCATION '/data/lake/gold/alerts'" in " ".join(creates)
    views = [s for s in statements if s.startswith("CREATE OR REPLACE VIEW agency_sgtvt.")]
    assert len(views) == len(GOLD_TABLES)


def test_configuration_names_real_categories_and_districts() -> None:
    settings = load_settings()
    known = set(CATEGORIES)
    districts = {d["name"] for d in yaml.safe_load(
        (Path(__file__).parents[2] / "src/socialbeat/silver/data/districts.yaml").read_text(encoding="utf-8")
    )["districts"]}  # fmt: skip
    assert {a.code for a in settings.gold.agencies} >= {"sgtvt", "ubnd_binh_thanh", "catp"}
    for agency in settings.gold.agencies:
        assert set(agency.categories) <= known and set(agency.districts) <= districts, agency.code
    assert table("gold.mention_categories").extra["categories"] == list(CATEGORIES)
    police = settings.gold.agency("CATP")
    assert police.categories == ["public_security", "online_fraud", "misinformation", "data_privacy"]
    with pytest.raises(ValueError, match="unknown agency"):
        settings.gold.agency("nobody")


def test_report_scope() -> None:
    settings = load_settings()
    assert scope_for(settings, None, None) == Scope("Toàn thành phố")
    assert scope_for(settings, "Quận 8", None).districts == ("Quận 8",)
    traffic = scope_for(settings, None, "sgtvt")
    assert traffic.categories == ("traffic", "flooding") and not traffic.districts


def test_gold_commands_parse() -> None:
    from socialbeat.cli import build_parser

    parser, handlers = build_parser()
    assert {"gold", "gold-summary", "publish", "serve-sql", "report"} <= set(handlers)
    args = parser.parse_args(
        ["gold", "--from", "2024-03-11T10", "--hours", "6", "--backfill", "--lake", "/x"]
    )
    assert (args.from_hour, args.hours, args.backfill, args.lake) == ("2024-03-11T10", 6, True, "/x")
    args = parser.parse_args(
        ["report", "--date", "2024-03-11", "--district", "Quận Bình Thạnh", "--agency", "catp"]
    )
    assert (args.date, args.district, args.agency) == ("2024-03-11", "Quận Bình Thạnh", "catp")
    assert parser.parse_args(["serve-sql", "--port", "10001"]).port == 10001


def test_a_shared_identifier_campaign_raises_a_citywide_alert_from_its_threshold_hour() -> None:
    campaigns = pd.DataFrame(
        [
            {
                "campaign_id": "shared_identifier:phone:ab",
                "category": "online_fraud",
                "peak_window_authors": 25,
                "reached_at": DAY + timedelta(hours=10, minutes=40),
            }
        ]
    )
    hours = [DAY + timedelta(hours=h) for h in (9, 10, 11, 12)]
    hourly = pd.DataFrame(
        {"campaign_id": "shared_identifier:phone:ab", "hour_vn": hours, "volume": [6, 7, 9, 5]}
    )
    found = alerts.campaign_alerts(campaigns, hourly, DAY + timedelta(hours=13), "TP", 10, CFG)
    (alert,) = found.to_dict("records")
    assert alert["start_hour_vn"] == DAY + timedelta(hours=10) and alert["hours"] == 3
    assert (alert["peak_volume"], alert["volume"], alert["severity"], alert["status"]) == (
        9,
        21,
        "high",
        "open",
    )
    assert alert["method"] == "campaign" and alert["p_value"] is None and alert["scope"] == "city"
    assert (
        alerts.campaign_alerts(campaigns, hourly, DAY + timedelta(hours=14), "TP", 10, CFG)["status"][0]
        == "closed"
    )
