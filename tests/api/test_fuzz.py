"""Schema-based fuzzing (schemathesis) of every endpoint of the OpenAPI document, against
the running API on the real stack: no input gives a 5xx, and the answers match the
document (status codes, content types, response schemas, headers).

While it runs, the ad-hoc DAG is paused: a generated query that parses does start a job,
which stays queued instead of loading the machine.

(schemathesis' own pytest integration does not run under pytest 9 yet, so each operation's
hypothesis strategy is driven here directly.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance

from tests.api.stack import API_KEY, INGEST_TOKEN

pytestmark = pytest.mark.stack

DAG = "redshift_adhoc_optimization"
OPERATIONS = [
    ("POST", "/optimize/redshift"), ("GET", "/jobs/{job_id}"), ("GET", "/history"),
    ("GET", "/history/{query_hash}"), ("GET", "/metadata/schema"), ("GET", "/metadata/data-profile"),
    ("POST", "/ingest/bedrock"), ("GET", "/health"), ("GET", "/ready"),
]
EXAMPLES = 100
# A schema-valid body is not always acceptable: the SQL must parse as Redshift SQL, an
# ingested query_hash must be the text's fingerprint, a page limit obeys a setting. Those
# answers are deliberate 4xx, so "schema-valid data must be accepted" is not checked.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture(scope="module")
def api_schema(api_server, airflow_server):
    airflow_server.call("PATCH", f"/dags/{DAG}", {"is_paused": True})
    try:
        yield schemathesis.openapi.from_url(f"{api_server.url}/openapi.json")
    finally:
        airflow_server.delete_runs(DAG, state="queued")  # what the fuzzer started must not run later
        airflow_server.call("PATCH", f"/dags/{DAG}", {"is_paused": False})


def test_every_endpoint_is_fuzzed(api_schema):
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_input_gives_a_server_error(api_schema, method, path):
    operation = api_schema[path][method]
    credentials = ({"Authorization": f"Bearer {INGEST_TOKEN}"} if path == "/ingest/bedrock"
                   else {"X-API-Key": API_KEY})

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(headers=credentials, excluded_checks=EXCLUDED)
        assert not_a_server_error in schemathesis.checks.CHECKS.get_all()

    call()
