"""The product's settings: one pydantic-settings class, every field with a default.

Sources, strongest first: explicit overrides (DAG params, the Airflow Variable
``redshift_optimizer``), environment variables prefixed ``REDSHIFT_OPTIMIZER_``, defaults.
A bad value fails with a message that names the setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from redshift_optimizer.errors import ConfigurationError

ENV_PREFIX = "REDSHIFT_OPTIMIZER_"
PACKAGE_DIR = Path(__file__).resolve().parent


class Settings(BaseSettings):
    """Every knob of the product, with the defaults of the finding-code document."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    # Where things are.
    warehouse_conn_id: str = Field("redshift_default", description="Airflow connection of the warehouse")
    aws_conn_id: str = Field("aws_default", description="Airflow connection for S3, SNS, CloudWatch")
    bucket: str = Field("redshift-optimizer-metadata", description="S3 bucket of the metadata lake")
    key_prefix: str = Field("", description="optional key prefix inside the bucket")
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

    # Finding thresholds (shared/docs/finding-codes.md).
    large_table_rows: int = Field(10_000_000, ge=0)
    small_table_rows: int = Field(3_000_000, ge=0)

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

    def lake_key(self, key: str) -> str:
        """A lake key with the configured prefix."""
        prefix = self.key_prefix.strip("/")
        return f"{prefix}/{key}" if prefix else key


def load_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """Settings from overrides, the environment and defaults; a bad value names the setting."""
    clean = {k: v for k, v in (overrides or {}).items() if v is not None}
    try:
        return Settings(**clean)
    except ValidationError as exc:
        problems = "; ".join(
            f"setting {'.'.join(map(str, e['loc']))}: {e['msg']} (got {e.get('input')!r})"
            for e in exc.errors()
        )
        raise ConfigurationError(problems) from None
