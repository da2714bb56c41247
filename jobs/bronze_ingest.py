"""spark-submit entry point: ingest landing hours into bronze.

spark-submit jobs/bronze_ingest.py --hour 2024-03-11T08
spark-submit jobs/bronze_ingest.py --from 2024-03-11T00 --to 2024-03-11T23
"""

import sys

from socialbeat.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))
