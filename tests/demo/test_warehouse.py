"""The demo warehouse on a real PostgreSQL: sizes, determinism, idempotence, recorded design."""

from __future__ import annotations

import time

import pytest

from local.demo.warehouse import (
    demo_table_designs,
    generation_parameters,
    load_demo_warehouse,
    table_checksum,
)

from .conftest import TINY_SCALE

TABLES = [d.qualified_name for d in demo_table_designs()]


def _checksums(conn) -> dict[str, tuple[int, str]]:
    return {table: table_checksum(conn, table) for table in TABLES}


def _rows(conn, sql: str, params: dict | None = None) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_tables_have_tpch_cardinalities(tiny_warehouse, demo_conn):
    params = generation_parameters(TINY_SCALE)
    counts = {table: table_checksum(demo_conn, table)[0] for table in TABLES}

    assert counts["tpch.region"] == 5
    assert counts["tpch.nation"] == 25
    assert counts["tpch.supplier"] == params["suppliers"] == 100
    assert counts["tpch.customer"] == 1_500
    assert counts["tpch.part"] == 2_000
    assert counts["tpch.partsupp"] == 8_000
    assert counts["tpch.orders"] == 15_000
    # 1 to 7 lines per order, 4 on average: about 6M x SF.
    assert 55_000 < counts["tpch.lineitem"] < 65_000


def test_default_scale_has_over_a_million_lineitem_rows():
    orders = generation_parameters(0.2)["orders"]

    assert orders == 300_000
    assert orders * 4 > 1_000_000


def test_a_second_load_at_the_same_scale_does_nothing(tiny_warehouse, demo_conn):
    before = _checksums(demo_conn)

    summary = load_demo_warehouse(demo_conn, scale=TINY_SCALE)

    assert summary["status"] == "unchanged"
    assert {t: s["rows"] for t, s in summary["tables"].items()} == {t: c[0] for t, c in before.items()}
    assert _checksums(demo_conn) == before


def test_the_same_scale_always_gives_the_same_bytes(tiny_warehouse, demo_conn):
    first = _checksums(demo_conn)

    other = load_demo_warehouse(demo_conn, scale=0.005)
    again = load_demo_warehouse(demo_conn, scale=TINY_SCALE)

    assert other["status"] == again["status"] == "loaded"
    assert other["tables"]["tpch.orders"]["rows"] == 7_500
    assert _checksums(demo_conn) == first
    forced = load_demo_warehouse(demo_conn, scale=TINY_SCALE, rebuild=True)
    assert forced["status"] == "loaded"
    assert _checksums(demo_conn) == first


def test_primary_keys_are_declared_where_the_ddl_declares_them(tiny_warehouse, demo_conn):
    keys = dict(
        _rows(
            demo_conn,
            """SELECT tc.table_name, string_agg(k.column_name, ',' ORDER BY k.ordinal_position)
               FROM information_schema.table_constraints tc
               JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
               WHERE tc.table_schema = 'tpch' AND tc.constraint_type = 'PRIMARY KEY'
               GROUP BY tc.table_name""",
        )
    )

    assert keys["lineitem"] == "l_orderkey,l_linenumber"
    assert keys["partsupp"] == "ps_partkey,ps_suppkey"
    assert "nation" not in keys  # T014 on purpose


