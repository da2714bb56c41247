"""One typed settings object, from infra/config/socialbeat.yaml plus environment variables.

The YAML holds `defaults` and named `profiles`; SOCIALBEAT_PROFILE picks one (default `local`).
Environment variables win over the file (`SOCIALBEAT_LAKE`, `SOCIALBEAT_SPARK__MASTER`, ...).
Nothing outside this module knows which profile is active: code reads the resolved values.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = PROJECT_ROOT / "infra" / "config" / "socialbeat.yaml"


class SparkSettings(BaseModel):
    master: str = "local[*]"
    app_name: str = "socialbeat"
    driver_memory: str = "4g"
    jars_dir: str = ""  # empty: <state_dir>/jars
    conf: dict[str, str] = Field(default_factory=dict)


class S3Settings(BaseModel):
    """Where boto3 (landing zone) and s3a (lake) find the object store. Credentials stay in env."""

    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    path_style: bool = True


class IngestSettings(BaseModel):
    max_line_bytes: int = 1_048_576
    max_text_chars: int = 100_000
    earliest_created_at: str = "2004-01-01T00:00:00Z"
    max_clock_skew_minutes: int = 10
    crawled_at_slack_minutes: int = 60
    max_engagement: int = 10_000_000_000


class PiiSettings(BaseModel):
    """The HMAC key for PII fingerprints. Never in code: env SOCIALBEAT_PII__SECRET or a key file."""

    secret: SecretStr | None = None
    secret_file: str = ""  # empty: <state_dir>/pii.secret, created by `make setup`


class SilverSettings(BaseModel):
    max_failure_rate: float = 0.02  # more failing rows than this share stops the run, nothing published
    near_dup_window_hours: int = 48
    near_dup_max_distance: float = 0.35
    min_text_chars: int = 0
    max_text_chars: int = 100_000


class RetentionSettings(BaseModel):
    """Days each layer keeps data (by event date); enforced by the daily maintenance."""

    bronze_days: int = 90
    quarantine_days: int = 30
    silver_days: int = 365
    gold_days: int = 730
    ops_days: int = 365  # the orchestrator's failure records (ops.task_failures)
    vacuum_hours: int = 168


class ModelQualitySettings(BaseModel):
    """The daily model-quality check (gold.model_quality)."""

    baseline_days: int = 7  # trailing dates a day is compared with
    psi_drift: float = 0.2  # a model PSI at or above this marks the day as drifted


class AlertSettings(BaseModel):
    """Spike alerts per category x district x Vietnam hour (gold.alerts; docs in the README)."""

    baseline_days: int = 7  # same-hour baseline: this many previous days
    min_baseline_days: int = 3  # fewer days with data at that hour: fall back to the trailing share
    baseline_coverage: float = 0.25  # a previous day's hour counts if it has this share of the hour's volume
    fallback_hours: int = 24  # trailing window of the share baseline
    min_volume: int = 5  # fewer mentions in the hour never alert
    min_ratio: float = 3.0  # observed / expected must reach this
    max_p_value: float = 1e-4  # Poisson upper tail P(X >= observed | expected)
    min_expected: float = 0.5  # floor of the expected count (no history is not "zero expected")
    prior_mentions: float = 20.0  # pseudo-mentions that pull a cell's share towards its category's
    close_after_hours: int = 2  # quiet hours (within the data) after the last spike that close it
    severity: dict[str, float] = Field(
        default_factory=lambda: {"medium": 8.0, "high": 12.0, "critical": 20.0}
    )  # -log10(p) from which an alert has that severity (below the lowest: low)
    examples: int = 5
    driving_terms: int = 5


class SpreadSettings(BaseModel):
    min_authors: int  # distinct authors within window_hours, at least
    window_hours: int
    min_concentration: float = 0.0  # share of all the group's authors inside that window, at least


class CampaignSettings(BaseModel):
    """Coordinated spread: near-duplicate clusters or one identifier (phone, account) in many posts."""

    near_duplicate: SpreadSettings = Field(
        default_factory=lambda: SpreadSettings(min_authors=15, window_hours=1, min_concentration=0.5)
    )
    shared_identifier: SpreadSettings = Field(
        default_factory=lambda: SpreadSettings(min_authors=10, window_hours=6)
    )
    lookback_days: int = 2  # a campaign first seen this many days before a changed day is redone


class TrendingSettings(BaseModel):
    baseline_days: int = 7
    min_ngram: int = 2  # a single syllable is ambiguous in Vietnamese ("bình": Bình Thạnh, bình thường)
    max_ngram: int = 3
    min_mentions: int = 3  # a term needs this many mentions that day
    top_terms: int = 25  # kept per day x category


class Agency(BaseModel):
    """A reader of gold: its categories and units (empty list: all)."""

    code: str
    name: str
    categories: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)


class SqlServerSettings(BaseModel):
    """The Spark Thrift (HiveServer2) endpoint over gold, and its metastore."""

    host: str = "127.0.0.1"
    port: int = 10000
    database: str = "gold"
    metastore_dir: str = ""  # empty: <state_dir>/metastore (embedded Derby)
    metastore_url: str = ""  # a JDBC URL of a shared metastore database instead of the embedded one


class GoldSettings(BaseModel):
    timezone: str = "Asia/Ho_Chi_Minh"
    unknown_district: str = "Chưa xác định"
    citywide: str = "Toàn thành phố"
    top_authors: int = 10
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    campaigns: CampaignSettings = Field(default_factory=CampaignSettings)
    trending: TrendingSettings = Field(default_factory=TrendingSettings)
    sql: SqlServerSettings = Field(default_factory=SqlServerSettings)
    agencies: list[Agency] = Field(default_factory=list)

    def agency(self, code: str) -> Agency:
        for agency in self.agencies:
            if agency.code.lower() == code.lower():
                return agency
        raise ValueError(f"unknown agency {code!r}; known: {[a.code for a in self.agencies]}")


class MaintenanceSettings(BaseModel):
    """The daily table maintenance: OPTIMIZE (Z-ORDER on each table's `zorder_by`) of recent
    partitions, then VACUUM (retention.vacuum_hours)."""

    optimize: bool = True
    optimize_days: int = 3  # date partitions from as_of - N days on are compacted; older ones rarely change


class OrchestrationSettings(BaseModel):
    """How the Airflow DAGs submit the jobs (socialbeat.orchestration). The Spark master is not here:
    it is the Airflow connection `spark_conn_id` (local[*] by default, spark://, k8s://)."""

    spark_conn_id: str = "spark_default"
    jobs_dir: str = "jobs"  # the jobs/ entry points: a folder, or local:///... inside a cluster image
    py_files: str = "dist/socialbeat.zip"  # the package shipped with --py-files (`make package`); "" for none
    # How the jars reach driver and executors: "submit" ships <jars_dir>/*.jar with --jars; "classpath"
    # puts the same paths on the driver's and executors' class paths (every node has them: one host,
    # or an image that bakes them); "image": the image's Spark already has them, nothing is passed.
    jars: str = "submit"
    driver_java_options: str = ""  # added to spark.driver.extraJavaOptions of every submitted job
    log4j_config: str = "infra/spark/log4j2.properties"  # the jobs' Log4j 2 file ("" = Spark's default)
    retries: int = 2
    retry_delay_seconds: int = 300
    timeout_minutes: int = 60  # execution_timeout of a job task, unless timeouts_minutes names it
    timeouts_minutes: dict[str, int] = Field(default_factory=dict)  # job name -> minutes
    start_date: str = "2024-03-11T00"  # first crawl hour of the hourly DAG (UTC); catchup starts here
    end_date: str = ""  # last crawl hour the DAGs schedule (UTC); empty: no end (`make demo` sets one)
    landing_poke_seconds: int = 60
    landing_timeout_hours: int = 6  # the landing sensor fails when an hour is not complete by then
    landing_aws_conn_id: str = ""  # an Airflow AWS connection for an s3:// landing zone ("" = boto3 defaults)
    failure_sink: str = "log"  # log | table | package.module:callable
    failure_log: str = ""  # the log sink's JSON Lines file; empty: <state_dir>/airflow/failures.jsonl


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOCIALBEAT_", env_nested_delimiter="__", extra="ignore")

    profile: str = "local"
    landing: str = "landing"
    lake: str = "lake"
    state_dir: str = ".state"
    datasets: str = "../shared/datasets"
    spark: SparkSettings = Field(default_factory=SparkSettings)
    s3: S3Settings = Field(default_factory=S3Settings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    pii: PiiSettings = Field(default_factory=PiiSettings)
    silver: SilverSettings = Field(default_factory=SilverSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    model_quality: ModelQualitySettings = Field(default_factory=ModelQualitySettings)

    gold: GoldSettings = Field(default_factory=GoldSettings)
    maintenance: MaintenanceSettings = Field(default_factory=MaintenanceSettings)
    orchestration: OrchestrationSettings = Field(default_factory=OrchestrationSettings)
    landing_expected_sources: list[str] = Field(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the YAML file, which arrives as init kwargs.
        return env_settings, init_settings

    # Paths: local ones resolve against the project root; URIs (s3://, s3a://) stay as they are.
    @property
    def landing_uri(self) -> str:
        return resolve_location(self.landing)

    @property
    def lake_uri(self) -> str:
        return resolve_location(self.lake)

    @property
    def state_path(self) -> Path:
        return Path(resolve_location(self.state_dir))

    @property
    def datasets_path(self) -> Path:
        return Path(resolve_location(self.datasets))

    @property
    def jars_path(self) -> Path:
        return (
            Path(resolve_location(self.spark.jars_dir)) if self.spark.jars_dir else self.state_path / "jars"
        )


def pii_secret(settings: Settings) -> bytes:
    """The PII HMAC key: the configured secret, else the key file; a clear error when neither."""
    if settings.pii.secret is not None:
        return settings.pii.secret.get_secret_value().encode("utf-8")
    path = Path(resolve_location(settings.pii.secret_file)) if settings.pii.secret_file else None
    path = path or settings.state_path / "pii.secret"
    if not path.exists():
        raise RuntimeError(
            f"no PII secret: set SOCIALBEAT_PII__SECRET or create {path} (`make setup` writes a random one)"
        )
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def resolve_location(location: str) -> str:
    if "://" in location:
        return location.rstrip("/")
    path = Path(location).expanduser()
    return str(path if path.is_absolute() else (PROJECT_ROOT / path).resolve())


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(config_file: str | Path | None = None, profile: str | None = None) -> Settings:
    """Read the YAML file, apply the chosen profile, then the environment."""
    path = Path(config_file or os.environ.get("SOCIALBEAT_CONFIG") or DEFAULT_CONFIG)
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    chosen = profile or os.environ.get("SOCIALBEAT_PROFILE") or "local"
    profiles = document.get("profiles") or {}
    if chosen not in profiles:
        raise ValueError(f"unknown profile {chosen!r} in {path}; known: {sorted(profiles)}")
    values = _deep_merge(document.get("defaults") or {}, profiles[chosen] or {})
    values["profile"] = chosen
    return Settings(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
