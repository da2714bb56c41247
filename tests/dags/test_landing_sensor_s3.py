"""The landing sensor against a real S3 server (SeaweedFS, tests/fixtures_s3.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from socialbeat.settings import Settings

pytestmark = pytest.mark.s3


def test_the_landing_sensor_waits_for_every_source_in_s3(
    settings: Settings, s3_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sensor against a real S3 server (SeaweedFS), configured as a deployment would be (the
    environment): complete only when every expected source has its _SUCCESS for the crawl hour."""
    import pendulum

    from socialbeat.landing import open_landing
    from socialbeat.orchestration.operators import LandingHourSensor

    s3_server.make_bucket("landing-sensor")
    for key, value in {
        "SOCIALBEAT_LANDING": "s3://landing-sensor/landing",
        "SOCIALBEAT_S3__ENDPOINT_URL": s3_server.endpoint_url,
        "SOCIALBEAT_S3__ACCESS_KEY_ID": s3_server.access_key_id,
        "SOCIALBEAT_S3__SECRET_ACCESS_KEY": s3_server.secret_access_key,
        "SOCIALBEAT_LANDING_EXPECTED_SOURCES": '["facebook_post", "zalo_post"]',
    }.items():
        monkeypatch.setenv(key, value)
    store = open_landing("s3://landing-sensor/landing", s3_server.settings())
    hour = datetime(2024, 3, 11, 10)
    sensor = LandingHourSensor(task_id="wait_for_landing")
    start = pendulum.datetime(2024, 3, 11, 10, tz="UTC")
    context = {"data_interval_start": start, "data_interval_end": start.add(hours=1)}

    store.write_bytes("source=facebook_post/dt=2024-03-11/hour=10/part-0.jsonl", b'{"a": 1}\n')
    store.mark_complete("facebook_post", hour)
    assert sensor.poke(context) is False  # zalo_post has not landed
    store.write_bytes("source=zalo_post/dt=2024-03-11/hour=10/part-0.jsonl", b'{"a": 2}\n')
    assert sensor.poke(context) is False  # landed, not complete
    store.mark_complete("zalo_post", hour)
    assert sensor.poke(context) is True
    with pytest.raises(Exception, match="not one crawl hour"):
        sensor.poke({**context, "data_interval_end": start.add(hours=2)})
