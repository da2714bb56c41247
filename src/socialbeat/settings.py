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
    vacuum_hours: int = 168


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
