"""Erasure and retention declarations, request validation and CLI wiring: pure Python, no JVM."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from socialbeat.cli import _utc_instant, build_parser
from socialbeat.erasure import erase, erasure_id_for, erasure_spec
from socialbeat.maintenance import retention_rule
from socialbeat.settings import RetentionSettings, Settings
from socialbeat.tables import registry

pytestmark = pytest.mark.fast

# Columns that hold a person's id or words: a table with any of them must say how it is erased.
PERSONAL_COLUMNS = {"author_id", "author_name", "text", "raw_line", "raw_text", "raw_base64", "row_json"}
AT = datetime(2024, 4, 1, 9, 30, tzinfo=UTC)


def test_every_table_declares_how_it_is_erased_and_kept() -> None:
    for definition in registry().values():
        spec = erasure_spec(definition)
        retention_rule(definition)  # raises when missing or malformed
        if PERSONAL_COLUMNS & set(definition.column_names):
            assert spec.applies_to("author") and spec.applies_to("mention"), definition.name


def test_personal_columns_are_kept_out_of_delta_statistics() -> None:
    for definition in registry().values():
        personal = {c.name for c in definition.columns if c.personal}
        assert PERSONAL_COLUMNS & set(definition.column_names) <= personal, definition.name
        stats = definition.stats_columns
        assert (stats is None) == (not personal), definition.name
        assert not personal & set(stats or []), definition.name


def test_retention_rules_come_from_settings() -> None:
    rules = {name: retention_rule(d) for name, d in registry().items()}
    assert rules["audit.erasures"] is None  # the suppression list is kept forever
    bronze = rules["bronze.crawl_items"]
    assert bronze is not None and (bronze.days_from, bronze.date_column) == ("bronze_days", "crawl_date")
    assert bronze.cutoff(date(2024, 6, 10), RetentionSettings(bronze_days=90)) == date(2024, 3, 12)
    quarantine = rules["bronze.quarantine"]
    assert quarantine is not None and quarantine.days(RetentionSettings(quarantine_days=7)) == 7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"author_id": "a", "mention_id": "0" * 32}, "exactly one"),
        ({"mention_id": "facebook_post-1"}, "32-hex"),
        ({"author_id": "fb-1", "requested_by": " "}, "requested_by is required"),
        ({"author_id": "fb-1", "requested_at": datetime(2024, 4, 1)}, "time zone"),
        ({"author_id": "fb-1", "reason": "user fb-1 asked"}, "must not name the subject"),
    ],
)
def test_bad_requests_fail_before_touching_any_table(kwargs: dict[str, Any], message: str) -> None:
    request: dict[str, Any] = {"requested_by": "ticket DPO-1", "requested_at": AT, **kwargs}
    with pytest.raises(ValueError, match=message):
        erase(None, Settings(), **request)  # type: ignore[arg-type]


def test_erasure_id_is_deterministic_per_request() -> None:
    one = erasure_id_for("author", "ab" * 32, AT)
    assert one == erasure_id_for("author", "ab" * 32, AT.astimezone())
    assert one != erasure_id_for("author", "ab" * 32, AT.replace(minute=31))
    assert len(one) == 32


def test_erase_and_maintain_commands_parse() -> None:
    parser, handlers = build_parser()
    assert {"erase", "maintain"} <= set(handlers)
    args = parser.parse_args(["erase", "--author", "fb-1", "--requested-by", "ticket DPO-1", "--vacuum"])
    assert (args.author, args.mention, args.vacuum, args.vacuum_hours) == ("fb-1", None, True, None)
    with pytest.raises(SystemExit):
        parser.parse_args(["erase", "--author", "a", "--mention", "b", "--requested-by", "x"])
    with pytest.raises(SystemExit):
        parser.parse_args(["erase", "--author", "a"])  # --requested-by is required
    args = parser.parse_args(["maintain", "--as-of", "2024-06-10", "--vacuum-hours", "0"])
    assert (args.as_of, args.vacuum_hours) == ("2024-06-10", 0)


def test_requested_at_is_utc_and_defaults_to_the_wall_clock_only_in_the_cli() -> None:
    assert _utc_instant("2024-04-01T09:30Z") == AT
    assert _utc_instant("2024-04-01T16:30+07:00") == AT
    assert _utc_instant("2024-04-01T09:30") == AT
    assert (datetime.now(UTC) - _utc_instant(None)).total_seconds() < 60
