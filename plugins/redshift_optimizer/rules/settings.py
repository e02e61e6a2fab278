"""Thresholds and prices of the rule engine, with the defaults of shared/docs/finding-codes.md.

Declared here only: the product's :class:`~redshift_optimizer.settings.Settings` holds them
as its nested ``analysis`` model (settable from the Airflow Variable, a run's params and
``REDSHIFT_OPTIMIZER_ANALYSIS__<NAME>``), and the analyzer runs on them without Airflow or
environment. ``AnalysisSettings.from_settings`` gives the product's.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AnalysisSettings(BaseModel):
    """Every threshold a rule uses. Names say which rule reads them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # "Large" and "small" tables (Q001, Q003, Q004, Q008-Q011, Q018, Q019, T003, T012, T013).
    large_table_rows: int = Field(10_000_000, ge=0)
    small_table_rows: int = Field(3_000_000, ge=0)

    # Table design (T rules); the figures are those of AWS's own review tooling.
    missing_sortkey_min_rows: int = Field(5_000_000, ge=0, description="T001")
    dist_skew_max: float = Field(4.0, gt=0, description="T002: skew_rows at or above this")
    all_dist_max_rows_without_workload: int = Field(1_000_000, ge=0, description="T003")
    encoded_columns_min_ratio: float = Field(0.8, ge=0, le=1, description="T004")
    stats_off_max: float = Field(10.0, ge=0, description="T006: stats_off above this")
    unsorted_pct_max: float = Field(20.0, ge=0, description="T007: unsorted_pct above this")
    vacuum_sort_benefit_min: float = Field(10.0, ge=0, description="T007")
    oversized_varchar_min_length: int = Field(1000, ge=1, description="T008")
    oversized_varchar_used_ratio: float = Field(0.25, gt=0, le=1, description="T008")
    ghost_rows_max_ratio: float = Field(0.10, ge=0, le=1, description="T011")
    null_distkey_max_ratio: float = Field(0.10, ge=0, le=1, description="T015")

    # Severity from the time at stake, when the query's statistics are given (every Q rule
    # but the correctness ones): under the first threshold a finding is at most LOW, under the
    # second at most MEDIUM; above the third a MEDIUM cost finding becomes HIGH.
    low_stakes_total_ms: float = Field(60_000, ge=0, description="Q severity: at most LOW below 1 minute in total")
    medium_stakes_total_ms: float = Field(600_000, ge=0, description="Q severity: at most MEDIUM below 10 minutes")
    high_stakes_total_ms: float = Field(3_600_000, ge=0, description="Q severity: MEDIUM cost findings HIGH above 1 hour")

    # Workload (C rules).
    repeated_query_min_executions: int = Field(10, ge=1, description="C001")
    repeated_query_min_total_ms: float = Field(600_000, ge=0, description="C001: 10 minutes")
    repeated_query_high_total_ms: float = Field(3_600_000, ge=0, description="C001: HIGH above 1 hour")
    unused_table_min_mb: float = Field(1024, ge=0, description="C002")
    queue_time_min_ratio: float = Field(0.20, ge=0, le=1, description="C003")
    queue_time_min_total_ms: float = Field(60_000, ge=0, description="C003")
    large_result_min_rows: int = Field(1_000_000, ge=1, description="C005")

    # Prices for the savings of C findings. Serverless: RPU-hours at the base capacity;
    # provisioned: node-hours (set both node fields to use them instead).
    price_per_rpu_hour: float = Field(0.375, ge=0, description="USD, us-east-1 list price")
    base_rpu: int = Field(8, ge=1, description="RPUs a query keeps busy while it runs")
    price_per_node_hour: float | None = Field(None, ge=0)
    node_count: int | None = Field(None, ge=1)
    storage_price_per_gb_month: float = Field(0.024, ge=0, description="managed storage, USD")

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> "AnalysisSettings":
        """The analyzer's settings of the product's Settings (its ``analysis``), or of any
        object carrying some of the fields by name; ``overrides`` on top."""
        nested = getattr(settings, "analysis", None)
        if isinstance(nested, cls):
            return cls(**{**nested.model_dump(), **overrides}) if overrides else nested
        given = {name: getattr(settings, name) for name in cls.model_fields if getattr(settings, name, None) is not None}
        return cls(**{**given, **overrides})

    def price_per_second(self) -> float:
        """What one second of query time costs at the configured prices."""
        if self.price_per_node_hour is not None and self.node_count is not None:
            return self.price_per_node_hour * self.node_count / 3600.0
        return self.price_per_rpu_hour * self.base_rpu / 3600.0


__all__ = ["AnalysisSettings"]
