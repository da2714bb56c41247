"""spark-submit entry point: the daily model-quality check into gold.model_quality.

spark-submit jobs/model_quality.py --date 2024-03-11
"""

import sys

from socialbeat.cli import main

if __name__ == "__main__":
    sys.exit(main(["model-quality", *sys.argv[1:]]))
