"""Every YAML file of the repository parses, and the Kubernetes deployment's files agree with each
other and with the `kubernetes` settings profile (none of it can run here: no cluster, no registry)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from socialbeat.settings import PROJECT_ROOT, load_settings

pytestmark = pytest.mark.fast

K8S = PROJECT_ROOT / "infra" / "k8s"
SKIP = {".venv", ".state", "lake", "landing", "dist", ".git", "node_modules"}


def _yaml_files() -> list[Path]:
    return sorted(
        p
        for pattern in ("*.yaml", "*.yml")
        for p in PROJECT_ROOT.rglob(pattern)
        if not SKIP & set(p.relative_to(PROJECT_ROOT).parts)
    )


def test_every_yaml_file_parses() -> None:
    files = _yaml_files()
    assert K8S / "airflow-values.yaml" in files and PROJECT_ROOT / "infra/config/socialbeat.yaml" in files
    for path in files:
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        assert documents and all(d is not None for d in documents), path


def test_kubernetes_manifests_are_well_formed() -> None:
    kinds = []
    for path in K8S.glob("*.yaml"):
        if path.name == "airflow-values.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            assert {"apiVersion", "kind", "metadata"} <= set(document), path
            kinds.append(document["kind"])
    assert sorted(kinds) == sorted(
        ["Pod", "Pod", "ConfigMap", "Secret", "Namespace", "ServiceAccount", "Role", "RoleBinding"]
    )
    for name, container in (("driver", "spark-kubernetes-driver"), ("executor", "spark-kubernetes-executor")):
        pod = yaml.safe_load((K8S / f"{name}-pod-template.yaml").read_text(encoding="utf-8"))
        assert pod["spec"]["containers"][0]["name"] == container  # the names Spark merges templates into


def test_the_kubernetes_profile_points_at_these_files_and_the_image() -> None:
    settings = load_settings(profile="kubernetes")
    conf = settings.spark.conf
    for key in ("spark.kubernetes.driver.podTemplateFile", "spark.kubernetes.executor.podTemplateFile"):
        assert (K8S / Path(conf[key]).name).is_file(), key
    assert settings.orchestration.jars == "image" and settings.orchestration.jobs_dir.startswith("local:///")
    values = yaml.safe_load((K8S / "airflow-values.yaml").read_text(encoding="utf-8"))
    connection = next(e["value"] for e in values["env"] if e["name"] == "AIRFLOW_CONN_SPARK_DEFAULT")
    assert '"k8s://https://' in connection and '"deploy-mode": "cluster"' in connection


def test_the_dockerfile_copies_what_exists() -> None:
    text = (K8S / "Dockerfile").read_text(encoding="utf-8")
    sources = re.findall(r"^COPY (\S+) ", text, flags=re.MULTILINE)
    assert sources
    for source in sources:
        if source.startswith(".state/"):
            continue  # the verified jars, from `make setup`
        assert (PROJECT_ROOT / source).exists(), source
