"""Gold over one simulated Vietnam day, checked against the simulator's ground truth.

- every scripted incident raises an alert of one of its categories at its place (its district, or
  the whole city when its items name no single district) whose first spike hour starts within 2 hours
  of the incident's start;
- the campaign table finds the copied rumour (near-duplicate cluster) and the scam number
  (shared identifier);
- false alerts (alerts whose mentions are mostly not from any incident) are counted and printed;
- re-running an hour leaves every gold table exactly as it was.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from gold_support import GOLD_DAY, VN, GoldLake
from socialbeat.gold import alerts as alert_logic
from socialbeat.gold import campaigns as campaign_logic
from socialbeat.gold.job import ALERTS, CAMPAIGNS, CATEGORIES, GOLD_TABLES, MENTIONS, run_gold_hour

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


def _rows(spark: Any, lake: GoldLake, name: str) -> list[dict[str, Any]]:
    return [r.asDict(recursive=True) for r in lake.frame(spark, name).collect()]


def _expected_place(lake: GoldLake, incident: dict[str, Any], truth: list[dict[str, Any]]) -> str | None:
    """The incident's district when most of its items name it, else None (the whole city)."""
    district = (incident.get("place") or {}).get("district")
    items = [t for t in truth if t.get("incident") == incident["id"] and t["kind"] == "original"]
    named = [t for t in items if any(s.get("district") == district for s in t["locations"])]
    return district if district and len(named) > 0.5 * len(items) else None


@pytest.fixture(scope="module")
def day(spark: Any, gold_lake: GoldLake) -> dict[str, Any]:
    alert_rows = _rows(spark, gold_lake, ALERTS)
    frame = gold_lake.frame(spark, ALERTS)
    members = alert_logic.alert_mentions(
        frame, gold_lake.frame(spark, CATEGORIES), gold_lake.settings.gold.citywide
    ).collect()
    by_alert: dict[str, set[str]] = {}
    for row in members:
        by_alert.setdefault(row["alert_id"], set()).add(row["mention_id"])
    # A campaign alert's mentions are its campaign's.
    grouped = campaign_logic.members(gold_lake.frame(spark, MENTIONS)).collect()
    by_campaign: dict[str, set[str]] = {}
    for row in grouped:
        by_campaign.setdefault(f"{row['kind']}:{row['group_key']}", set()).add(row["mention_id"])
    for alert in alert_rows:
        if alert["campaign_id"]:
            by_alert[alert["alert_id"]] = by_campaign.get(alert["campaign_id"], set())
    return {
        "alerts": alert_rows,
        "members": by_alert,
        "campaigns": _rows(spark, gold_lake, CAMPAIGNS),
        "incident_mentions": gold_lake.incident_mentions(),
        "truth": gold_lake.truth(),
    }


def test_every_incident_is_alerted_at_its_place_within_two_hours(
    gold_lake: GoldLake, day: dict[str, Any]
) -> None:
    delays = {}
    for incident in gold_lake.incidents():
        start = _utc(incident["start"]) + VN
        place = _expected_place(gold_lake, incident, day["truth"])
        first_hour = start.replace(minute=0, second=0)
        matching = [
            a
            for a in day["alerts"]
            if a["category"] in incident["categories"]
            and (a["district"] == place if place else a["scope"] == "city")
            and first_hour <= a["start_hour_vn"] < start + timedelta(hours=2)
        ]
        assert matching, (incident["id"], place, [(a["category"], a["district"], a["start_hour_vn"])
                                                   for a in day["alerts"]])  # fmt: skip
        earliest = min(a["start_hour_vn"] for a in matching)
        delays[incident["id"]] = (earliest + timedelta(hours=1) - start).total_seconds() / 60
    print(f"\ndetection delay (end of the first spike hour - incident start), minutes: {json.dumps(delays)}")


def test_false_alerts_per_simulated_day(gold_lake: GoldLake, day: dict[str, Any]) -> None:
    incident_ids = set().union(*day["incident_mentions"].values())
    verdicts = Counter()
    false = []
    for alert in day["alerts"]:
        members = day["members"].get(alert["alert_id"], set())
        true = members and len(members & incident_ids) >= 0.5 * len(members)
        verdicts["true" if true else "false"] += 1
        if not true:
            false.append(
                (alert["category"], alert["district"], f"{alert['start_hour_vn']:%H}h", alert["peak_volume"])
            )
    print(f"\nalerts on {GOLD_DAY}: {dict(verdicts)}; false alerts: {false}")
    assert verdicts["true"] >= len(gold_lake.incidents())
    assert verdicts["false"] <= 5, false  # a regression guard; the measured figure is in the README


def test_the_rumour_and_the_scam_number_are_campaigns(
    spark: Any, gold_lake: GoldLake, day: dict[str, Any]
) -> None:
    mentions = gold_lake.frame(spark, MENTIONS).select("mention_id", "near_dup_cluster_id").collect()
    cluster_of = {r["mention_id"]: r["near_dup_cluster_id"] for r in mentions}
    rumour = day["incident_mentions"]["rumour-water-poisoned"]
    clusters = Counter(cluster_of.get(m) for m in rumour)
    (main_cluster, copies), *_ = clusters.most_common(1)
    assert copies >= 0.8 * len(rumour)
    found = [c for c in day["campaigns"] if c["campaign_id"] == f"near_duplicate:{main_cluster}"]
    assert found, "the rumour's cluster is not a campaign"
    (campaign,) = found
    assert campaign["authors"] >= 0.8 * len(rumour) and "misinformation" in campaign["categories"]
    assert campaign["spread_rate"] >= 20 and campaign["first_seen"].date() == GOLD_DAY
    scam = day["incident_mentions"]["scam-wave-0868"]
    identifiers = [
        c for c in day["campaigns"] if c["kind"] == "shared_identifier" and c["category"] == "online_fraud"
    ]
    assert identifiers and max(c["mentions"] for c in identifiers) >= 0.5 * len(scam)
    phones = [c for c in identifiers if c["group_key"].startswith("phone:")]
    assert phones and phones[0]["recurring_pii"][0]["mentions"] >= 10


def _snapshot(spark: Any, lake: GoldLake) -> dict[str, list[str]]:
    out = {}
    for name in GOLD_TABLES:
        frame = lake.frame(spark, name)
        out[name] = sorted(
            json.dumps(r.asDict(recursive=True), default=str, sort_keys=True) for r in frame.collect()
        )
    return out


def test_rerunning_hours_leaves_every_gold_table_unchanged(spark: Any, gold_lake: GoldLake) -> None:
    before = _snapshot(spark, gold_lake)
    assert all(before[name] for name in GOLD_TABLES), [n for n in GOLD_TABLES if not before[n]]
    report = run_gold_hour(spark, gold_lake.settings, gold_lake.hours[13])  # 20:00 in HCMC: the rumour
    assert "2024-03-11" in report.dates and report.rows["gold.mentions"] > 0
    after = _snapshot(spark, gold_lake)
    for name in GOLD_TABLES:
        assert after[name] == before[name], name
