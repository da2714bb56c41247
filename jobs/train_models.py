"""spark-submit entry point: train, register and (if not worse) promote the NLP models.

spark-submit jobs/train_models.py [--task sentiment|categories|all] [--family sparknlp|tfidf|both]
"""

import sys

from socialbeat.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
