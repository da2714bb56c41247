"""Check the resolved jars against infra/jars/jars.sha256 (or rewrite it with --update).

The jar folder must hold exactly the listed jars with the listed SHA-256 sums: a changed, missing
or extra jar fails setup before any Spark session can pick it up.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

LOCK = Path(__file__).with_name("jars.sha256")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("jars_dir", type=Path)
    parser.add_argument("--update", action="store_true", help="rewrite jars.sha256 from the folder")
    args = parser.parse_args()
    actual = {p.name: sha256(p) for p in sorted(args.jars_dir.glob("*.jar"))}
    if args.update:
        LOCK.write_text("".join(f"{digest}  {name}\n" for name, digest in actual.items()))
        print(f"wrote {len(actual)} checksums to {LOCK}")
        return 0
    expected = dict(reversed(line.split()) for line in LOCK.read_text().splitlines() if line.strip())
    problems = [f"missing: {n}" for n in sorted(set(expected) - set(actual))]
    problems += [f"unexpected: {n}" for n in sorted(set(actual) - set(expected))]
    problems += [
        f"checksum mismatch: {n}" for n in sorted(set(actual) & set(expected)) if actual[n] != expected[n]
    ]
    if problems:
        print("jar verification failed:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"verified {len(actual)} jars in {args.jars_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
