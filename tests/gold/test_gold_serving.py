"""Gold for its readers, over the session's simulated day: SQL (catalog views, a real Thrift server
queried with beeline), the HTML briefing in headless Chromium, and the analyst notebooks (nbclient,
a real ipykernel)."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from gold_support import GOLD_DAY, GoldLake
from socialbeat.gold.job import ALERTS, MENTIONS
from socialbeat.gold.publish import publish, publish_statements
from socialbeat.gold.report import write_report
from socialbeat.gold.serve import beeline, start_server, stop_server, wait_until_ready

pytestmark = [pytest.mark.spark, pytest.mark.slow]

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]  # fmt: skip


def test_publish_registers_gold_and_the_agency_views(spark: Any, gold_lake: GoldLake) -> None:
    statements = publish(spark, gold_lake.settings)
    assert statements == publish_statements(gold_lake.settings)
    publish(spark, gold_lake.settings)  # idempotent: a second run replaces, never fails
    alerts = gold_lake.frame(spark, ALERTS).count()
    assert spark.sql("SELECT count(*) FROM gold.alerts").first()[0] == alerts > 0
    traffic = {r[0] for r in spark.sql("SELECT DISTINCT category FROM agency_sgtvt.category_daily").collect()}
    assert traffic and traffic <= {"traffic", "flooding"}
    district = {
        r[0] for r in spark.sql("SELECT DISTINCT district FROM agency_ubnd_binh_thanh.mentions").collect()
    }
    assert district == {"Quận Bình Thạnh"}
    police = spark.sql("SELECT DISTINCT category FROM agency_catp.alerts").collect()
    assert {r[0] for r in police} <= {"public_security", "online_fraud", "misinformation", "data_privacy"}
    assert police, "the rumour and the scam wave are police matters"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_thrift_endpoint_answers_a_jdbc_client(gold_lake: GoldLake, tmp_path: Path) -> None:
    settings = gold_lake.settings.model_copy(
        update={"state_dir": str(tmp_path / "state")}
    )  # a fresh metastore
    host, port = "127.0.0.1", _free_port()
    process = start_server(settings, host, port, log_file=tmp_path / "server.log")
    try:
        wait_until_ready(process, host, port, timeout=300)
        beeline(settings, host, port, ";\n".join(publish_statements(settings)) + ";\n")
        out = beeline(
            settings, host, port,
            "SELECT severity, count(*) AS alerts, max(start_hour_vn) AS latest FROM gold.alerts "
            "GROUP BY severity ORDER BY severity;\n"
            "SELECT count(*) AS n FROM agency_catp.alerts;\n",
        )  # fmt: skip
    except Exception:
        print((tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")[-4000:])
        raise
    finally:
        stop_server(settings, process)
    # beeline --silent prints "null" for statements without a result set, glued to the next line.
    lines = [re.sub(r"^(null)+", "", line.strip()) for line in out.splitlines()]
    lines = [line for line in lines if line]
    header = lines.index("severity,alerts,latest")
    severities = {}
    for line in lines[header + 1 :]:
        if line == "n":
            break
        severity, count, latest = line.split(",")
        severities[severity] = int(count)
        assert latest.startswith("2024-03-11 "), latest  # timestamp_ntz reaches JDBC as a timestamp
    assert sum(severities.values()) > 0 and set(severities) <= {"low", "medium", "high", "critical"}
    assert int(lines[lines.index("n") + 1]) > 0  # the police's view of the alerts
    assert process.returncode is not None and not (tmp_path / "state" / "sql-server.json").exists()


def _screenshot(html: Path, png: Path, profile: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not installed: `make setup` installs it (infra/setup/system.sh)")
    subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,2600",
         f"--screenshot={png}", html.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def _pixel_spread(png: Path) -> float:
    from PIL import Image, ImageStat

    with Image.open(png) as image:
        return float(ImageStat.Stat(image.convert("L")).stddev[0])


def test_the_briefing_renders_and_chromium_shows_it(spark: Any, gold_lake: GoldLake, tmp_path: Path) -> None:
    path = write_report(gold_lake.settings, GOLD_DAY, output=tmp_path / "briefing.html")
    html = path.read_text(encoding="utf-8")
    sections = ["Khối lượng theo giờ", "Cảm xúc theo lĩnh vực", "district × category", "Cảnh báo"]
    sections += ["trending terms", "campaigns", "model_versions", "bronze.quarantine", "silver.quarantine"]
    for section in sections:
        assert section in html, section
    assert html.count("data:image/png;base64,") >= 2 and "<script" not in html
    assert 'src="http' not in html and 'href="http' not in html  # self-contained
    texts = {r["text_display"] for r in gold_lake.frame(spark, MENTIONS).select("text_display").collect()}
    assert any(t and t[:40] in html for t in texts if len(t) > 60), "no masked example post in the page"
    png = tmp_path / "briefing.png"
    _screenshot(path, png, tmp_path / "chromium-profile")
    assert png.stat().st_size > 20_000 and _pixel_spread(png) > 20  # not a blank page

    police = write_report(gold_lake.settings, GOLD_DAY, agency="catp", output=tmp_path / "catp.html")
    page = police.read_text(encoding="utf-8")
    assert "Công an TP.HCM" in page and "Ngập nước" not in page.split("open alerts first")[1].split("<h2>")[0]
    district = write_report(
        gold_lake.settings, GOLD_DAY, district="Quận Bình Thạnh", output=tmp_path / "bt.html"
    )
    assert "Phạm vi (scope): Quận Bình Thạnh" in district.read_text(encoding="utf-8")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_and_plots(
    gold_lake: GoldLake, notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(NOTEBOOKS) >= 3
    monkeypatch.setenv("SOCIALBEAT_LAKE", gold_lake.settings.lake_uri)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    book = nbformat.read(notebook, as_version=4)
    NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    images = [o for c in book.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]  # fmt: skip
    errors = [
        o
        for c in book.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors and images, notebook.name
