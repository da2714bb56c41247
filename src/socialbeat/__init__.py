"""Socialbeat: the social-listening lakehouse of Ho Chi Minh City (see README.md)."""

from __future__ import annotations


def _run_from_extracted_zip() -> None:
    """Imported from the zip that spark-submit ships (--py-files, `make package`)? Then run every
    module from an extracted copy: the package reads its data files (table definitions,
    dictionaries, the settings file) with pathlib, which cannot look inside a zip. The copy is laid
    out like a checkout (src/socialbeat, infra/config, data/labelled), once per zip content."""
    import hashlib
    import os
    import shutil
    import tempfile
    import zipfile
    from pathlib import Path

    here = os.path.dirname(os.path.abspath(__file__))
    archive = os.path.dirname(here)
    if os.path.isdir(here) or not zipfile.is_zipfile(archive):
        return
    with zipfile.ZipFile(archive) as source:
        entries = source.infolist()
        digest = hashlib.sha256("".join(f"{e.filename}:{e.CRC:08x};" for e in entries).encode()).hexdigest()
        target = Path(tempfile.gettempdir()) / f"socialbeat-pkg-{digest[:16]}"
        if not (target / "src" / "socialbeat" / "__init__.py").is_file():
            partial = Path(tempfile.mkdtemp(prefix=".socialbeat-pkg-", dir=target.parent))
            for entry in entries:
                name = entry.filename
                relative = f"src/{name}" if name.startswith("socialbeat/") else name.removeprefix("_project/")
                if not entry.is_dir():
                    (partial / relative).parent.mkdir(parents=True, exist_ok=True)
                    (partial / relative).write_bytes(source.read(entry))
            try:
                partial.rename(target)  # atomic; fails when a concurrent job extracted it first
            except OSError:
                shutil.rmtree(partial, ignore_errors=True)
    __path__[:] = [str(target / "src" / "socialbeat")]


_run_from_extracted_zip()
del _run_from_extracted_zip
