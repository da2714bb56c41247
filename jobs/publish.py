"""spark-submit entry point: register the gold tables and the per-agency views in the SQL metastore.

spark-submit jobs/publish.py  (the hourly DAG's last task; idempotent)
"""

import sys

from socialbeat.cli import main

if __name__ == "__main__":
    sys.exit(main(["publish", *sys.argv[1:]]))
