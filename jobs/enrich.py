"""spark-submit entry point: score the silver mentions of crawl hours into silver.mentions_enriched.

spark-submit jobs/enrich.py --hour 2024-03-11T08 [--sentiment-version V] [--categories-version V]
"""

import sys

from socialbeat.cli import main

if __name__ == "__main__":
    sys.exit(main(["enrich", *sys.argv[1:]]))
