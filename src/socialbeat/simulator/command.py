"""`socialbeat simulate`: write simulated crawl hours (and their ground truth) into the landing zone."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from socialbeat.landing import parse_hour

DEFAULT_START = "2024-03-11T00"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="write simulated hourly crawls of HCMC social media, with ground truth, into the landing zone",
        description=(
            "Generate realistic Vietnamese crawl files (all eight sources) for a range of UTC hours, the "
            "ground-truth sidecars under <landing>/_truth and every _SUCCESS manifest. The same seed gives "
            "byte-identical output. Scenario and sidecar formats: docs/simulator.md."
        ),
    )
    parser.add_argument(
        "--start",
        default=DEFAULT_START,
        help=f"first crawl hour in UTC, e.g. 2024-03-11T00 (default {DEFAULT_START})",
    )
    parser.add_argument(
        "--hours", type=int, default=24, help="number of consecutive hours to write (default 24)"
    )
    parser.add_argument(
        "--mentions-per-hour",
        type=int,
        default=20_000,
        help="average new items per hour over a week; the diurnal and weekly cycle modulate it "
        "and scripted incidents add to it (default 20000)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed; same seed, same bytes (default 7)")
    parser.add_argument(
        "--landing", help="landing zone: a folder or s3://bucket/prefix (default: from settings)"
    )
    parser.add_argument(
        "--scenario",
        type=Path,
        help="scenario YAML with source mix and incidents (default schemas/scenarios/default.yaml)",
    )
    parser.add_argument(
        "--malformed-rate",
        type=float,
        default=0.005,
        help="share of lines that are malformed, spread over every quarantine code; 0 for none "
        "(default 0.005)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes generating hours in parallel (default: number of CPUs)",
    )
    parser.add_argument("--config", help="YAML settings file (default: infra/config/socialbeat.yaml)")
    parser.add_argument(
        "--profile", help="settings profile, e.g. local or cluster (default: $SOCIALBEAT_PROFILE)"
    )
    parser.add_argument(
        "--files", action="store_true", help="also list every file written in the JSON summary"
    )


def run(args: argparse.Namespace) -> int:
    from socialbeat.settings import load_settings
    from socialbeat.simulator.runner import simulate

    settings = load_settings(args.config, args.profile)
    summary = simulate(
        landing=args.landing or settings.landing_uri,
        start=parse_hour(args.start),
        hours=args.hours,
        mentions_per_hour=args.mentions_per_hour,
        seed=args.seed,
        scenario=args.scenario,
        malformed_rate=args.malformed_rate,
        s3=settings.s3,
        workers=args.workers,
    )
    print(json.dumps(summary.as_dict(with_files=args.files), ensure_ascii=False, indent=2))
    return 0
