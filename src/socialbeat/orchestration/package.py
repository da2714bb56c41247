"""Build the project package that spark-submit ships with --py-files (`make package`).

The zip holds what the wheel holds, `socialbeat/` and the table and contract definitions as
`socialbeat/_schemas/`, plus under `_project/` the files a job reads from a checkout: the settings
file (infra/config) and the labelled data (data/labelled, for retraining). Imported from the zip, the
package runs from an extracted copy (see socialbeat/__init__.py). Entries are sorted and dated
1980-01-01, so the same sources give the same bytes (and the same sha256, printed) on every machine.

    python -m socialbeat.orchestration.package dist/socialbeat.zip
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

from socialbeat.settings import PROJECT_ROOT

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP_PARTS = {"__pycache__", ".mypy_cache", ".pytest_cache"}


def package_files(root: Path = PROJECT_ROOT) -> Iterator[tuple[Path, str]]:
    """(file, name in the zip) for the package and its schemas, sorted by name."""
    entries: list[tuple[Path, str]] = []
    trees = (
        (root / "src" / "socialbeat", "socialbeat"),
        (root / "schemas", "socialbeat/_schemas"),
        (root / "infra" / "config", "_project/infra/config"),
        (root / "data" / "labelled", "_project/data/labelled"),
    )
    for base, prefix in trees:
        for path in base.rglob("*"):
            if path.is_file() and not _SKIP_PARTS & set(path.parts) and path.suffix not in (".pyc", ".pyo"):
                entries.append((path, f"{prefix}/{path.relative_to(base).as_posix()}"))
    yield from sorted(entries, key=lambda entry: entry[1])


def build(target: Path, root: Path = PROJECT_ROOT) -> str:
    """Write the zip atomically; return its sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, name in package_files(root):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    partial.replace(target)
    return hashlib.sha256(target.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "dist/socialbeat.zip")
    digest = build(target)
    print(f"{target} sha256={digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
