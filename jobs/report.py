"""spark-submit entry point: render the HTML briefing of one Vietnam date; prints its path.

spark-submit jobs/report.py --date 2024-03-11 [--district "Quận Bình Thạnh"] [--agency sgtvt]
"""

import sys

from socialbeat.cli import main

if __name__ == "__main__":
    sys.exit(main(["report", *sys.argv[1:]]))
