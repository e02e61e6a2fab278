"""Typed dependencies of the routes: settings, the caller, Airflow, the history, the lake.

The clients are built once by :func:`api.main.create_app` and kept on ``app.state``; tests
replace them with ``app.dependency_overrides`` or by building the app with other clients.

Authentication: an API key in ``X-API-Key`` or ``Authorization: Bearer``. Keys are compared
in constant time against every configured secret (no early exit). Missing or unknown
credentials answer 401; known credentials without the right answer 403:

- ``api_keys``: submit queries and read everything;
- ``read_keys``: read only;
- ``ingest_tokens``: POST /ingest/bedrock only.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import Enum
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from api.airflow_client import AirflowClient
from api.settings import ENV_PREFIX, ApiSettings
from redshift_optimizer.history.store import HistoryStore
from redshift_optimizer.models.lake import Lake


class Role(str, Enum):
    SUBMIT = "submit"
    READ = "read"
    INGEST = "ingest"


@dataclass(frozen=True)
class Caller:
    """Who is calling: a name for the records (never the secret) and what they may do."""

    name: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class Credential:
    name: str
    digest: bytes
    roles: frozenset[Role]


def credentials(settings: ApiSettings) -> list[Credential]:
    """The configured secrets as digests, each with its holder's name and roles."""
    found = []
    for secrets, roles, kind in ((settings.api_keys, {Role.SUBMIT, Role.READ}, "key"),
                                 (settings.read_keys, {Role.READ}, "reader"),
                                 (settings.ingest_tokens, {Role.INGEST}, "ingest")):
        for secret in secrets:
            value = secret.get_secret_value()
            name, _, rest = value.partition(":")
            if rest:  # "name:secret"
                value = rest
            else:
                name = f"{kind}-{hashlib.sha256(value.encode()).hexdigest()[:8]}"
            found.append(Credential(name, hashlib.sha256(value.encode()).digest(), frozenset(roles)))
    return found


_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key from the settings")
_bearer = HTTPBearer(auto_error=False, description="an API key, or the ingest token for POST /ingest/bedrock")


def get_settings(request: Request) -> ApiSettings:
    return request.app.state.settings


def get_airflow(request: Request) -> AirflowClient:
    return request.app.state.airflow


def get_history(request: Request) -> HistoryStore:
    return request.app.state.history


def get_lake(request: Request) -> Lake:
    return request.app.state.lake


def get_caller(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Caller:
    """The authenticated caller; 401 without known credentials."""
    presented = api_key or (bearer.credentials if bearer else None)
    if not presented:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            "missing credentials: send an API key as X-API-Key or Authorization: Bearer",
                            headers={"WWW-Authenticate": "Bearer"})
    caller = _known(request, presented)
    if caller is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown API key or token",
                            headers={"WWW-Authenticate": "Bearer"})
    return caller


def _known(request: Request, presented: str) -> Caller | None:
    digest = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
    match = None
    for credential in request.app.state.credentials:  # every one, whatever matched: constant time
        if hmac.compare_digest(digest, credential.digest) and match is None:
            match = credential
    return Caller(match.name, match.roles) if match is not None else None


def optional_caller(request: Request) -> Caller | None:
    """The caller when known credentials came with the request, else None (never a 401).
    Read from the headers directly: the endpoint declares no security, it needs none."""
    presented = request.headers.get("x-api-key")
    if not presented:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        presented = token.strip() if scheme.lower() == "bearer" else None
    return _known(request, presented) if presented else None


def unavailable_message(exc: Exception) -> str:
    """A 503's message: what is unavailable and the setting that points at it."""
    text = " ".join(str(exc).split())
    if ENV_PREFIX in text:  # it names its setting already
        return text
    from redshift_optimizer.errors import LakeError
    from redshift_optimizer.history import HistoryError

    if isinstance(exc, LakeError):
        where = f"S3 (settings {ENV_PREFIX}BUCKET, {ENV_PREFIX}KEY_PREFIX, {ENV_PREFIX}AWS_REGION)"
    elif isinstance(exc, HistoryError) or "dynamodb" in text.lower():
        where = f"DynamoDB (settings {ENV_PREFIX}HISTORY_TABLE, {ENV_PREFIX}AWS_REGION)"
    else:
        where = "a dependency of the API"
    return f"{where} is unavailable: {text}"


def _require(role: Role, refusal: str):
    def check(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        if role not in caller.roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, refusal)
        return caller

    return check


reader = _require(Role.READ, "these credentials may not read: use an API key or a read key")
submitter = _require(Role.SUBMIT, "these credentials may not submit queries: use an API key (read keys only read)")
ingester = _require(Role.INGEST, "POST /ingest/bedrock needs the ingest token (setting OPTIMIZER_API_INGEST_TOKENS)")

SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
AirflowDep = Annotated[AirflowClient, Depends(get_airflow)]
HistoryDep = Annotated[HistoryStore, Depends(get_history)]
LakeDep = Annotated[Lake, Depends(get_lake)]
Reader = Annotated[Caller, Depends(reader)]
Submitter = Annotated[Caller, Depends(submitter)]
Ingester = Annotated[Caller, Depends(ingester)]

__all__ = [
    "AirflowDep", "Caller", "Credential", "HistoryDep", "Ingester", "LakeDep", "Reader", "Role",
    "SettingsDep", "Submitter", "credentials", "get_airflow", "get_caller", "get_history",
    "get_lake", "get_settings", "optional_caller", "unavailable_message",
]
