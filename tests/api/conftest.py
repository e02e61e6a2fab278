"""Fixtures of the API tests, on the real local stack (see tests/api/stack.py):

- ``seeded_lake``: today's metadata (snapshot, profile, slow queries, latest schema.json)
  written under the ``api`` key prefix by the metadata refresh's own steps, read from the
  demo warehouse after its workload ran;
- ``airflow_server``: a real Airflow (``airflow api-server``, ``scheduler`` and
  ``dag-processor`` with the project's dags folder, LocalExecutor, metadata DB in the
  local PostgreSQL), for the REST path end to end;
- ``api_server``: the API itself under uvicorn on 127.0.0.1, wired to that Airflow, the
  local AWS endpoint and the seeded lake.
"""

from __future__ import annotations

import pytest

from tests.api.stack import product_settings as _product_settings
from tests.api.stack import seed_lake, start_airflow, start_api


def product_settings() -> dict:
    """The tests' settings Variable, scaled to the test warehouse."""
    from tests.conftest import DEMO_SCALE

    return _product_settings(DEMO_SCALE)


@pytest.fixture(scope="session")
def seeded_lake(aws, warehouse_connection, demo_dsn):
    """Today's lake objects under the ``api`` prefix, written by the refresh's own steps."""
    return seed_lake(product_settings(), warehouse_connection)


@pytest.fixture(scope="session")
def airflow_server(local_postgres, demo_dsn, aws, seeded_lake):
    """A real Airflow serving the project's DAGs, on a free port."""
    from tests.conftest import STATE

    processes = start_airflow(STATE / "api-airflow", local_postgres, demo_dsn, aws.url, product_settings())
    yield processes
    processes.stop()


@pytest.fixture(scope="session")
def api_server(airflow_server):
    """The API on a free port, against the real Airflow, S3 and DynamoDB."""
    server = start_api(airflow_server.url)
    yield server
    server.stop()