def test_recorded_design_matches_the_ddl(tiny_warehouse, demo_conn):
    tables = {
        row[0]: row[1:]
        for row in _rows(
            demo_conn,
            "SELECT table_name, diststyle, distkey, sortkey_type FROM redshift_system.table_design"
            " WHERE schema_name = 'tpch'",
        )
    }
    columns = {
        (row[0], row[1]): row[2:]
        for row in _rows(
            demo_conn,
            "SELECT table_name, column_name, encoding, sortkey_position"
            " FROM redshift_system.column_design WHERE schema_name = 'tpch'",
        )
    }

    for design in demo_table_designs():
        assert tables[design.name] == (design.diststyle, design.distkey, design.sortkey_type)
        for column in design.columns:
            assert columns[(design.name, column.name)] == (column.encoding, column.sortkey_position)
    assert len(columns) == sum(len(d.columns) for d in demo_table_designs())

    # The deliberate flaws each DDL file documents.
    assert tables["region"] == ("ALL", None, "COMPOUND")
    assert tables["nation"] == ("EVEN", None, "COMPOUND")  # T003
    assert tables["lineitem"] == ("KEY", "l_shipdate", "COMPOUND")  # T009
    assert tables["orders"] == ("KEY", "o_salesrep_id", "COMPOUND")  # T015
    assert tables["part"] == ("KEY", "p_partkey", "INTERLEAVED")  # T010
    assert tables["partsupp"] == ("KEY", "ps_partkey", None)  # T001
    assert columns[("customer", "c_mktsegment")] == ("BYTEDICT", 1)  # T005
    assert [columns[("part", c)][1] for c in ("p_brand", "p_container", "p_size")] == [1, 2, 3]
    partsupp = [v for (t, _), v in columns.items() if t == "partsupp"]
    assert sum(enc != "RAW" for enc, _ in partsupp) / len(partsupp) < 0.8  # T004


def test_orders_dist_key_is_null_heavy(tiny_warehouse, demo_conn):
    [(null_ratio,)] = _rows(
        demo_conn, "SELECT avg((o_salesrep_id IS NULL)::int)::float FROM tpch.orders"
    )

    assert 0.25 < null_ratio < 0.45  # T015 fires above 10 percent


def test_supplier_comment_is_declared_far_wider_than_its_values(tiny_warehouse, demo_conn):
    [(declared, longest)] = _rows(
        demo_conn,
        """SELECT c.character_maximum_length, (SELECT max(length(s_comment)) FROM tpch.supplier)
           FROM information_schema.columns c
           WHERE c.table_schema = 'tpch' AND c.table_name = 'supplier' AND c.column_name = 's_comment'""",
    )

    assert declared == 65535  # VARCHAR(MAX) in the Redshift DDL
    assert longest <= 101 < declared / 4  # T008


def test_generated_values_keep_tpch_relationships(tiny_warehouse, demo_conn):
    [(orphans, bad_dates, bad_status)] = _rows(
        demo_conn,
        """SELECT
             (SELECT count(*) FROM tpch.lineitem l
                WHERE NOT EXISTS (SELECT 1 FROM tpch.partsupp ps
                                  WHERE ps.ps_partkey = l.l_partkey AND ps.ps_suppkey = l.l_suppkey)),
             (SELECT count(*) FROM tpch.lineitem
                WHERE l_shipdate NOT BETWEEN DATE '1992-01-02' AND DATE '1998-12-01'
                   OR l_receiptdate <= l_shipdate),
             (SELECT count(*) FROM tpch.orders o
                WHERE o_orderstatus <> CASE
                    WHEN NOT EXISTS (SELECT 1 FROM tpch.lineitem WHERE l_orderkey = o_orderkey AND l_linestatus = 'O') THEN 'F'
                    WHEN NOT EXISTS (SELECT 1 FROM tpch.lineitem WHERE l_orderkey = o_orderkey AND l_linestatus = 'F') THEN 'O'
                    ELSE 'P' END)""",
    )

    assert (orphans, bad_dates, bad_status) == (0, 0, 0)


def test_scale_below_the_minimum_is_refused():
    with pytest.raises(ValueError, match="scale"):
        generation_parameters(0.0001)


def test_supplier_keeps_the_ghost_rows_and_stale_statistics_of_its_refresh(tiny_warehouse, demo_conn):
    def activity():
        [row] = _rows(
            demo_conn,
            """SELECT n_live_tup, n_dead_tup, n_mod_since_analyze, c.reloptions
               FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
               WHERE s.schemaname = 'tpch' AND s.relname = 'supplier'""",
        )
        return row

    live, dead, modified, options = activity()
    for _ in range(30):  # the activity counters reach other sessions within a second or so
        if dead >= live > 0:
            break
        time.sleep(0.1)
        _rows(demo_conn, "SELECT pg_stat_clear_snapshot()")
        live, dead, modified, options = activity()

    assert "autovacuum_enabled=false" in options
    assert dead >= live == 100  # T011: half the stored rows are deleted ones
    assert modified >= live  # T006: every row changed since the last ANALYZE
