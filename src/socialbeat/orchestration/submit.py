"""The spark-submit arguments of a Socialbeat job, from settings (no Airflow, no Spark imported).

Where a job runs is the Airflow connection's business (`spark_default`: local[*], spark://host:7077,
k8s://...): nothing here names a master. Everything else the job's session needs (Delta extensions,
warehouse and Derby folders, s3a settings, the profile's `spark.conf`) is passed as `--conf`, so a
cluster driver gets the same session as a local run; the job's own `build_spark` then adds nothing
that spark-submit already set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from socialbeat.settings import Settings, resolve_location
from socialbeat.spark import jar_paths, session_conf

# Set with spark-submit's own flags, not --conf: the master comes from the connection.
_FLAG_KEYS = ("spark.master", "spark.app.name", "spark.driver.memory", "spark.jars")
JAR_MODES = ("submit", "classpath", "image")
# Settings forwarded to the driver's environment by name (k8s: spark.kubernetes.driverEnv); secrets
# stay out of the command line: a cluster gives them to the driver from its secret store.
_SECRET_WORDS = ("SECRET", "PASSWORD", "ACCESS_KEY", "TOKEN")


@dataclass(frozen=True)
class SubmitArgs:
    application: str
    application_args: list[str]
    name: str
    conf: dict[str, str]
    driver_memory: str
    jars: str | None = None
    driver_class_path: str | None = None
    py_files: str | None = None
    env_vars: dict[str, str] = field(default_factory=dict)


def job_path(settings: Settings, job: str) -> str:
    """jobs/<job>.py under the configured jobs folder (a local folder, or local:///... in an image)."""
    folder = settings.orchestration.jobs_dir
    if "://" in folder:
        return f"{folder.rstrip('/')}/{job}.py"
    return str(Path(resolve_location(folder)) / f"{job}.py")


def py_files_path(settings: Settings) -> str | None:
    value = settings.orchestration.py_files
    if not value:
        return None
    return value if "://" in value else resolve_location(value)


def forwarded_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The non-secret SOCIALBEAT_* variables of this process (they configure the job)."""
    env = os.environ if environ is None else environ
    return {
        key: value
        for key, value in env.items()
        if key.startswith("SOCIALBEAT_") and not any(word in key for word in _SECRET_WORDS)
    }


def resolved_locations(settings: Settings) -> dict[str, str]:
    """The settings' locations as the orchestrator resolved them (relative paths are relative to the
    checkout the DAGs run from, not to wherever the job's package was unpacked)."""
    return {
        "SOCIALBEAT_PROFILE": settings.profile,
        "SOCIALBEAT_LANDING": settings.landing_uri,
        "SOCIALBEAT_LAKE": settings.lake_uri,
        "SOCIALBEAT_STATE_DIR": str(settings.state_path),
        "SOCIALBEAT_DATASETS": str(settings.datasets_path),
    }


def submit_args(settings: Settings, job: str, args: list[str], name: str | None = None) -> SubmitArgs:
    """Everything spark-submit needs to run jobs/<job>.py with `args` under these settings."""
    orchestration = settings.orchestration
    if orchestration.jars not in JAR_MODES:
        raise ValueError(f"orchestration.jars must be one of {JAR_MODES}, got {orchestration.jars!r}")
    conf = {k: v for k, v in session_conf(settings, with_jars=False).items() if k not in _FLAG_KEYS}
    java_options = [conf.get("spark.driver.extraJavaOptions", ""), orchestration.driver_java_options]
    if orchestration.log4j_config:
        log4j = orchestration.log4j_config
        java_options.append(
            f"-Dlog4j2.configurationFile={log4j if '://' in log4j else resolve_location(log4j)}"
        )
    conf["spark.driver.extraJavaOptions"] = " ".join(option for option in java_options if option)
    jars = driver_class_path = None
    if orchestration.jars == "submit":
        jars = ",".join(jar_paths(settings))
    elif orchestration.jars == "classpath":
        driver_class_path = ":".join(jar_paths(settings))
        conf["spark.executor.extraClassPath"] = driver_class_path
    return SubmitArgs(
        application=job_path(settings, job),
        application_args=list(args),
        name=name or f"socialbeat-{job}",
        conf=conf,
        driver_memory=settings.spark.driver_memory,
        jars=jars,
        driver_class_path=driver_class_path,
        py_files=py_files_path(settings),
        env_vars={**forwarded_env(), **resolved_locations(settings)},
    )


def application_exists(application: str) -> bool:
    """False only for a local job file that is missing (a path inside a cluster image is trusted)."""
    return "://" in application or Path(application).is_file()
