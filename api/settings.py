"""The API's settings: one pydantic-settings class, environment variables ``OPTIMIZER_API_*``.

Every setting has a default that works with `make run`, except the API keys, which have
none on purpose: without ``OPTIMIZER_API_API_KEYS`` the API refuses to start and says so.
Lists (keys, tokens) are comma-separated; an entry ``name:secret`` names its holder (the
name is what jobs record as ``requested_by``).

An ``OPTIMIZER_API_*`` variable that is no setting (a typo) stops the start and is named,
like a bad value: a setting silently ignored is a setting that does not do what it says.

History cursors are signed (HMAC-SHA256) with ``OPTIMIZER_API_CURSOR_SECRET``. Unset, each
process draws a random secret when it starts: cursors then stop working when the API
restarts, and do not work across replicas. Set it (at least 32 characters, from a secret
store) when more than one replica serves the same clients.

Where the lake and the history are (bucket, key prefix, table) are the product's own fields
(``redshift_optimizer.settings.LakeLocation``), read here from ``OPTIMIZER_API_*``.
"""

from __future__ import annotations

import os
import secrets
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from redshift_optimizer.settings import LakeLocation

ENV_PREFIX = "OPTIMIZER_API_"

Secrets = Annotated[list[SecretStr], NoDecode]


class SettingsError(Exception):
    """A setting is missing or wrong: the message names the environment variable."""


class ApiSettings(LakeLocation):
    """Every knob of the API service (the lake's bucket, key prefix and history table are
    :class:`LakeLocation`'s)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    # Who may call.
    api_keys: Secrets = Field(
        description="keys that may submit queries and read everything (X-API-Key or Authorization: Bearer)")
    read_keys: Secrets = Field(default_factory=list, description="keys that may read but not submit")
    ingest_tokens: Secrets = Field(
        default_factory=list, description="bearer tokens of POST /ingest/bedrock only (empty: ingest is closed)")

    # Airflow: the self-hosted REST API v2, or Amazon MWAA through invoke_rest_api.
    airflow_mode: Literal["rest", "mwaa"] = Field("rest", description="rest (Airflow REST API v2) or mwaa")
    airflow_url: str = Field("http://127.0.0.1:8080", pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
                             description="base URL of the Airflow API server (rest)")
    airflow_username: str = Field("admin", min_length=1, description="login for /auth/token (rest)")
    airflow_password: SecretStr = Field(SecretStr("admin"), description="password for /auth/token (rest)")
    airflow_timeout_seconds: float = Field(10.0, gt=0, le=120, description="timeout of one call to Airflow")
    mwaa_environment: str = Field("", description="MWAA environment name (mwaa; required there)")
    mwaa_region: str | None = Field(None, description="region of the MWAA environment (default: the AWS default)")
    dag_id: str = Field("redshift_adhoc_optimization", pattern=r"^[A-Za-z0-9_.-]+$",
                        description="the ad-hoc optimization DAG")

    # AWS (the lake and the history table: LakeLocation's fields).
    aws_region: str | None = Field(None, description="AWS region (default: AWS_REGION / AWS_DEFAULT_REGION)")

    # Limits.
    max_sql_chars: int = Field(100_000, ge=100, le=1_000_000, description="longest SQL accepted (characters)")
    max_sql_depth: int = Field(50, ge=1, le=500, description="deepest nesting of parentheses in the SQL (422 above)")
    max_sql_tokens: int = Field(30_000, ge=10, le=1_000_000, description="most tokens in the SQL (422 above)")
    sql_parse_seconds: float = Field(5.0, gt=0, le=120, description="time budget of parsing the SQL (422 past it)")
    max_body_bytes: int = Field(2_000_000, ge=10_000, description="largest request body accepted (bytes)")
    history_max_limit: int = Field(200, ge=1, le=1000, description="largest page of GET /history")
    history_max_days: int = Field(366, ge=1, description="widest from..to range of GET /history (days)")
    metadata_cache_seconds: float = Field(60.0, ge=0, description="how long metadata JSON is served from memory")
    history_cache_seconds: float = Field(5.0, ge=0, le=3600,
                                         description="how long a history listing is served from memory (0: off)")
    job_cache_seconds: float = Field(2.0, ge=0, le=60,
                                     description="how long a live job's state is served from memory (0: off; "
                                                 "a job that ended: a minute)")

    # Signing the history cursors.
    cursor_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="HMAC key of the history cursors (default: random per process; set it for several replicas)")

    @field_validator("api_keys", "read_keys", "ingest_tokens", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("api_keys")
    @classmethod
    def _at_least_one(cls, value: list[SecretStr]) -> list[SecretStr]:
        if not value:
            raise ValueError("at least one key is needed")
        return value

    @field_validator("cursor_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 32:
            raise ValueError("at least 32 characters are needed")
        return value

    @model_validator(mode="after")
    def _mwaa_needs_a_name(self) -> "ApiSettings":
        if self.airflow_mode == "mwaa" and not self.mwaa_environment:
            raise ValueError(f"{ENV_PREFIX}MWAA_ENVIRONMENT is required when {ENV_PREFIX}AIRFLOW_MODE is mwaa")
        return self

    def submission_limits(self) -> Any:
        """The limits of a submitted query, with the settings they come from."""
        from redshift_optimizer.submission import SubmissionLimits

        return SubmissionLimits(
            max_chars=self.max_sql_chars, max_depth=self.max_sql_depth, max_tokens=self.max_sql_tokens,
            parse_seconds=self.sql_parse_seconds,
            settings={name: f"{ENV_PREFIX}{field.upper()}" for name, field in (
                ("max_chars", "max_sql_chars"), ("max_depth", "max_sql_depth"),
                ("max_tokens", "max_sql_tokens"), ("parse_seconds", "sql_parse_seconds"))})


def load_api_settings(**overrides: Any) -> ApiSettings:
    """Settings from the environment (and ``overrides``); SettingsError names what is wrong,
    an unknown ``OPTIMIZER_API_*`` variable included."""
    unknown = sorted(name for name in os.environ
                     if name.upper().startswith(ENV_PREFIX)
                     and name[len(ENV_PREFIX):].lower() not in ApiSettings.model_fields)
    if unknown:
        raise SettingsError("the API cannot start: " + "; ".join(
            f"{name}: no such setting{_suggestion(name[len(ENV_PREFIX):].lower())}" for name in unknown))
    try:
        return ApiSettings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            name = f"{ENV_PREFIX}{field.upper()}" if field else "settings"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"no such setting{_suggestion(field)}"
            problems.append(f"{name}: {message}" if field else message)
        raise SettingsError("the API cannot start: " + "; ".join(problems)) from None


def _suggestion(field: str) -> str:
    import difflib

    close = difflib.get_close_matches(field, list(ApiSettings.model_fields), n=1)
    return f" (did you mean {ENV_PREFIX}{close[0].upper()}?)" if close else ""


__all__ = ["ENV_PREFIX", "ApiSettings", "SettingsError", "load_api_settings"]
