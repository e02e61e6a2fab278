"""Never analyse nothing silently, and severity from the evidence: statements the parser can
only keep as opaque commands are reported with position and reason; the query inside PREPARE
is analysed; sqlglot's fallback warnings stay off stderr; with statistics, severity follows
the time at stake."""

from __future__ import annotations

import json

from redshift_optimizer import cli
from redshift_optimizer.analysis import analyze
from redshift_optimizer.models.lake import SlowQuery

ACLITEM = "CREATE VIEW v AS SELECT defaclobjtype FROM pg_default_acl b WHERE b.defaclacl = '{}'::aclitem[];"


def test_unknown_syntax_is_reported_not_analysed_with_position():
    result = analyze("SELECT 1;\n" + ACLITEM)
    assert [i.statement for i in result.not_analysed] == [2]
    item = result.not_analysed[0]
    assert "aclitem[]" in item.reason and item.kind == "CREATE"
    assert (item.line, item.col) == (2, ACLITEM.index("::") + 1)


def test_prepare_is_analysed_inside(snapshot):
    result = analyze("PREPARE recent (int) AS SELECT * FROM sales WHERE customer_id = $1 LIMIT 5", snapshot=snapshot)
    assert not result.not_analysed
    assert {"Q001", "Q017"} <= {f.code for f in result.findings}


def test_utility_statements_are_not_called_unanalysed():
    assert not analyze("VACUUM sales; ANALYZE sales; GRANT SELECT ON sales TO bob").not_analysed


def test_fallback_warnings_do_not_reach_stderr(capfd):
    analyze("PREPARE p AS SELECT 1 FROM t WHERE x = '{}'::aclitem[]")
    assert "Falling back" not in capfd.readouterr().err


def test_lint_and_analyze_report_it(tmp_path, capsys):
    path = tmp_path / "acl.sql"
    path.write_text(ACLITEM)
    assert cli.main(["lint", str(path)]) == cli.EXIT_OK
    assert f"{path}:1:" in capsys.readouterr().out
    assert cli.main(["lint", "--fail-on-unanalysed", str(path)]) == cli.EXIT_NOT_ANALYSED
    capsys.readouterr()
    assert cli.main(["analyze", "--format", "json", str(path)]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["not_analysed"][0]["kind"] == "CREATE"
    cli.main(["analyze", str(path)])
    assert "not analysed:" in capsys.readouterr().out


def test_help_documents_the_exit_code_policy(capsys):
    try:
        cli.main(["lint", "--help"])
    except SystemExit:
        pass
    assert "--fail-on-unanalysed" in capsys.readouterr().out


def _stats(total_ms):
    return SlowQuery.model_validate({"query_hash": "h", "fingerprint": "x", "query_text": "x", "executions": 10,
                                     "total_elapsed_ms": total_ms})


def test_severity_follows_the_time_at_stake(snapshot):
    sql = "SELECT 1 FROM analytics.events e JOIN orders o ON o.customer_id = e.user_id WHERE e.event_ts > '2026-01-01'"
    def severity(stats):
        return next(f for f in analyze(sql, snapshot=snapshot, stats=stats).findings if f.code == "Q011").severity.value
    assert severity(None) == "HIGH"
    assert severity(_stats(5_000)) == "LOW"
    assert severity(_stats(300_000)) == "MEDIUM"
    sql = "SELECT amount FROM sales WHERE channel = 'x'"
    assert next(f for f in analyze(sql, snapshot=snapshot, stats=_stats(7_200_000)).findings
                if f.code == "Q010").severity.value == "HIGH"


def test_an_aggregate_repeated_in_order_by_is_one_finding(snapshot):
    sql = ("SELECT COUNT(DISTINCT customer_id) AS n FROM sales WHERE sale_date > '2026-01-01' "
           "ORDER BY COUNT(DISTINCT customer_id)")
    assert [f.code for f in analyze(sql, snapshot=snapshot).findings].count("Q008") == 1
