"""`socialbeat` command line. Each subcommand is thin: parse arguments, call the package."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from socialbeat.landing import hour_range, parse_hour
from socialbeat.settings import Settings, load_settings

# Subcommands that live with their feature: module exposing register(subparsers) and run(args).
FEATURE_COMMANDS = ("socialbeat.simulator.command", "socialbeat.nlp.command", "socialbeat.gold.command")


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(getattr(args, "config", None), getattr(args, "profile", None))
    overrides = {key: getattr(args, key, None) for key in ("landing", "lake")}
    overrides = {key: value for key, value in overrides.items() if value}
    return settings.model_copy(update=overrides) if overrides else settings


def _hours(args: argparse.Namespace) -> list[datetime]:
    if args.hour:
        return [parse_hour(args.hour)]
    if args.from_hour and args.to_hour:
        return hour_range(parse_hour(args.from_hour), parse_hour(args.to_hour))
    if args.from_hour and args.hours:
        start = parse_hour(args.from_hour)
        return [start + timedelta(hours=i) for i in range(args.hours)]
    raise SystemExit("give --hour, or --from with --to or --hours")


def _batches(args: argparse.Namespace) -> list[list[datetime]]:
    """The hours to process, as one batch (--backfill) or one batch per hour."""
    hours = _hours(args)
    return [hours] if args.backfill else [[hour] for hour in hours]


def cmd_ingest(args: argparse.Namespace) -> int:
    from socialbeat.bronze.ingest import ingest_hours
    from socialbeat.spark import build_spark

    settings = _settings(args)
    spark = build_spark(settings, app_name="socialbeat-ingest")
    ingested_at = parse_hour(args.run_ts) if args.run_ts else None
    for batch in _batches(args):
        for report in ingest_hours(spark, settings, batch, ingested_at=ingested_at):
            summary = report.as_dict()
            if not args.verbose:
                summary.pop("files")
            print(json.dumps(summary, ensure_ascii=False))
    return 0


def cmd_silver(args: argparse.Namespace) -> int:
    from socialbeat.silver.job import run_silver_hours
    from socialbeat.spark import build_spark

    settings = _settings(args)
    spark = build_spark(settings, app_name="socialbeat-silver")
    for batch in _batches(args):
        print(json.dumps(run_silver_hours(spark, settings, batch).as_dict(), ensure_ascii=False))
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    from socialbeat.tables import registry, table_state

    settings = _settings(args)
    states = [table_state(t, settings) for t in registry().values()]
    if args.json:
        print(json.dumps([s.__dict__ for s in states], default=str, ensure_ascii=False, indent=2))
        return 0
    print(f"{'table':<24} {'version':>7} {'rows':>10}  {'last write (UTC)':<20} {'operation':<10} location")
    for s in states:
        if not s.exists:
            print(f"{s.name:<24} {'-':>7} {'-':>10}  {'(not created yet)':<20} {'':<10} {s.location}")
            continue
        when = s.last_write.strftime("%Y-%m-%d %H:%M:%S") if s.last_write else "-"
        print(
            f"{s.name:<24} {s.version:>7} {s.rows:>10}  {when:<20} {s.last_operation or '':<10} {s.location}"
        )
    return 0


def cmd_contracts(args: argparse.Namespace) -> int:
    from socialbeat.docs import contracts_markdown

    print(contracts_markdown(), end="")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from socialbeat.bench import run_bench

    print(json.dumps(run_bench(_settings(args), args.lines, args.workdir), indent=2))
    return 0


def _utc_instant(text: str | None) -> datetime:
    """An ISO-8601 instant (no offset: UTC); none given: now. The wall clock is read here, in the CLI
    layer only: library functions take the instant as an argument."""
    if not text:
        return datetime.now(UTC)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cmd_erase(args: argparse.Namespace) -> int:
    from socialbeat.erasure import erase
    from socialbeat.spark import build_spark

    settings = _settings(args)
    spark = build_spark(settings, app_name="socialbeat-erase")
    vacuum_hours = args.vacuum_hours
    if args.vacuum and vacuum_hours is None:
        vacuum_hours = settings.retention.vacuum_hours
    report = erase(
        spark,
        settings,
        author_id=args.author,
        mention_id=args.mention,
        requested_by=args.requested_by,
        requested_at=_utc_instant(args.requested_at),
        reason=args.reason,
        vacuum_hours=vacuum_hours,
    )
    print(json.dumps(report.as_dict(), ensure_ascii=False))
    return 0


def cmd_maintain(args: argparse.Namespace) -> int:
    from socialbeat.maintenance import run_maintenance
    from socialbeat.spark import build_spark

    settings = _settings(args)
    spark = build_spark(settings, app_name="socialbeat-maintain")
    as_of = date.fromisoformat(args.as_of)
    report = run_maintenance(
        spark,
        settings,
        as_of,
        args.vacuum_hours,
        run_vacuum=not args.no_vacuum,
        run_optimize=False if args.no_optimize else None,
    )
    print(json.dumps(report.as_dict(), ensure_ascii=False))
    return 0


def _erase_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    erase = sub.add_parser(
        "erase",
        help="erase one author or mention from every layer (decree 13/2023 right to deletion)",
        description=(
            "Delete the subject's rows from every table that can hold them (bronze and quarantine "
            "included), record the request in audit.erasures (fingerprint only, never the id) and "
            "keep the subject out of later ingests. Prints the report as JSON. Rows stay readable by "
            "Delta time travel until a VACUUM removes the older files (see docs/privacy.md)."
        ),
    )
    subject = erase.add_mutually_exclusive_group(required=True)
    subject.add_argument("--author", metavar="ID", help="the platform author id (author_id)")
    subject.add_argument("--mention", metavar="ID", help="silver's mention_id (32 hex characters)")
    erase.add_argument(
        "--requested-by", required=True, metavar="TEXT", help="operator or ticket, e.g. 'ticket DPO-123'"
    )
    erase.add_argument("--reason", default="", metavar="TEXT", help="why, for the record (no personal data)")
    erase.add_argument(
        "--requested-at",
        metavar="ISO",
        help="UTC instant of the request, e.g. 2024-04-01T09:30Z (default: now)",
    )
    erase.add_argument(
        "--vacuum", action="store_true", help="VACUUM the tables afterwards (retention.vacuum_hours)"
    )
    erase.add_argument(
        "--vacuum-hours",
        type=int,
        metavar="N",
        help="VACUUM afterwards retaining N hours; 0 removes the old files now: stop other jobs first",
    )
    return erase


def _hour_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hour", help="one crawl hour (UTC), e.g. 2024-03-11T08")
    parser.add_argument("--from", dest="from_hour", help="first hour of a range (inclusive)")
    parser.add_argument("--to", dest="to_hour", help="last hour of a range (inclusive)")
    parser.add_argument("--hours", type=int, help="number of hours from --from (instead of --to)")
    parser.add_argument(
        "--backfill",
        action="store_true",
        help="one pass over all the hours (one Spark job and one commit per table) instead of one per hour",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="YAML settings file (default: infra/config/socialbeat.yaml)")
    parser.add_argument(
        "--profile", help="settings profile, e.g. local or cluster (default: $SOCIALBEAT_PROFILE)"
    )
    parser.add_argument("--landing", help="override the landing zone: a path or s3://bucket/prefix")
    parser.add_argument("--lake", help="override the lake root: a path or s3a://bucket/prefix")
    parser.add_argument("-v", "--verbose", action="store_true", help="more output")


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Callable[[argparse.Namespace], int]]]:
    parser = argparse.ArgumentParser(prog="socialbeat", description="Socialbeat social-listening lakehouse.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {}

    ingest = sub.add_parser(
        "ingest",
        help="ingest landing hours into bronze (crawl_items + quarantine)",
        description="Ingest landing hours (UTC) into the bronze Delta tables.",
    )
    _hour_options(ingest)
    ingest.add_argument(
        "--run-ts", help="logical ingest time recorded in _ingested_at (default: end of the hour)"
    )
    handlers["ingest"] = cmd_ingest

    silver = sub.add_parser(
        "silver",
        help="build silver.mentions for crawl hours (mask, normalise, locate, dedup, gate, merge)",
        description="Build silver for crawl hours (UTC) from bronze; re-running an hour changes nothing.",
    )
    _hour_options(silver)
    handlers["silver"] = cmd_silver

    tables = sub.add_parser(
        "tables",
        help="list every lake table with its Delta version, rows and last write",
        description="List the tables of schemas/tables with their Delta state.",
    )
    tables.add_argument("--json", action="store_true", help="print JSON instead of a table")
    handlers["tables"] = cmd_tables

    sub.add_parser(
        "contracts",
        help="print the crawl contracts as Markdown for crawler authors",
        description="Render schemas/contracts as Markdown (docs/contracts.md).",
    )
    handlers["contracts"] = cmd_contracts

    bench = sub.add_parser(
        "bench",
        help="measure throughput per stage and peak memory (JSON)",
        description="Generate synthetic landing lines, run each stage, print rows/s per core.",
    )
    bench.add_argument(
        "--lines",
        type=int,
        default=200_000,
        help="mentions to simulate in one landing hour (re-fetches and noise add lines; default 200000)",
    )
    bench.add_argument("--workdir", help="scratch folder for the benchmark's landing and lake")
    handlers["bench"] = cmd_bench

    _erase_parser(sub)
    handlers["erase"] = cmd_erase

    maintain = sub.add_parser(
        "maintain",
        help="daily maintenance: per-layer retention, OPTIMIZE with Z-ORDER, then VACUUM (JSON)",
        description=(
            "Delete rows older than each table's retention (settings.retention, counted back from "
            "--as-of), OPTIMIZE the recent partitions (Z-ORDER by each table's zorder_by), then VACUUM "
            "every table. Prints the report as JSON."
        ),
    )
    maintain.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help="the logical date of the run")
    maintain.add_argument(
        "--vacuum-hours",
        type=int,
        metavar="N",
        help="VACUUM retention in hours (default: retention.vacuum_hours)",
    )
    maintain.add_argument("--no-vacuum", action="store_true", help="no VACUUM")
    maintain.add_argument("--no-optimize", action="store_true", help="no OPTIMIZE")
    handlers["maintain"] = cmd_maintain

    for name, sub_parser in sub.choices.items():
        if name in handlers:
            _common(sub_parser)
    for module_name in FEATURE_COMMANDS:
        module = importlib.import_module(module_name)
        before = set(sub.choices)
        module.register(sub)
        handlers.update({name: module.run for name in set(sub.choices) - before})
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("great_expectations", "py4j"):  # hundreds of INFO lines per run otherwise
        logging.getLogger(chatty).setLevel(logging.WARNING)
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    try:
        return handlers[args.command](args)
    except Exception as exc:
        from socialbeat.quality import GateBreach

        if not isinstance(exc, GateBreach):
            raise
        # A breached gate is a verdict on the data, not a crash: say why on one line that the
        # orchestrator reads (socialbeat.jobfailure), and exit with the breach's own code.
        from socialbeat.jobfailure import EXIT_CODES, GATE_BREACH, failure_line

        logging.getLogger("socialbeat").error("%s", exc)
        print(failure_line(GATE_BREACH, str(exc), table=exc.result.table), file=sys.stderr, flush=True)
        return EXIT_CODES[GATE_BREACH]


if __name__ == "__main__":
    sys.exit(main())
