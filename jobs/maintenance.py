"""spark-submit entry point: the daily maintenance (per-layer retention, then VACUUM) for a logical date.

spark-submit jobs/maintenance.py --as-of 2024-06-10
"""

import sys

from socialbeat.cli import main

if __name__ == "__main__":
    sys.exit(main(["maintain", *sys.argv[1:]]))
