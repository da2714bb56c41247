"""Calendar facts the DAGs share: when the hourly DAG starts, the Vietnam day of the daily one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from socialbeat.landing import format_hour, parse_hour
from socialbeat.settings import Settings

VIETNAM = "Asia/Ho_Chi_Minh"


def start_date(settings: Settings) -> datetime:
    """The first crawl hour the hourly DAG runs (catchup starts here), as an aware UTC datetime."""
    return parse_hour(settings.orchestration.start_date).replace(tzinfo=UTC)


def end_date(settings: Settings) -> datetime | None:
    """The last crawl hour the DAGs schedule (catchup stops there), or None: they run on."""
    last = settings.orchestration.end_date
    return parse_hour(last).replace(tzinfo=UTC) if last else None


def day_span_hours(first: str, last: str) -> int:
    """Template filter: the crawl hours from the start of date `first` to the end of `last`."""
    return ((date.fromisoformat(last) - date.fromisoformat(first)).days + 1) * 24


def rescore_requested(first: str, last: str) -> bool:
    """ShortCircuit callable: a re-score runs only when both dates are given, in order."""
    if not first and not last:
        return False
    if not first or not last:
        raise ValueError("give both rescore_from and rescore_to (YYYY-MM-DD), or neither")
    if day_span_hours(first, last) <= 0:
        raise ValueError(f"rescore_to {last} is before rescore_from {first}")
    return True


def crawl_hour(value: datetime) -> str:
    """Template filter: the crawl hour (YYYY-MM-DDTHH, UTC) of a data interval bound."""
    return format_hour(value)


def vietnam_date(value: datetime) -> str:
    """Template filter: the Vietnam date (YYYY-MM-DD) of an instant: the date reports are kept by."""
    return value.astimezone(ZoneInfo(VIETNAM)).strftime("%Y-%m-%d")


TEMPLATE_FILTERS = {"crawl_hour": crawl_hour, "vietnam_date": vietnam_date, "day_span_hours": day_span_hours}
