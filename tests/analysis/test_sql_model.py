"""The query model (``redshift_optimizer.sql``) stands on its own: the rules and the rewrites
import it, it imports neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

import redshift_optimizer.sql as sql_package
from redshift_optimizer.sql.normalize import normalize
from redshift_optimizer.sql.parsing import parse
from redshift_optimizer.sql.positions import SourceText
from redshift_optimizer.sql.query import Query

PACKAGE = Path(sql_package.__file__).parent
FORBIDDEN = ("redshift_optimizer.rules", "redshift_optimizer.rewrite")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):  # function-local imports too
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: inside redshift_optimizer.sql or above it
                parts = ["redshift_optimizer", "sql"][: max(2 - node.level + 1, 0)]
                base = ".".join([*parts, base] if base else parts)
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return names


def test_no_module_of_the_query_model_imports_a_rule_or_a_rewrite():
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 6, modules
    offending = {
        path.name: [name for name in _imports(path) if name.startswith(FORBIDDEN)]
        for path in modules
    }
    assert not {name: found for name, found in offending.items() if found}, offending


def test_the_rules_context_and_the_rewrites_read_one_query_model():
    from redshift_optimizer.rules.query_context import QueryContext

    sql = "DELETE FROM Sales USING customers c WHERE sales.customer_id = c.customer_id AND c.region = 'EU'"
    ctx = QueryContext(sql, sqlglot.parse_one(sql, read="redshift"))
    assert isinstance(ctx.query, Query) and ctx.statement is ctx.query.statement
    assert isinstance(ctx.original, exp.Delete) and isinstance(ctx.statement, exp.Select)
    assert sorted(s.name for s in ctx.base_reads()) == ["customers", "sales"]  # folded: Sales is sales
    region = next(c for c in ctx.statement.find_all(exp.Column) if c.name == "region")
    assert ctx.source_of(region).alias == "c"
    predicate = region.parent
    position = ctx.locate(predicate)
    assert position is not None
    assert (position.line, position.column) == ctx.position(predicate) == (1, sql.index("c.region") + 1)
    assert position.fragment == ctx.fragment(predicate) == "c.region = 'EU'"


def test_normalization_passes_unwrap_commands_with_their_positions():
    sql = "UNLOAD ('SELECT o_orderkey FROM Orders WHERE o_comment = ''x''') TO 's3://b/p' IAM_ROLE default"
    tree = normalize(sql, sqlglot.parse_one(sql, read="redshift"))
    assert isinstance(tree, exp.Select)
    assert tree.find(exp.Table).name == "orders"
    literal = tree.find(exp.Literal)
    assert SourceText(sql).fragment(literal) == "''x''"


def test_a_tree_built_in_code_has_no_positions_and_fragments_are_regenerated():
    built = exp.GT(this=exp.column("a", table="t"), expression=exp.Literal.number(1))
    text = SourceText("SELECT a FROM t WHERE t.a > 1")
    assert text.locate(built) is None and text.position(built) == (None, None)
    assert text.fragment(built) == "t.a > 1"


def _shape(tree):
    return [(type(n).__name__, n.sql(dialect="redshift"), (n.meta or {}).get("start"), (n.meta or {}).get("end"))
            for n in tree.walk()]


@pytest.mark.parametrize("text", [
    "SELECT i FROM analytics.events e, e.items i",          # SUPER navigation: the parser's UNNEST
    "SELECT i FROM analytics.events AS e, e.items AS i, i.tags AS t",
    "SELECT 1 FROM a JOIN b ON a.k = b.k, b.items AS i",   # navigation of a relation joined with ON
    "SELECT 1 FROM tpch.orders, tpch.lineitem WHERE o_orderkey = l_orderkey",
    "SELECT * FROM (SELECT * FROM s.t, s.u) AS x, x.items",
    "UPDATE sales SET amount = 0 FROM orders o, o.lines l WHERE o.id = sales.id",
    "SELECT 1; SELECT i FROM e, e.items i",
])
def test_parse_gives_the_parsers_own_trees(text):
    ours = parse(text)
    theirs = sqlglot.parse(text, read="redshift")
    assert [_shape(t) for t in ours] == [_shape(t) for t in theirs]
    # The pass is only off inside parse: sqlglot's own callers still get UNNEST.
    assert isinstance(sqlglot.parse_one("SELECT i FROM e, e.items i", read="redshift").args["joins"][0].this,
                      exp.Unnest)


def test_parse_reports_the_parsers_errors():
    for text in ("SELECT 1 FROM", "SELECT (1", "SELECT 'open"):
        with pytest.raises(Exception) as theirs:
            sqlglot.parse(text, read="redshift")
        with pytest.raises(type(theirs.value)) as ours:
            parse(text)
        assert str(ours.value) == str(theirs.value)


def test_a_table_is_found_by_its_schema_or_by_a_bare_name_one_schema_holds():
    from redshift_optimizer.models.lake import SchemaSnapshot, SnapshotSource, TableSnapshot

    snapshot = SchemaSnapshot(extract_timestamp="2026-12-01T00:00:00Z", schema_version="1",
                              source=SnapshotSource(engine="redshift", database="dev"), tables=[
        TableSnapshot(table_name="demo_local.orders"), TableSnapshot(table_name="demo_local.lineitem"),
        TableSnapshot(table_name="public.lineitem")])
    assert snapshot.table("DEMO_LOCAL.Orders").table_name == "demo_local.orders"
    assert snapshot.table("dev.demo_local.orders").table_name == "demo_local.orders"
    assert snapshot.table("orders").table_name == "demo_local.orders"
    # Another schema's table of the same name is not it; a bare name two schemas hold is ambiguous.
    assert snapshot.table("demo_master.orders") is None
    assert snapshot.table("lineitem") is None
