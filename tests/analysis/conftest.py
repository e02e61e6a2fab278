"""Fixtures of the analyzer tests: a small synthetic schema snapshot and helpers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redshift_optimizer.models.lake import SchemaSnapshot

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def snapshot() -> SchemaSnapshot:
    """Large public.sales/orders and analytics.events, small customers, tiny price_periods."""
    return SchemaSnapshot.model_validate(json.loads((HERE / "snapshot.json").read_text()))


@pytest.fixture(scope="session")
def tpch_snapshot() -> SchemaSnapshot:
    """The TPC-H tables at scale 10 with the demo warehouse's design (see tpch_snapshot.py)."""
    from tests.analysis.tpch_snapshot import tpch_snapshot as build

    return build()
