"""The MWAA path with botocore's Stubber (requests checked against the MWAA API model), the
REST path's failures against the real Airflow, and the API's start-up settings."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from fastapi.testclient import TestClient

from api.airflow_client import AirflowUnavailable, DagNotFound, DagRunExists, MwaaAirflowClient, RestAirflowClient
from api.settings import SettingsError, load_api_settings
from tests.api.stack import API_KEY

DAG = "redshift_adhoc_optimization"
RUN = "adhoc__0123456789abcdef01234567"
DAG_RUN = {"dag_run_id": RUN, "dag_id": DAG, "state": "queued", "logical_date": None,
           "run_after": "2026-11-22T08:00:00Z", "queued_at": "2026-11-22T08:00:00Z", "conf": {"sql": "SELECT 1"}}


@pytest.fixture()
def mwaa():
    client = boto3.client("mwaa", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x",
                          endpoint_url="https://airflow.eu-west-1.amazonaws.com")
    with Stubber(client) as stubber:
        yield MwaaAirflowClient("analytics-mwaa", client=client), stubber
        stubber.assert_no_pending_responses()


def test_mwaa_trigger_sends_the_path_without_api_v2_and_a_null_logical_date(mwaa):
    client, stubber = mwaa
    conf = {"sql": "SELECT 1", "database": None, "schema": "tpch", "requested_by": "alice"}
    stubber.add_response(
        "invoke_rest_api", {"RestApiStatusCode": 200, "RestApiResponse": DAG_RUN},
        {"Name": "analytics-mwaa", "Path": f"/dags/{DAG}/dagRuns", "Method": "POST",
         "Body": {"dag_run_id": RUN, "logical_date": None, "conf": conf}})
    run = client.trigger(DAG, RUN, conf)
    assert run.dag_run_id == RUN and run.state == "queued"


def test_mwaa_existing_run_is_409_and_missing_run_is_none(mwaa):
    client, stubber = mwaa
    stubber.add_client_error("invoke_rest_api", service_error_code="RestApiClientException", http_status_code=400,
                             modeled_fields={"RestApiStatusCode": 409, "RestApiResponse": {"detail": "exists"}})
    stubber.add_client_error("invoke_rest_api", service_error_code="RestApiClientException", http_status_code=400,
                             modeled_fields={"RestApiStatusCode": 404, "RestApiResponse": {"detail": "not found"}},
                             expected_params={"Name": "analytics-mwaa", "Path": f"/dags/{DAG}/dagRuns/{RUN}",
                                              "Method": "GET"})
    with pytest.raises(DagRunExists):
        client.trigger(DAG, RUN, {})
    assert client.dag_run(DAG, RUN) is None


def test_mwaa_task_states_and_unknown_dag(mwaa):
    client, stubber = mwaa
    stubber.add_response(
        "invoke_rest_api",
        {"RestApiStatusCode": 200, "RestApiResponse": {"total_entries": 2, "task_instances": [
            {"task_id": "plan_query", "map_index": -1, "state": "success", "try_number": 1},
            {"task_id": "cost_saver", "map_index": -1, "state": None, "try_number": 0}]}},
        {"Name": "analytics-mwaa", "Path": f"/dags/{DAG}/dagRuns/{RUN}/taskInstances", "Method": "GET",
         "QueryParameters": {"limit": 100}})
    stubber.add_client_error("invoke_rest_api", service_error_code="RestApiClientException", http_status_code=400,
                             modeled_fields={"RestApiStatusCode": 404, "RestApiResponse": {"detail": "no DAG"}})
    states = client.task_states(DAG, RUN)
    assert [(t.task_id, t.state) for t in states] == [("plan_query", "success"), ("cost_saver", None)]
    with pytest.raises(DagNotFound, match="setting OPTIMIZER_API_DAG_ID"):
        client.check(DAG)


@pytest.mark.parametrize("code, message", [
    ("AccessDeniedException", "airflow:InvokeRestApi"),
    ("ResourceNotFoundException", "OPTIMIZER_API_MWAA_ENVIRONMENT"),
])
def test_mwaa_access_problems_name_what_to_fix(mwaa, code, message):
    client, stubber = mwaa
    stubber.add_client_error("invoke_rest_api", service_error_code=code, http_status_code=403)
    with pytest.raises(AirflowUnavailable, match=message):
        client.dag_run(DAG, RUN)


def test_api_over_mwaa_answers_202_with_the_job(mwaa, monkeypatch):
    from api.main import create_app

    client, stubber = mwaa
    stubber.add_response("invoke_rest_api", {"RestApiStatusCode": 200, "RestApiResponse": DAG_RUN})
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings = load_api_settings(api_keys=f"alice:{API_KEY}", airflow_mode="mwaa", mwaa_environment="analytics-mwaa")
    app = create_app(settings, airflow=client)
    with TestClient(app) as http:
        answer = http.post("/optimize/redshift", json={"sql": "SELECT o_orderkey FROM tpch.orders"},
                           headers={"X-API-Key": API_KEY})
    assert answer.status_code == 202, answer.text
    assert answer.json()["job_id"].startswith("adhoc__")


def test_mwaa_mode_without_an_environment_fails_at_start_naming_it():
    with pytest.raises(SettingsError, match="OPTIMIZER_API_MWAA_ENVIRONMENT"):
        load_api_settings(api_keys="k", airflow_mode="mwaa")


def test_no_api_keys_fails_at_start_naming_the_setting(monkeypatch):
    monkeypatch.delenv("OPTIMIZER_API_API_KEYS", raising=False)
    with pytest.raises(SettingsError, match="OPTIMIZER_API_API_KEYS"):
        load_api_settings()


def test_rest_wrong_password_is_unavailable_naming_the_settings(airflow_server):
    client = RestAirflowClient(airflow_server.url, "admin", "not-the-password")
    with pytest.raises(AirflowUnavailable, match="OPTIMIZER_API_AIRFLOW_PASSWORD"):
        client.check(DAG)


def test_rest_unreachable_airflow_names_the_url_setting():
    from local.services import free_port

    client = RestAirflowClient(f"http://127.0.0.1:{free_port()}", "admin", "admin", timeout=2)
    with pytest.raises(AirflowUnavailable, match="OPTIMIZER_API_AIRFLOW_URL"):
        client.dag_run(DAG, RUN)


def test_unknown_or_invalid_settings_fail_at_start_naming_them(monkeypatch):
    monkeypatch.setenv("OPTIMIZER_API_HISTORY_TABEL", "t")
    with pytest.raises(SettingsError, match="OPTIMIZER_API_HISTORY_TABEL: no such setting .did you mean "
                                            "OPTIMIZER_API_HISTORY_TABLE"):
        load_api_settings(api_keys="k")
    monkeypatch.delenv("OPTIMIZER_API_HISTORY_TABEL")
    with pytest.raises(SettingsError, match="OPTIMIZER_API_BUCKET: '' is not an S3 bucket name"):
        load_api_settings(api_keys="k", bucket="")
    with pytest.raises(SettingsError, match="OPTIMIZER_API_CURSOR_SECRET: at least 32"):
        load_api_settings(api_keys="k", cursor_secret="short")
