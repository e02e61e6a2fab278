"""Refused statements are described by class, SQLSTATE and the missing grant, never by the
warehouse's text; permission errors name the grant or IAM action that is missing."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from redshift_optimizer.warehouse.errors import ErrorClass, classify, classify_text, missing_grant

USER = '"optimizer"'


class _Psycopg2Error(Exception):
    def __init__(self, text: str, pgcode: str):
        super().__init__(text)
        self.pgcode = pgcode


class _Psycopg3Error(Exception):
    def __init__(self, text: str, sqlstate: str):
        super().__init__(text)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("error, expected, sqlstate", [
    (_Psycopg2Error('invalid input syntax for type integer: "root:x:0:0:root:/root:/bin/bash"', "22P02"),
     ErrorClass.OTHER, "22P02"),
    (_Psycopg3Error("syntax error at or near \"FORM\"", "42601"), ErrorClass.SYNTAX, "42601"),
    (_Psycopg3Error('relation "tpch.x" does not exist', "42P01"), ErrorClass.SYNTAX, "42P01"),
    (_Psycopg3Error("permission denied for table lineitem", "42501"), ErrorClass.PERMISSION, "42501"),
    (_Psycopg3Error("canceling statement due to statement timeout", "57014"), ErrorClass.TIMEOUT, "57014"),
    (_Psycopg3Error("cannot execute DELETE in a read-only transaction", "25006"), ErrorClass.PERMISSION, "25006"),
    # redshift_connector: the error response's fields as a dict
    (Exception({"S": "ERROR", "C": "42501", "M": "permission denied for relation svv_table_info"}),
     ErrorClass.PERMISSION, "42501"),
    (Exception({"S": "ERROR", "C": "XX000", "M": "Invalid digit, Value 'r', Pos 0"}), ErrorClass.OTHER, "XX000"),
    # the Data API's text only
    (Exception("ERROR: Query (1234) cancelled on user's request"), ErrorClass.TIMEOUT, None),
    (Exception("ERROR: syntax error at or near \"SELEC\""), ErrorClass.SYNTAX, None),
    (Exception("ERROR: Invalid digit, Value 'r', Pos 0, Type: Integer"), ErrorClass.OTHER, None),
])
def test_errors_are_classified_by_sqlstate_or_text(error, expected, sqlstate):
    failure = classify(error, USER)
    assert (failure.error_class, failure.sqlstate) == (expected, sqlstate)
    summary = failure.summary()
    assert "root:" not in summary and "Value 'r'" not in summary and "FORM" not in summary


@pytest.mark.parametrize("text, grant", [
    ("permission denied for relation sys_query_history", f"GRANT ROLE sys:monitor TO {USER}"),
    ("permission denied for relation svv_table_info", f"GRANT ROLE sys:monitor TO {USER}"),
    ("permission denied for relation stl_query", f"GRANT ROLE sys:monitor TO {USER}"),
    ("permission denied for table lineitem", f"GRANT SELECT ON <schema>.lineitem TO {USER}"),
    ("permission denied for relation analytics.orders", f"GRANT SELECT ON analytics.orders TO {USER}"),
    ("permission denied for schema analytics", f"GRANT USAGE ON SCHEMA analytics TO {USER}"),
    ("permission denied for schema redshift_system", f"GRANT ROLE sys:monitor TO {USER}"),
    ("must be superuser to read this view", f"GRANT ROLE sys:monitor TO {USER}"),
    ("permission denied for database dev", f"GRANT CONNECT ON DATABASE dev TO {USER}"),
])
def test_permission_errors_name_the_grant(text, grant):
    failure = classify_text(f"ERROR: {text}", USER)
    assert failure.error_class is ErrorClass.PERMISSION
    assert failure.missing.startswith(grant), failure.missing


def test_a_denied_data_api_call_names_the_iam_action():
    error = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, "ExecuteStatement")
    failure = classify(error, USER)
    assert failure.error_class is ErrorClass.PERMISSION
    assert failure.missing == "IAM permission redshift-data:ExecuteStatement for the AWS identity of the connection"
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not authorized to GetCredentials"}},
                         "DescribeStatement")
    assert "redshift-serverless:GetCredentials" in classify(denied, USER).missing
    assert "redshift-data:DescribeStatement" in classify(denied, USER).missing


def test_only_identifiers_are_taken_from_a_permission_message():
    assert missing_grant('permission denied for table "x; DROP TABLE y"', USER) is None
    assert missing_grant('permission denied for table "Orders"', USER) == f'GRANT SELECT ON <schema>."Orders" TO {USER}'


@pytest.mark.stack
def test_profiling_a_table_without_select_names_the_grant(verifier, probe_schema):
    """The profiling path (the product's own statement), as a user without SELECT."""
    from redshift_optimizer.errors import WarehouseError

    with pytest.raises(WarehouseError) as error:
        verifier.run("profile_table", {"sample_fraction": 1.0},
                     template={"table": f'"{probe_schema}"."secret"', "column_aggregates": ""})
    assert error.value.failure.error_class is ErrorClass.PERMISSION
    assert 'missing: GRANT SELECT ON <schema>.secret TO "optimizer_verifier"' in str(error.value)
