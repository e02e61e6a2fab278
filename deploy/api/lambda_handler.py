"""The optimizer's API on AWS Lambda behind API Gateway (REST API, proxy integration).

Mangum turns API Gateway events into ASGI calls of the same FastAPI app ``uvicorn`` serves
(``api.main.create_app``). The keys are not in the function's configuration: the variables
``API_KEYS_SECRET_ARN`` and ``INGEST_TOKENS_SECRET_ARN`` name Secrets Manager secrets whose
strings become ``OPTIMIZER_API_API_KEYS`` and ``OPTIMIZER_API_INGEST_TOKENS`` (comma-separated,
``name:secret`` allowed) when the first request arrives. Every other setting is an
``OPTIMIZER_API_*`` variable of the function (deploy/cloudformation/api.yaml).
"""

from __future__ import annotations

import os
from typing import Any

SECRET_SETTINGS = {
    "OPTIMIZER_API_API_KEYS": "API_KEYS_SECRET_ARN",
    "OPTIMIZER_API_INGEST_TOKENS": "INGEST_TOKENS_SECRET_ARN",
}

_app: Any = None


def load_secrets(client: Any = None) -> None:
    """Set each secret-backed setting from its secret, unless the setting is already set."""
    for setting, arn_variable in SECRET_SETTINGS.items():
        arn = os.environ.get(arn_variable)
        if not arn or os.environ.get(setting):
            continue
        if client is None:
            import boto3

            client = boto3.client("secretsmanager")
        os.environ[setting] = client.get_secret_value(SecretId=arn)["SecretString"].strip()


def build() -> Any:
    from mangum import Mangum

    from api.main import create_app

    load_secrets()
    return Mangum(create_app(), lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point; the app is built once per execution environment."""
    global _app
    if _app is None:
        _app = build()
    return _app(event, context)
