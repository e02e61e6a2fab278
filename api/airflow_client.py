"""Triggering and following DAG runs: one interface, two transports chosen by settings.

- :class:`RestAirflowClient`: the Airflow REST API v2 of a self-hosted or local Airflow; a
  JWT from ``POST /auth/token`` (renewed once when a call answers 401).
- :class:`MwaaAirflowClient`: Amazon MWAA through boto3 ``invoke_rest_api``, which takes the
  same paths without the ``/api/v2`` prefix and answers with the API's status and body.

Runs are triggered with ``logical_date: null`` (Airflow 3: the run is not tied to a data
interval) and a run id chosen by the caller, so repeating a trigger meets a 409 instead of
starting a second run (:class:`DagRunExists`).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, Field

from api.settings import ENV_PREFIX, ApiSettings


class AirflowError(Exception):
    """Airflow answered something the API cannot use; the message says what."""


class AirflowUnavailable(AirflowError):
    """Airflow cannot be reached or refused our credentials (a 503 for the caller)."""


class DagNotFound(AirflowUnavailable):
    """The DAG is not (yet) in Airflow: not parsed, or a wrong dag_id setting."""


class DagRunExists(AirflowError):
    """A run with this id exists already (Airflow answered 409)."""


class DagRun(BaseModel):
    """The parts of Airflow's DAGRunResponse the API uses."""

    dag_run_id: str
    state: str
    conf: dict[str, Any] | None = None
    queued_at: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    run_after: str | None = None


class TaskState(BaseModel):
    """One task instance of a run (mapped instances have map_index >= 0)."""

    task_id: str
    map_index: int = -1
    state: str | None = None
    try_number: int = Field(0, description="0 before the first try")


class AirflowClient(ABC):
    """The calls the API makes, on top of one transport (:meth:`_call`)."""

    #: what the messages call this Airflow, with the setting that points at it
    where: str = "Airflow"

    @abstractmethod
    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              query: dict[str, Any] | None = None) -> tuple[int, Any]:
        """(status, JSON body) of one REST API v2 call; ``path`` without ``/api/v2``.
        Transport failures raise AirflowUnavailable."""

    def _expect(self, status: int, body: Any, what: str) -> Any:
        if 200 <= status < 300:
            return body
        detail = body.get("detail") if isinstance(body, dict) else body
        if status in (401, 403):
            raise AirflowUnavailable(f"{self.where} refused the API's credentials ({status}) while {what}: {detail}")
        if status >= 500:
            raise AirflowUnavailable(f"{self.where} failed ({status}) while {what}: {detail}")
        raise AirflowError(f"{self.where} answered {status} while {what}: {detail}")

    def trigger(self, dag_id: str, run_id: str, conf: dict[str, Any]) -> DagRun:
        """Start a run with this id (DagRunExists when it exists already)."""
        status, body = self._call("POST", f"/dags/{quote(dag_id)}/dagRuns",
                                  {"dag_run_id": run_id, "logical_date": None, "conf": conf})
        if status == 409:
            raise DagRunExists(f"run {run_id} of {dag_id} exists already")
        if status == 404:
            raise DagNotFound(f"{self.where} has no DAG {dag_id} (not parsed yet, or setting {ENV_PREFIX}DAG_ID)")
        return DagRun.model_validate(self._expect(status, body, f"triggering {dag_id}"))

    def dag_run(self, dag_id: str, run_id: str) -> DagRun | None:
        """The run, or None when Airflow has no run with this id."""
        status, body = self._call("GET", f"/dags/{quote(dag_id)}/dagRuns/{quote(run_id)}")
        if status == 404:
            return None
        return DagRun.model_validate(self._expect(status, body, f"reading run {run_id}"))

    def task_states(self, dag_id: str, run_id: str) -> list[TaskState]:
        """Every task instance of the run."""
        status, body = self._call("GET", f"/dags/{quote(dag_id)}/dagRuns/{quote(run_id)}/taskInstances",
                                  query={"limit": 100})
        if status == 404:
            return []
        body = self._expect(status, body, f"reading the tasks of run {run_id}")
        return [TaskState.model_validate(ti) for ti in body.get("task_instances", [])]

    def check(self, dag_id: str) -> None:
        """Reachable, our credentials accepted, and the DAG known; raises otherwise."""
        status, body = self._call("GET", f"/dags/{quote(dag_id)}")
        if status == 404:
            raise DagNotFound(f"{self.where} has no DAG {dag_id} (not parsed yet, or setting {ENV_PREFIX}DAG_ID)")
        self._expect(status, body, f"reading DAG {dag_id}")

    def is_paused(self, dag_id: str) -> bool:
        """Whether the DAG is paused (its runs stay queued until it is unpaused)."""
        status, body = self._call("GET", f"/dags/{quote(dag_id)}")
        return status == 200 and isinstance(body, dict) and bool(body.get("is_paused"))


