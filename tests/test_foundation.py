"""Settings, contracts, table registry and CLI: pure Python, no JVM."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialbeat.cli import build_parser
from socialbeat.contracts import load_contracts
from socialbeat.docs import contracts_markdown
from socialbeat.settings import PROJECT_ROOT, load_settings
from socialbeat.tables import registry

pytestmark = pytest.mark.fast

SOURCES = [
    "facebook_comment", "facebook_post", "forum_post", "news_article",
    "news_comment", "tiktok_comment", "youtube_comment", "zalo_post",
]  # fmt: skip


def test_local_profile_is_the_default_and_paths_resolve_to_the_project() -> None:
    settings = load_settings()
    assert settings.profile == "local"
    assert settings.spark.master == "local[*]"
    assert settings.lake_uri == str(PROJECT_ROOT / "lake")
    assert settings.landing_uri == str(PROJECT_ROOT / "landing")


def test_cluster_profile_only_changes_configuration() -> None:
    settings = load_settings(profile="cluster")
    assert settings.spark.master.startswith("spark://")
    assert settings.lake_uri.startswith("s3a://") and settings.landing_uri.startswith("s3://")
    assert settings.spark.conf["spark.sql.session.timeZone"] == "UTC"  # defaults still apply


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALBEAT_SPARK__MASTER", "spark://127.0.0.1:7077")
    monkeypatch.setenv("SOCIALBEAT_LAKE", "/data/lake")
    settings = load_settings()
    assert settings.spark.master == "spark://127.0.0.1:7077"
    assert settings.lake_uri == "/data/lake"
    assert settings.spark.app_name == "socialbeat"


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown profile 'prod'"):
        load_settings(profile="prod")


def test_every_source_has_a_contract_with_the_envelope() -> None:
    contracts = load_contracts("v1")
    assert contracts.source_names == SOURCES
    assert contracts.timezone == "Asia/Ho_Chi_Minh"
    for source in SOURCES:
        required = contracts.required_for(source)
        assert {"source", "platform_item_id", "created_at", "crawled_at", "text"} <= set(required)
    assert "parent_id" in contracts.required_for("youtube_comment")
    assert "title" in contracts.required_for("news_article")


def test_tables_describe_themselves() -> None:
    tables = registry()
    assert {"bronze.crawl_items", "bronze.quarantine", "bronze.ingest_log"} <= set(tables)
    for definition in tables.values():
        assert definition.owner and definition.grain and definition.description
        assert set(definition.partition_by) <= set(definition.column_names)
        assert set(definition.replace_by) <= set(definition.column_names)


def test_contract_docs_are_generated_from_the_schemas() -> None:
    committed = (PROJECT_ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    assert committed == contracts_markdown(), "run `make docs` to regenerate docs/contracts.md"


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser, handlers = build_parser()
    assert {"ingest", "silver", "tables", "contracts", "bench", "simulate"} <= set(handlers)
    for name in handlers:
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([name, "--help"])
        assert exit_info.value.code == 0
        assert "usage: socialbeat" in capsys.readouterr().out


def test_jar_lock_pins_the_runtime_set() -> None:
    lock = (PROJECT_ROOT / "infra" / "jars" / "jars.sha256").read_text()
    for jar in ("delta-spark_2.12-3.3.2.jar", "spark-nlp_2.12-5.5.3.jar", "hadoop-aws-3.3.4.jar"):
        assert f"  {jar}\n" in lock
    assert Path(PROJECT_ROOT / "infra" / "jars" / "pom.xml").read_text().count("<dependency>") == 3
