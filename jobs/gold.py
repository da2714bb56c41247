"""spark-submit entry point: build the gold tables for crawl hours (incremental, idempotent).

spark-submit jobs/gold.py --hour 2024-03-11T08 | --from 2024-03-11T00 --hours 24 [--backfill]
"""

import sys

from socialbeat.cli import main

if __name__ == "__main__":
    sys.exit(main(["gold", *sys.argv[1:]]))
