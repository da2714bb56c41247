"""Bronze ingestion from an S3 landing zone (a real SeaweedFS server on 127.0.0.1)."""

from __future__ import annotations

from typing import Any

import pytest

from crawl_lines import HOUR, write_messy_hour
from socialbeat.bronze.ingest import ingest_hour
from socialbeat.landing import S3LandingStore, open_landing
from socialbeat.settings import Settings

pytestmark = [pytest.mark.spark, pytest.mark.s3]


def test_ingest_reads_an_s3_landing_hour_through_boto3(
    spark: Any, settings: Settings, s3_server: Any
) -> None:
    s3_server.make_bucket("crawls")
    s3_settings = s3_server.settings()
    on_s3 = settings.model_copy(update={"landing": "s3://crawls/landing", "s3": s3_settings})
    store = open_landing(on_s3.landing_uri, s3_settings)
    assert isinstance(store, S3LandingStore)
    expected = write_messy_hour(store)
    assert store.hour_complete(HOUR, ["facebook_post", "facebook_comment"])

    report = ingest_hour(spark, on_s3, HOUR)

    assert report.reasons == expected
    assert all(f.uri.startswith("s3://crawls/landing/source=") for f in report.files)
    assert all(f.balanced for f in report.files)
    local = settings.model_copy(update={"landing": settings.landing_uri})
    write_messy_hour(open_landing(local.landing_uri))
    same_hour_from_disk = ingest_hour(spark, local, HOUR)
    assert (same_hour_from_disk.bronze_rows, same_hour_from_disk.quarantined_rows) == (
        report.bronze_rows,
        report.quarantined_rows,
    )
