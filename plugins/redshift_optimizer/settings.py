"""The product's settings: one pydantic-settings class, every field with a default.

Sources, strongest first: explicit overrides (DAG params over the Airflow Variable
``redshift_optimizer``), environment variables prefixed ``REDSHIFT_OPTIMIZER_``, defaults.
A bad value fails with a message that names the setting; so does a key that is no setting
(a typo in the Variable must not be silently ignored). Configuration errors are not
retryable: a task fails on them at once.

The analyzer's thresholds and prices are one nested model, ``analysis``
(:class:`~redshift_optimizer.rules.settings.AnalysisSettings`, the defaults of
finding-codes.md): ``{"analysis": {"dist_skew_max": 5}}`` in the Variable or the params,
``REDSHIFT_OPTIMIZER_ANALYSIS__DIST_SKEW_MAX=5`` in the environment (pydantic-settings'
nested delimiter ``__``). A threshold's bare name (``large_table_rows``, as older Variables
have it) means the same. Layers are merged key by key, inside ``analysis`` too.

Where the lake and the history are (:class:`LakeLocation`: bucket, key prefix, table) is
shared with the API's settings, which read the same fields from ``OPTIMIZER_API_*``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, Mapping

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from redshift_optimizer.errors import ConfigurationError
from redshift_optimizer.rules.settings import AnalysisSettings

ENV_PREFIX = "REDSHIFT_OPTIMIZER_"
#: pydantic-settings' separator of nested settings in variable names (ANALYSIS__DIST_SKEW_MAX).
NESTED_DELIMITER = "__"
PACKAGE_DIR = Path(__file__).resolve().parent
#: S3 bucket names: 3 to 63 lower-case letters, digits, dots and hyphens.
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
#: DynamoDB table names.
TABLE_NAME = r"^[A-Za-z0-9_.-]{3,255}$"
#: The nested models of the settings, by field name.
NESTED = {"analysis": AnalysisSettings}


class LakeLocation(BaseSettings):
    """Where the metadata lake and the history are: the fields the product's settings and the
    API's share (each class reads them with its own environment prefix)."""

    bucket: str = Field("redshift-optimizer-metadata", description="S3 bucket of the metadata lake")
    key_prefix: str = Field("", description="optional key prefix inside the bucket")
    history_table: str = Field("query-optimization-history", pattern=TABLE_NAME,
                               description="DynamoDB table of analysis results")

    @field_validator("bucket")
    @classmethod
    def _bucket_name(cls, value: str) -> str:
        if not BUCKET_NAME.match(value):
            raise ValueError(f"{value!r} is not an S3 bucket name (3 to 63 lower-case letters, digits, dots, hyphens)")
        return value

    def lake_key(self, key: str) -> str:
        """A lake key with the configured prefix."""
        prefix = self.key_prefix.strip("/")
        return f"{prefix}/{key}" if prefix else key


class FreshnessCheck(BaseModel):
    """V004 for one table: the column whose newest value says how fresh the table is."""

    column: str = Field(description="timestamp or date column, e.g. loaded_at")
    sla_hours: float = Field(26.0, gt=0, description="the newest value may be at most this old")


