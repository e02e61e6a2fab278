"""The API's settings: one pydantic-settings class, environment variables ``OPTIMIZER_API_*``.

Every setting has a default that works with `make run`, except the API keys, which have
none on purpose: without ``OPTIMIZER_API_API_KEYS`` the API refuses to start and says so.
Lists (keys, tokens) are comma-separated; an entry ``name:secret`` names its holder (the
name is what jobs record as ``requested_by``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "OPTIMIZER_API_"

Secrets = Annotated[list[SecretStr], NoDecode]


class SettingsError(Exception):
    """A setting is missing or wrong: the message names the environment variable."""


class ApiSettings(BaseSettings):
    """Every knob of the API service."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

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

    # AWS: the metadata lake and the history table (the product's defaults).
    bucket: str = Field("redshift-optimizer-metadata", min_length=3, description="S3 bucket of the metadata lake")
    key_prefix: str = Field("", description="key prefix inside the bucket")
    history_table: str = Field("query-optimization-history", min_length=3, description="DynamoDB history table")
    aws_region: str | None = Field(None, description="AWS region (default: AWS_REGION / AWS_DEFAULT_REGION)")

    # Limits.
    max_sql_chars: int = Field(100_000, ge=100, le=1_000_000, description="longest SQL accepted (characters)")
    max_body_bytes: int = Field(2_000_000, ge=10_000, description="largest request body accepted (bytes)")
    history_max_limit: int = Field(200, ge=1, le=1000, description="largest page of GET /history")
    history_max_days: int = Field(366, ge=1, description="widest from..to range of GET /history (days)")
    metadata_cache_seconds: float = Field(60.0, ge=0, description="how long metadata JSON is served from memory")

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

    @model_validator(mode="after")
    def _mwaa_needs_a_name(self) -> "ApiSettings":
        if self.airflow_mode == "mwaa" and not self.mwaa_environment:
            raise ValueError(f"{ENV_PREFIX}MWAA_ENVIRONMENT is required when {ENV_PREFIX}AIRFLOW_MODE is mwaa")
        return self

    def lake_key(self, key: str) -> str:
        prefix = self.key_prefix.strip("/")
        return f"{prefix}/{key}" if prefix else key


def load_api_settings(**overrides: Any) -> ApiSettings:
    """Settings from the environment (and ``overrides``); SettingsError names what is wrong."""
    try:
        return ApiSettings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            name = f"{ENV_PREFIX}{field.upper()}" if field else "settings"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {message}" if field else message)
        raise SettingsError("the API cannot start: " + "; ".join(problems)) from None


__all__ = ["ENV_PREFIX", "ApiSettings", "SettingsError", "load_api_settings"]
