"""`socialbeat gold | gold-summary | publish | serve-sql | report`: the gold commands (thin)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from socialbeat.cli import _common, _hour_options, _hours, _settings

COMMANDS = ("gold", "gold-summary", "publish", "serve-sql", "report")


def register(subparsers: Any) -> None:
    gold = subparsers.add_parser(
        "gold",
        help="build the gold tables for crawl hours (incremental, idempotent)",
        description=(
            "Recompute the gold tables for the Vietnam dates the crawl hours (UTC) touched, and what depends "
            "on them (trending baselines, alerts, campaigns). Prints one JSON report per hour."
        ),
    )
    _hour_options(gold)
    gold.add_argument("--summary", action="store_true", help="print the gold summary at the end")

    subparsers.add_parser(
        "gold-summary",
        help="rows per gold table, open alerts and campaigns (reads the Delta logs, no Spark)",
        description="A short summary of the gold layer for humans.",
    )

    publish = subparsers.add_parser(
        "publish",
        help="register gold in the SQL metastore and (re)create the per-agency views",
        description=(
            "Register every gold table as an external Delta table in the metastore under the state folder "
            "and create one database of views per agency. Sent through the running `serve-sql` server "
            "when there is one. Idempotent."
        ),
    )
    publish.add_argument("--print", action="store_true", help="print the DDL instead of running it")

    serve = subparsers.add_parser(
        "serve-sql",
        help="run Spark's Thrift JDBC/ODBC server (HiveServer2) over gold until interrupted",
        description="Start HiveThriftServer2 with the project's jars over the lake (jdbc:hive2://HOST:PORT/gold).",
    )
    serve.add_argument("--host", help="address to bind (default: gold.sql.host)")
    serve.add_argument("--port", type=int, help="port (default: gold.sql.port)")

    report = subparsers.add_parser(
        "report",
        help="render the HTML briefing of one Vietnam date (self-contained file); prints its path",
        description="The daily briefing (Vietnamese) from gold, for the city, a district or an agency.",
    )
    report.add_argument("--date", required=True, help="Vietnam date, e.g. 2024-03-11")
    report.add_argument("--district", help='one district, e.g. "Quận Bình Thạnh"')
    report.add_argument("--agency", help="an agency code of gold.agencies, e.g. sgtvt")
    report.add_argument(
        "--output", type=Path, help="the HTML file (default: <reports dir>/briefing-....html)"
    )
    for name in COMMANDS:
        _common(subparsers.choices[name])


def run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.command == "gold":
        return _gold(settings, args)
    if args.command == "gold-summary":
        from socialbeat.gold.summary import summary_text

        print(summary_text(settings))
        return 0
    if args.command == "publish":
        return _publish(settings, args)
    if args.command == "serve-sql":
        from socialbeat.gold.serve import serve

        sql = settings.gold.sql
        return serve(settings, args.host or sql.host, args.port or sql.port)
    from socialbeat.gold.report import write_report

    path = write_report(settings, date.fromisoformat(args.date), args.district, args.agency, args.output)
    print(path)
    return 0


def _gold(settings: Any, args: argparse.Namespace) -> int:
    from socialbeat.gold.job import run_gold_hour, run_gold_hours
    from socialbeat.spark import build_spark

    spark = build_spark(settings, app_name="socialbeat-gold")
    hours = _hours(args)
    reports = [run_gold_hours(spark, settings, hours)] if args.backfill else []
    for hour in [] if args.backfill else hours:
        reports.append(run_gold_hour(spark, settings, hour))
    for report in reports:
        summary = report.as_dict()
        if not args.verbose:
            summary.pop("rewritten_dates")
        print(json.dumps(summary, ensure_ascii=False))
    if args.summary:
        from socialbeat.gold.summary import summary_text

        print(summary_text(settings))
    return 0


def _publish(settings: Any, args: argparse.Namespace) -> int:
    from socialbeat.gold.publish import ensure_gold_tables, publish, publish_statements
    from socialbeat.gold.serve import beeline, hive_settings, running_server
    from socialbeat.spark import build_spark

    statements = publish_statements(settings)
    if args.print:
        print(";\n".join(statements) + ";")
        return 0
    server = running_server(settings)
    if server:
        ensure_gold_tables(build_spark(settings, app_name="socialbeat-publish"), settings)
        beeline(settings, server["host"], int(server["port"]), ";\n".join(statements) + ";\n")
        where = f"the SQL server at {server['host']}:{server['port']}"
    else:
        publish(build_spark(hive_settings(settings), app_name="socialbeat-publish"), settings)
        where = "the metastore under the state folder"
    print(json.dumps({"statements": len(statements), "published_through": where}, ensure_ascii=False))
    return 0
