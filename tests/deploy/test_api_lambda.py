"""The API on Lambda: the handler answers API Gateway proxy events with the app uvicorn
serves, its keys read from Secrets Manager (local AWS endpoint), and the package `make
dist-api` builds runs on Lambda's Python (3.12) with nothing but its own contents."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON312 = ROOT / ".venv-mwaa" / "bin" / "python"


def proxy_event(method: str, path: str, headers: dict[str, str] | None = None, query: dict | None = None) -> dict:
    """An API Gateway REST API proxy event, as the integration of api.yaml delivers it."""
    headers = {"host": "abc123.execute-api.us-east-1.amazonaws.com", **(headers or {})}
    return {
        "resource": "/{proxy+}", "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query, "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()},
        "pathParameters": {"proxy": path.lstrip("/")}, "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": "/{proxy+}", "httpMethod": method, "path": f"/prod{path}", "stage": "prod",
                           "requestId": "test", "identity": {"sourceIp": "192.0.2.1"}},
    }


@pytest.fixture()
def lambda_env(aws, monkeypatch):
    secrets = boto3.client("secretsmanager")
    keys = secrets.create_secret(Name="lambda-test/api-keys", SecretString="ops:k-123")["ARN"]
    tokens = secrets.create_secret(Name="lambda-test/ingest-token", SecretString="t-456")["ARN"]
    for name, value in {"API_KEYS_SECRET_ARN": keys, "INGEST_TOKENS_SECRET_ARN": tokens,
                        "OPTIMIZER_API_AIRFLOW_MODE": "mwaa", "OPTIMIZER_API_MWAA_ENVIRONMENT": "optimizer-test"}.items():
        monkeypatch.setenv(name, value)
    for name in ("OPTIMIZER_API_API_KEYS", "OPTIMIZER_API_INGEST_TOKENS"):
        monkeypatch.delenv(name, raising=False)
    from deploy.api import lambda_handler

    monkeypatch.setattr(lambda_handler, "_app", None)
    yield lambda_handler
    for arn in (keys, tokens):
        secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)


def test_the_handler_serves_the_app_with_the_keys_from_secrets_manager(lambda_env):
    handler = lambda_env.handler
    health = handler(proxy_event("GET", "/health"), None)
    assert health["statusCode"] == 200 and json.loads(health["body"]) == {"status": "ok"}
    assert handler(proxy_event("GET", "/history"), None)["statusCode"] == 401
    answered = handler(proxy_event("GET", "/history", {"x-api-key": "k-123"}, {"from": "2026-11-01", "to": "2026-11-02"}),
                       None)
    assert answered["statusCode"] == 200, answered["body"]
    assert "items" in json.loads(answered["body"])
    ingest_only = handler(proxy_event("GET", "/history", {"authorization": "Bearer t-456"}), None)
    assert ingest_only["statusCode"] == 403


def test_the_package_runs_on_lambdas_python_from_its_own_files(tmp_path):
    assert PYTHON312.exists(), "no .venv-mwaa: run `make venv-mwaa` (it holds the Python 3.12 used here)"
    from deploy.api.package import build

    package = build(tmp_path / "dist-api")
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "task")
    assert {"lambda_handler.py", "api/main.py", "redshift_optimizer/__init__.py", "mangum/__init__.py"} <= names
    assert not [n for n in names if n.startswith("airflow/")], "the API needs no Airflow"
    # -S: no site-packages; only the unpacked package and the standard library, as on Lambda.
    script = ("import json, sys; sys.path.insert(0, sys.argv[1]); import lambda_handler; "
              "print(json.dumps(lambda_handler.handler(json.loads(sys.argv[2]), None)))")
    env = {"PATH": "/usr/bin:/bin", "OPTIMIZER_API_API_KEYS": "k", "OPTIMIZER_API_AIRFLOW_MODE": "mwaa",
           "OPTIMIZER_API_MWAA_ENVIRONMENT": "optimizer-test", "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run([str(PYTHON312), "-S", "-c", script, str(tmp_path / "task"),
                             json.dumps(proxy_event("GET", "/health"))], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    response = json.loads(result.stdout.strip().splitlines()[-1])
    assert response["statusCode"] == 200 and json.loads(response["body"]) == {"status": "ok"}
