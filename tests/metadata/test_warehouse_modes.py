"""The three warehouse modes chosen by the connection, and the Data API's wire format
(botocore's Stubber validates every request and response against the service model)."""

from __future__ import annotations

import json
import re

import pytest
from botocore.stub import ANY, Stubber

from redshift_optimizer.errors import ConfigurationError, WarehouseError
from redshift_optimizer.settings import load_settings
from redshift_optimizer.warehouse import warehouse_from_connection
from redshift_optimizer.warehouse.connections import STATEMENT_TAG, DataApiWarehouse, DbApiWarehouse


@pytest.fixture()
def include_dir():
    return load_settings().resolved_include_dir()


@pytest.fixture()
def aws_region(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def _aws_connection(monkeypatch, name: str, extra: dict) -> None:
    monkeypatch.setenv(f"AIRFLOW_CONN_{name.upper()}", json.dumps({"conn_type": "aws", "extra": extra}))


def test_connection_type_chooses_the_mode(monkeypatch, include_dir, aws_region, airflow_db):
    monkeypatch.setenv("AIRFLOW_CONN_LOCAL", "postgres://u@127.0.0.1:5439/analytics")
    monkeypatch.setenv("AIRFLOW_CONN_SQL", "redshift://u:p@cluster.example:5439/analytics")
    _aws_connection(monkeypatch, "serverless", {"workgroup_name": "analytics-wg", "database": "analytics"})
    _aws_connection(monkeypatch, "provisioned", {"cluster_identifier": "cluster-1", "database": "dev", "db_user": "etl"})

    local = warehouse_from_connection("local", include_dir)
    assert isinstance(local, DbApiWarehouse) and (local.engine, local.database) == ("postgres", "analytics")
    sql = warehouse_from_connection("sql", include_dir)
    assert isinstance(sql, DbApiWarehouse) and (sql.engine, sql.database) == ("redshift", "analytics")
    serverless = warehouse_from_connection("serverless", include_dir)
    assert isinstance(serverless, DataApiWarehouse)
    assert serverless.target == {"workgroup_name": "analytics-wg"} and serverless.serverless is True
    provisioned = warehouse_from_connection("provisioned", include_dir)
    assert provisioned.target == {"cluster_identifier": "cluster-1", "db_user": "etl"}
    assert provisioned.serverless is False


@pytest.mark.parametrize("extra, message", [
    ({"database": "dev"}, "exactly one of cluster_identifier or workgroup_name"),
    ({"database": "dev", "workgroup_name": "w", "cluster_identifier": "c"}, "exactly one of"),
    ({"workgroup_name": "w"}, "set database"),
])
def test_a_data_api_connection_without_its_target_is_named(monkeypatch, include_dir, aws_region, airflow_db,
                                                           extra, message):
    _aws_connection(monkeypatch, "bad", extra)
    with pytest.raises(ConfigurationError, match=message) as error:
        warehouse_from_connection("bad", include_dir)
    assert "'bad'" in str(error.value)


def test_an_unknown_connection_type_is_named(monkeypatch, include_dir, airflow_db):
    monkeypatch.setenv("AIRFLOW_CONN_ODD", "mysql://u@h/db")
    with pytest.raises(ConfigurationError, match="type 'mysql'"):
        warehouse_from_connection("odd", include_dir)


def test_data_api_runs_a_named_statement_and_reads_every_page(monkeypatch, include_dir, aws_region, airflow_db):
    _aws_connection(monkeypatch, "serverless", {"workgroup_name": "analytics-wg", "database": "analytics"})
    warehouse = warehouse_from_connection("serverless", include_dir)
    warehouse.poll_interval = 0
    client = warehouse.hook.conn
    with Stubber(client) as stub:
        stub.add_response(
            "execute_statement", {"Id": "stmt-1"},
            {"Sql": ANY, "Database": "analytics", "WorkgroupName": "analytics-wg", "WithEvent": False,
             "Parameters": [{"name": "schemas", "value": "tpch"}]},
        )
        stub.add_response("describe_statement", {"Id": "stmt-1", "Status": "STARTED"}, {"Id": "stmt-1"})
        stub.add_response("describe_statement", {"Id": "stmt-1", "Status": "FINISHED"}, {"Id": "stmt-1"})
        columns = [{"name": "schema_name"}, {"name": "table_name"}, {"name": "tbl_rows"},
                   {"name": "skew_rows"}, {"name": "sortkey1"}]
        stub.add_response("get_statement_result", {
            "ColumnMetadata": columns, "TotalNumRows": 2, "NextToken": "page-2",
            "Records": [[{"stringValue": "tpch"}, {"stringValue": "orders"}, {"longValue": 300000},
                         {"doubleValue": 21.9}, {"isNull": True}]],
        }, {"Id": "stmt-1"})
        stub.add_response("get_statement_result", {
            "ColumnMetadata": columns, "TotalNumRows": 2,
            "Records": [[{"stringValue": "tpch"}, {"stringValue": "region"}, {"longValue": 5},
                         {"isNull": True}, {"stringValue": "r_regionkey"}]],
        }, {"Id": "stmt-1", "NextToken": "page-2"})
        rows = warehouse.run("catalog_tables", {"schemas": "tpch"})
        stub.assert_no_pending_responses()
    assert rows == [
        {"schema_name": "tpch", "table_name": "orders", "tbl_rows": 300000, "skew_rows": 21.9, "sortkey1": None},
        {"schema_name": "tpch", "table_name": "region", "tbl_rows": 5, "skew_rows": None, "sortkey1": "r_regionkey"},
    ]
    assert warehouse.round_trips == 1


def test_data_api_sends_the_tagged_file_text_with_colon_parameters(monkeypatch, include_dir, aws_region, airflow_db):
    _aws_connection(monkeypatch, "provisioned", {"cluster_identifier": "cluster-1", "database": "dev", "secret_arn": "arn:s"})
    warehouse = warehouse_from_connection("provisioned", include_dir)
    sent = {}

    def capture(**kwargs):
        sent.update(kwargs)
        raise RuntimeError("stop here")

    monkeypatch.setattr(warehouse.hook, "execute_query", capture)
    with pytest.raises(WarehouseError, match="connection 'provisioned'"):
        warehouse.run("slow_queries", {"window_start": "2026-05-20 00:00:00", "window_end": "2026-05-21 00:00:00",
                                       "threshold_us": 5_000_000, "limit": 10})
    assert sent["sql"].startswith(STATEMENT_TAG) and ":window_start" in sent["sql"]
    assert sent["cluster_identifier"] == "cluster-1" and sent["secret_arn"] == "arn:s"
    assert {p["name"] for p in sent["parameters"]} == {"window_start", "window_end", "threshold_us", "limit"}
    assert all(isinstance(p["value"], str) for p in sent["parameters"])


def test_a_failed_data_api_statement_reports_redshifts_error(monkeypatch, include_dir, aws_region, airflow_db):
    _aws_connection(monkeypatch, "serverless", {"workgroup_name": "analytics-wg", "database": "analytics"})
    warehouse = warehouse_from_connection("serverless", include_dir)
    with Stubber(warehouse.hook.conn) as stub:
        stub.add_response("execute_statement", {"Id": "stmt-2"}, None)
        stub.add_response("describe_statement",
                          {"Id": "stmt-2", "Status": "FAILED", "Error": 'column "x" does not exist'}, None)
        with pytest.raises(WarehouseError, match='column "x" does not exist'):
            warehouse.query("SELECT x FROM svv_table_info")


def test_data_api_cancels_a_statement_past_its_budget(monkeypatch, include_dir, aws_region, airflow_db):
    _aws_connection(monkeypatch, "serverless", {"workgroup_name": "analytics-wg", "database": "analytics"})
    warehouse = warehouse_from_connection("serverless", include_dir)
    warehouse.poll_interval = 0
    with Stubber(warehouse.hook.conn) as stub:
        stub.add_response("execute_statement", {"Id": "stmt-3"}, None)
        stub.add_response("describe_statement", {"Id": "stmt-3", "Status": "STARTED"}, {"Id": "stmt-3"})
        stub.add_response("cancel_statement", {"Status": True}, {"Id": "stmt-3"})
        with pytest.raises(WarehouseError, match="stmt-3 cancelled after its budget of 0 s") as error:
            warehouse.query("SELECT set_config('statement_timeout', '0', false), pg_sleep(60)", timeout_s=0)
        stub.assert_no_pending_responses()
    assert error.value.failure.error_class.value == "timeout"


def test_data_api_permission_errors_name_the_missing_grant(monkeypatch, include_dir, aws_region, airflow_db):
    _aws_connection(monkeypatch, "provisioned", {"cluster_identifier": "c-1", "database": "dev", "db_user": "optimizer"})
    warehouse = warehouse_from_connection("provisioned", include_dir)
    with Stubber(warehouse.hook.conn) as stub:
        stub.add_response("execute_statement", {"Id": "stmt-4"}, None)
        stub.add_response("describe_statement", {"Id": "stmt-4", "Status": "FAILED",
                                                 "Error": "ERROR: permission denied for relation sys_query_history"},
                          None)
        with pytest.raises(WarehouseError, match=r'missing: GRANT ROLE sys:monitor TO "optimizer"') as error:
            warehouse.run("slow_queries", {"window_start": "2026-05-20 00:00:00", "window_end": "2026-05-21 00:00:00",
                                           "threshold_us": 5_000_000, "limit": 10})
        assert error.value.failure.error_class.value == "permission"
        stub.add_client_error("execute_statement", "AccessDeniedException",
                              "User: arn:aws:sts::1:assumed-role/mwaa is not authorized to perform: "
                              "redshift-data:ExecuteStatement")
        with pytest.raises(WarehouseError, match="missing: IAM permission redshift-data:ExecuteStatement"):
            warehouse.query("SELECT 1")


def test_data_api_logs_each_statement_with_its_file_id_duration_and_rows(monkeypatch, include_dir, aws_region,
                                                                        airflow_db, caplog):
    import logging

    _aws_connection(monkeypatch, "serverless", {"workgroup_name": "analytics-wg", "database": "analytics"})
    warehouse = warehouse_from_connection("serverless", include_dir)
    warehouse.poll_interval = 0
    caplog.set_level(logging.INFO, logger="redshift_optimizer.warehouse")
    with Stubber(warehouse.hook.conn) as stub:
        stub.add_response("execute_statement", {"Id": "stmt-5"}, None)
        stub.add_response("describe_statement", {"Id": "stmt-5", "Status": "FINISHED", "HasResultSet": True,
                                                 "ResultRows": 1}, {"Id": "stmt-5"})
        stub.add_response("get_statement_result", {"ColumnMetadata": [{"name": "pid"}], "TotalNumRows": 1,
                                                   "Records": [[{"longValue": 7}]]}, {"Id": "stmt-5"})
        stub.add_response("execute_statement", {"Id": "stmt-6"}, None)
        stub.add_response("describe_statement", {"Id": "stmt-6", "Status": "FINISHED", "HasResultSet": False,
                                                 "ResultRows": 3}, {"Id": "stmt-6"})
        assert warehouse.run("session_backend_pid") == [{"pid": 7}]
        assert warehouse.query("DELETE FROM t WHERE x = 1") == []
        stub.assert_no_pending_responses()  # no GetStatementResult for a statement without a result set
    lines = [r.getMessage() for r in caplog.records if r.name == "redshift_optimizer.warehouse"]
    assert lines[0] == "running sql/redshift/session_backend_pid.sql on serverless (Data API statement stmt-5) …"
    assert re.fullmatch(r"finished sql/redshift/session_backend_pid\.sql on serverless \(Data API statement stmt-5\) "
                        r"in \d+\.\d\d s: 1 row", lines[1]), lines
    assert re.fullmatch(r"finished inline DELETE statement \(sha1 [0-9a-f]{10}\) on serverless "
                        r"\(Data API statement stmt-6\) in \d+\.\d\d s: no result set, 3 rows affected", lines[3]), lines


def test_data_api_sends_an_empty_parameter_as_a_literal(monkeypatch, include_dir, aws_region, airflow_db):
    """The Data API refuses an empty parameter value; the snapshot of all schemas passes one."""
    _aws_connection(monkeypatch, "serverless", {"workgroup_name": "analytics-wg", "database": "analytics"})
    warehouse = warehouse_from_connection("serverless", include_dir)
    warehouse.poll_interval = 0
    sent = {}
    with Stubber(warehouse.hook.conn) as stub:
        stub.add_response("execute_statement", {"Id": "stmt-7"}, None)
        stub.add_response("describe_statement", {"Id": "stmt-7", "Status": "FINISHED", "HasResultSet": True},
                          {"Id": "stmt-7"})
        stub.add_response("get_statement_result", {"ColumnMetadata": [], "TotalNumRows": 0, "Records": []},
                          {"Id": "stmt-7"})
        warehouse.hook.conn.meta.events.register("provide-client-params.redshift-data.ExecuteStatement",
                                                 lambda params, **kwargs: sent.update(params))
        assert warehouse.run("catalog_tables", {"schemas": ""}) == []
    assert "Parameters" not in sent and ":schemas" not in sent["Sql"]
    assert "('' = '' OR ',' || '' || ','" in sent["Sql"]
