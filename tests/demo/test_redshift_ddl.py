"""Reading the demo's Redshift DDL: what the loader records and what PostgreSQL gets."""

from __future__ import annotations

import pytest
import sqlglot

from local.demo.redshift_ddl import parse_table_ddl
from local.demo.warehouse import demo_table_designs


def test_interleaved_sort_key_is_read_although_sqlglot_gives_up_on_it():
    sql = """CREATE TABLE s.t (a INT ENCODE raw, b INT ENCODE az64, c DATE ENCODE raw)
             DISTSTYLE EVEN INTERLEAVED SORTKEY (c, a);"""
    # The reason for the fallback: sqlglot returns the whole statement as a Command.
    assert isinstance(sqlglot.parse_one(sql, read="redshift"), sqlglot.exp.Command)

    design = parse_table_ddl(sql)

    assert (design.sortkey_type, design.sortkeys) == ("INTERLEAVED", ("c", "a"))
    assert {c.name: c.sortkey_position for c in design.columns} == {"a": 2, "b": 0, "c": 1}
    assert design.diststyle == "EVEN"


def test_compound_and_bare_sort_keys_and_dist_styles():
    bare = parse_table_ddl("CREATE TABLE s.t (a INT ENCODE raw, b INT ENCODE zstd) DISTKEY (b) SORTKEY (a, b);")
    assert (bare.diststyle, bare.distkey, bare.sortkey_type, bare.sortkeys) == ("KEY", "b", "COMPOUND", ("a", "b"))

    none = parse_table_ddl("CREATE TABLE s.t (a INT ENCODE raw);")
    assert (none.diststyle, none.distkey, none.sortkey_type, none.sortkeys) == ("AUTO", None, None, ())


def test_postgres_ddl_drops_redshift_properties_and_keeps_types():
    design = parse_table_ddl(
        "CREATE TABLE s.t (a INT NOT NULL ENCODE raw, b VARCHAR(MAX) ENCODE zstd, PRIMARY KEY (a))"
        " DISTSTYLE KEY DISTKEY (a) COMPOUND SORTKEY (a);"
    )
    assert design.postgres_ddl == "CREATE TABLE s.t (a INT NOT NULL, b VARCHAR(65535))"
    assert design.primary_key == ("a",)
    assert [(c.encoding, c.nullable) for c in design.columns] == [("RAW", False), ("ZSTD", True)]


def test_a_column_without_encode_is_refused():
    with pytest.raises(ValueError, match="ENCODE"):
        parse_table_ddl("CREATE TABLE s.t (a INT ENCODE raw, b INT) DISTSTYLE EVEN;")


def test_a_key_naming_a_missing_column_is_refused():
    with pytest.raises(ValueError, match="not a column"):
        parse_table_ddl("CREATE TABLE s.t (a INT ENCODE raw) DISTKEY (x);")


def test_every_demo_ddl_parses_as_redshift():
    designs = demo_table_designs()

    assert [d.name for d in designs] == [
        "region", "nation", "supplier", "customer", "part", "partsupp", "lineitem", "orders"
    ]
    assert {d.schema for d in designs} == {"tpch"}
