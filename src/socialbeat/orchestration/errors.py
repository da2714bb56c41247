"""Why a Socialbeat task failed, as Airflow exceptions that the failure sinks can read."""

from __future__ import annotations

from airflow.sdk.exceptions import AirflowException, AirflowFailException


class JobFailed(AirflowException):
    """A job failed; `kind` and `reason` say why in words (see socialbeat.orchestration.failures)."""

    def __init__(self, kind: str, reason: str, failed_table: str | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.failed_table = failed_table


class GateBreached(AirflowFailException, JobFailed):
    """A quality gate rejected the batch: the data, not the run, is wrong, so retrying cannot help.
    The task fails at once and the tasks downstream of it do not run (upstream_failed)."""


class JobMissing(AirflowFailException, JobFailed):
    """The job's entry point is not in this deployment: no retry can bring it."""


class Misconfigured(AirflowFailException, JobFailed):
    """The job cannot be submitted as configured (no jars, an unknown setting): fix it, then clear."""
