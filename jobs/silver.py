"""spark-submit entry point: build silver.mentions for crawl hours.

spark-submit jobs/silver.py --hour 2024-03-11T08
"""

import sys

from socialbeat.cli import main

if __name__ == "__main__":
    sys.exit(main(["silver", *sys.argv[1:]]))
