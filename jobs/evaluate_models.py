"""spark-submit entry point: evaluate the current (or named) models on the validation and test splits.

spark-submit jobs/evaluate_models.py [--json] [--sentiment-version V] [--categories-version V]
"""

import sys

from socialbeat.cli import main

if __name__ == "__main__":
    sys.exit(main(["evaluate", *sys.argv[1:]]))