class Settings(LakeLocation):
    """Every knob of the product, with the defaults of the finding-code document."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", env_nested_delimiter=NESTED_DELIMITER)

    # Where things are.
    warehouse_conn_id: str = Field("redshift_default", description="Airflow connection of the warehouse")
    verification_conn_id: str = Field(
        "redshift_verifier", min_length=1,
        description="Airflow connection of the low-privilege warehouse user that runs rewrite checks "
        "(USAGE on the schemas and SELECT on the tables, nothing else); never the profiling user")
    aws_conn_id: str = Field("aws_default", description="Airflow connection for S3, SNS, CloudWatch")
    include_dir: Path | None = Field(
        None, description="folder holding sql/ and prompts/ (default: the project's include/)"
    )

    # Metadata refresh.
    schemas: list[str] = Field(
        default_factory=list, description="schemas to extract (empty: every user schema)"
    )
    slow_query_threshold_ms: float = Field(5000, ge=0, description="slow-query threshold")
    slow_query_limit: int = Field(500, ge=1, description="most fingerprints kept per day")
    profile_sample_rows: int = Field(
        5_000_000, ge=1, description="tables above this row count are profiled on a sample"
    )
    profile_top_values_max_distinct: int = Field(
        20, ge=0, description="top values are kept for columns with at most this many distinct values"
    )
    profile_top_values_count: int = Field(5, ge=1, description="how many top values per column")
    profile_max_tables: int = Field(200, ge=0, description="most tables profiled per run (largest first)")

    # Alerts and metrics.
    schema_change_topic: str = Field(
        "redshift-metadata-changes", description="SNS topic name or ARN for schema-change messages"
    )
    cloudwatch_namespace: str = Field("RedshiftOptimizer", description="CloudWatch metric namespace")

    # The analyzer: every finding threshold and price (shared/docs/finding-codes.md).
    analysis: AnalysisSettings = Field(
        default_factory=AnalysisSettings,
        description="the rule engine's thresholds (T, C, Q codes) and the prices of the savings")

    # Query optimization: the four agents (dags/redshift_query_optimization.py).
    top_queries: int = Field(10, ge=1, le=500, description="fingerprints analysed per day, by total elapsed time")
    agent_engine: Literal["auto", "rules", "bedrock"] = Field(
        "auto", description="rules (offline), bedrock (Claude via Converse); auto: bedrock when "
        "bedrock_model_id is set, else rules"
    )
    bedrock_model_id: str = Field(
        "", description="Bedrock model or inference profile id, e.g. us.anthropic.claude-sonnet-4-20250514-v1:0"
    )
    bedrock_region: str | None = Field(None, description="region of the Bedrock endpoint (default: the connection's)")
    bedrock_max_tokens: int = Field(
        1200, ge=64, le=8192, description="maxTokens per call: kept tight, Bedrock reserves quota from it"
    )
    bedrock_temperature: float = Field(0.0, ge=0, le=1, description="sampling temperature")
    bedrock_max_attempts: int = Field(8, ge=1, le=20, description="attempts per call when throttled")
    bedrock_backoff_seconds: float = Field(1.0, ge=0, description="first backoff after throttling (doubles)")
    bedrock_backoff_max_seconds: float = Field(30.0, ge=0, description="longest single backoff")
    bedrock_timeout_seconds: float = Field(120.0, gt=0, description="read timeout of one Converse call")
    bedrock_input_price_per_1k: float = Field(0.003, ge=0, description="USD per 1,000 input tokens")
    bedrock_output_price_per_1k: float = Field(0.015, ge=0, description="USD per 1,000 output tokens")
    prompt_version: str = Field("v1", pattern=r"^[A-Za-z0-9._-]+$", description="prompt set under prompts/<version>/")
    prompt_source: Literal["project", "s3"] = Field(
        "project", description="project: include/prompts/<version>/; s3: bedrock-context/prompts/<version>/ in the lake"
    )
    alerts_topic: str = Field("redshift-optimization-alerts", description="SNS topic name or ARN for optimization alerts")
    alert_min_severity: Literal["LOW", "MEDIUM", "HIGH", "CRITICAL"] = Field(
        "HIGH", description="a result at or above this severity triggers the run's alert"
    )
    slack_webhook_url: SecretStr | None = Field(None, description="optional Slack incoming webhook for the alert")
    verify_rewrites_in_warehouse: bool = Field(
        False, description="EXPLAIN and run rewrites against the originals in the warehouse (costs query time)"
    )
    proof_conn_id: str | None = Field(
        None, description="Airflow connection of a PostgreSQL (the local engine) where each rewrite step is "
                          "compared with the query before it on generated adversarial data, in a scratch schema "
                          "rolled back afterwards; none: no adversarial proof"
    )

    # Data validation (V codes).
    validation_load_column: str = Field(
        "load_id", description="column holding the ETL load id: with it, manifests are checked per load"
    )
    validation_row_count_tolerance: int = Field(0, ge=0, description="V001: rows of difference allowed")
    validation_null_ratio_change: float = Field(0.10, ge=0, le=1, description="V003: null ratio move allowed")
    validation_range_drift: float = Field(0.5, ge=0, description="V005: share of the previous range allowed outside it")
    validation_primary_keys: dict[str, list[str]] = Field(
        default_factory=dict, description="V002: primary key per table where none is declared"
    )
    validation_freshness: dict[str, FreshnessCheck] = Field(
        default_factory=dict, description="V004: per table, the freshness column and its SLA"
    )
    validation_max_tables: int = Field(50, ge=0, description="most tables checked per run")

    # Ad-hoc runs (dags/redshift_adhoc_optimization.py): one submitted query.
    adhoc_verify_rewrites: bool = Field(
        True, description="run the rule engine's rewrite against the original on the warehouse (read-only)")
    adhoc_statement_timeout_seconds: float = Field(
        30.0, gt=0, le=3600, description="statement timeout of each verification query")
    adhoc_max_rows: int = Field(
        10_000, ge=1, le=5_000_000, description="row budget: results larger than this are not compared")
    submission_max_chars: int = Field(1_000_000, ge=100, description="longest submitted SQL (characters)")
    submission_max_depth: int = Field(50, ge=1, le=500, description="deepest nesting of parentheses in submitted SQL")
    submission_max_tokens: int = Field(300_000, ge=10, description="most tokens in submitted SQL")
    submission_parse_seconds: float = Field(30.0, gt=0, le=600, description="time budget of parsing submitted SQL")

    def submission_limits(self) -> Any:
        """The limits of a submitted query (the ad-hoc run's plan step)."""
        from redshift_optimizer.submission import SubmissionLimits

        return SubmissionLimits(
            max_chars=self.submission_max_chars, max_depth=self.submission_max_depth,
            max_tokens=self.submission_max_tokens, parse_seconds=self.submission_parse_seconds)

    def resolved_include_dir(self) -> Path:
        """The include folder: the setting, else the project's, else the dags bundle's."""
        if self.include_dir is not None:
            if not (self.include_dir / "sql").is_dir():
                raise ConfigurationError(
                    f"setting include_dir ({ENV_PREFIX}INCLUDE_DIR) = {self.include_dir}: "
                    "no sql/ folder there"
                )
            return self.include_dir
        candidates = [PACKAGE_DIR.parent.parent / "include"]
        try:  # on MWAA include/ ships inside the dags bundle
            from airflow.configuration import conf

            candidates.append(Path(conf.get("core", "dags_folder")) / "include")
        except Exception:  # noqa: BLE001 - no Airflow here: the project layout is enough
            pass
        for candidate in candidates:
            if (candidate / "sql").is_dir():
                return candidate
        raise ConfigurationError(
            f"cannot find the include/ folder (looked in {', '.join(map(str, candidates))}); "
            f"set {ENV_PREFIX}INCLUDE_DIR"
        )

    def resolved_agent_engine(self) -> str:
        """The engine of this run: ``auto`` is bedrock when a model is configured, else rules."""
        if self.agent_engine == "auto":
            return "bedrock" if self.bedrock_model_id else "rules"
        if self.agent_engine == "bedrock" and not self.bedrock_model_id:
            raise ConfigurationError(
                f"setting agent_engine is bedrock but bedrock_model_id ({ENV_PREFIX}BEDROCK_MODEL_ID) is empty"
            )
        return self.agent_engine


def load_settings(*layers: Mapping[str, Any] | None, model: type[Settings] | None = None) -> Settings:
    """Settings from ``layers`` (weakest first: the Variable, then a run's params), the
    environment and defaults; a bad value or an unknown key names the setting
    (ConfigurationError, not retryable)."""
    import os

    model = model or Settings
    environment = sorted(name for name in os.environ if name.upper().startswith(ENV_PREFIX))
    unknown = [f"environment variable {name}: no such setting"
               f"{_suggestion(name[len(ENV_PREFIX):].lower(), model, NESTED_DELIMITER, ENV_PREFIX, upper=True)}"
               for name in environment if not _is_setting(name[len(ENV_PREFIX):].lower(), model)]
    # A threshold under its bare name in the environment (as before the nesting): the weakest layer.
    bare_env = {name[len(ENV_PREFIX):].lower(): os.environ[name] for name in environment
                if name[len(ENV_PREFIX):].lower() in _bare(model)}
    nested_env = {name[len(ENV_PREFIX) + len(f"analysis{NESTED_DELIMITER}"):].lower() for name in environment
                  if name.upper().startswith(f"{ENV_PREFIX}ANALYSIS{NESTED_DELIMITER}")}
    unknown += [f"environment variables {ENV_PREFIX}{key.upper()} and {ENV_PREFIX}ANALYSIS{NESTED_DELIMITER}"
                f"{key.upper()}: the same setting twice" for key in sorted(set(bare_env) & nested_env)]
    merged: dict[str, Any] = {}
    for layer in (bare_env, *layers):
        if layer is None:
            continue
        if not isinstance(layer, Mapping):
            raise ConfigurationError(f"settings must be a JSON object, got {type(layer).__name__}")
        for key, value in _nest({k: v for k, v in layer.items() if v is not None}, model).items():
            if key not in model.model_fields:
                unknown.append(f"setting {key}: no such setting{_suggestion(str(key), model, '.')}")
            elif key in NESTED and isinstance(value, Mapping):
                unknown += [f"setting {key}.{name}: no such setting{_suggestion(f'{key}.{name}', model, '.')}"
                            for name in value if name not in NESTED[key].model_fields]
                merged[key] = {**merged[key], **value} if isinstance(merged.get(key), dict) else dict(value)
            else:
                merged[key] = value
    if unknown:
        raise ConfigurationError("; ".join(unknown))
    try:
        return model(**merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"setting {'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')} (got {e.get('input')!r})"
            for e in exc.errors()
        )
        raise ConfigurationError(problems) from None


def _bare(model: type[Settings]) -> set[str]:
    """The thresholds that may be given by their bare name (no setting of their own)."""
    return set(AnalysisSettings.model_fields) - set(model.model_fields)


def _nest(layer: dict[str, Any], model: type[Settings]) -> dict[str, Any]:
    """One layer with the thresholds given by their bare names moved into ``analysis``."""
    bare = {key: layer.pop(key) for key in list(layer) if key in _bare(model)}
    nested = layer.get("analysis")
    if not bare or (nested is not None and not isinstance(nested, Mapping)):
        return {**layer, **bare}  # nothing to move, or pydantic names the bad analysis value
    twice = sorted(set(bare) & set(nested or {}))
    if twice:
        raise ConfigurationError(f"setting {twice[0]} is given twice: as {twice[0]} and as analysis.{twice[0]}")
    return {**layer, "analysis": {**(nested or {}), **bare}}


def _is_setting(name: str, model: type[Settings]) -> bool:
    """Whether an environment variable's name (lower case, without the prefix) is a setting."""
    if name in model.model_fields or name in _bare(model):
        return True
    head, _, tail = name.partition(NESTED_DELIMITER)
    if head in NESTED:
        return tail in NESTED[head].model_fields
    return bool(tail) and head in model.model_fields  # a key of a mapping (validation_freshness__<table>)


def _suggestion(key: str, model: type[Settings], delimiter: str, prefix: str = "", upper: bool = False) -> str:
    import difflib

    names = [*model.model_fields, *(f"{field}{delimiter}{name}" for field, nested in NESTED.items()
                                    for name in nested.model_fields)]
    close = difflib.get_close_matches(key, names, n=1)
    return f" (did you mean {prefix}{close[0].upper() if upper else close[0]}?)" if close else ""