class RestAirflowClient(AirflowClient):
    """The Airflow REST API v2 with a JWT from ``/auth/token``."""

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 10.0, client: Any = None):
        import httpx

        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self.where = f"Airflow at {self.base_url} (setting {ENV_PREFIX}AIRFLOW_URL)"
        self.http = client or httpx.Client(timeout=timeout)
        self._token: str | None = None
        self._lock = threading.Lock()

    def _login(self) -> str:
        import httpx

        try:
            response = self.http.post(f"{self.base_url}/auth/token",
                                      json={"username": self.username, "password": self.password})
        except httpx.HTTPError as exc:
            raise AirflowUnavailable(f"cannot reach {self.where}: {exc}") from None
        if response.status_code in (401, 403):
            raise AirflowUnavailable(
                f"{self.where} refused the login of {self.username!r} (settings {ENV_PREFIX}AIRFLOW_USERNAME "
                f"and {ENV_PREFIX}AIRFLOW_PASSWORD)")
        if response.status_code >= 300:
            raise AirflowUnavailable(f"{self.where} answered {response.status_code} to /auth/token")
        try:
            return response.json()["access_token"]
        except (ValueError, KeyError):
            raise AirflowUnavailable(f"{self.where} gave no access_token from /auth/token") from None

    def _token_value(self, renew: bool = False) -> str:
        with self._lock:
            if self._token is None or renew:
                self._token = self._login()
            return self._token

    def _call(self, method, path, body=None, query=None):
        import httpx

        for attempt in (1, 2):
            token = self._token_value(renew=attempt == 2)
            try:
                response = self.http.request(method, f"{self.base_url}/api/v2{path}", json=body, params=query,
                                             headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError as exc:
                raise AirflowUnavailable(f"cannot reach {self.where}: {exc}") from None
            if response.status_code != 401:
                break  # a 401 means the token expired: log in again once
        try:
            payload = response.json()
        except ValueError:
            payload = response.text[:500]
        return response.status_code, payload


class MwaaAirflowClient(AirflowClient):
    """Amazon MWAA's Airflow through ``invoke_rest_api`` (IAM ``airflow:InvokeRestApi``)."""

    def __init__(self, environment: str, client: Any = None, region: str | None = None):
        if client is None:
            import boto3

            client = boto3.client("mwaa", region_name=region)
        self.client = client
        self.environment = environment
        self.where = f"MWAA environment {environment!r} (setting {ENV_PREFIX}MWAA_ENVIRONMENT)"

    def _call(self, method, path, body=None, query=None):
        from botocore.exceptions import BotoCoreError, ClientError

        kwargs: dict[str, Any] = {"Name": self.environment, "Path": path, "Method": method}
        if body is not None:
            kwargs["Body"] = body
        if query:
            kwargs["QueryParameters"] = query
        try:
            answer = self.client.invoke_rest_api(**kwargs)
        except ClientError as exc:
            response = exc.response
            code = response.get("Error", {}).get("Code", "")
            if code in ("RestApiClientException", "RestApiServerException"):
                # Airflow's own answer (4xx / 5xx), carried in the exception
                return int(response.get("RestApiStatusCode", 500)), response.get("RestApiResponse")
            if code == "ResourceNotFoundException":
                raise AirflowUnavailable(f"there is no {self.where}") from None
            if code == "AccessDeniedException":
                raise AirflowUnavailable(
                    f"access to {self.where} denied: the API's role needs airflow:InvokeRestApi") from None
            raise AirflowUnavailable(f"{self.where}: {code or exc}") from None
        except BotoCoreError as exc:
            raise AirflowUnavailable(f"cannot reach {self.where}: {exc}") from None
        return int(answer["RestApiStatusCode"]), answer.get("RestApiResponse")


def airflow_client(settings: ApiSettings) -> AirflowClient:
    """The implementation the settings choose."""
    if settings.airflow_mode == "mwaa":
        return MwaaAirflowClient(settings.mwaa_environment, region=settings.mwaa_region)
    return RestAirflowClient(settings.airflow_url, settings.airflow_username,
                             settings.airflow_password.get_secret_value(), settings.airflow_timeout_seconds)


__all__ = [
    "AirflowClient",
    "AirflowError",
    "AirflowUnavailable",
    "DagNotFound",
    "DagRun",
    "DagRunExists",
    "MwaaAirflowClient",
    "RestAirflowClient",
    "TaskState",
    "airflow_client",
]
