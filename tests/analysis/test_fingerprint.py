"""Fingerprints: one hash for queries that differ only in literals, comments, spacing or case;
different hashes for different shapes; literal redaction that keeps the text readable."""

from __future__ import annotations

import pytest

from redshift_optimizer.fingerprint import fingerprint, normalize, redact_literals

BASE = "SELECT a, b FROM t WHERE x = 'one' AND y IN (1, 2, 3) AND z > 10.5 LIMIT 10"


@pytest.mark.parametrize("variant", [
    "select a,b from t where x='two' and y in (7) and z>-3 limit 99",
    "SELECT a, b\n  FROM t -- comment with 'quote'\n WHERE x = 'it''s' AND y IN(4,5) AND z > 1e3 LIMIT 1;",
    "/* header */ SELECT  a ,  b FROM T WHERE X = 'x' AND Y IN ( 1 , 2 ) AND Z > .5 LIMIT 5",
    "SELECT a, b FROM t WHERE x = '--not a comment' AND y IN (1) AND z > + 2 LIMIT 3",
])
def test_literal_variants_share_the_fingerprint(variant):
    assert fingerprint(variant) == fingerprint(BASE)


@pytest.mark.parametrize("different", [
    "SELECT a, b FROM t WHERE x = 'one' AND y NOT IN (1, 2) AND z > 10.5 LIMIT 10",
    "SELECT a, c FROM t WHERE x = 'one' AND y IN (1, 2, 3) AND z > 10.5 LIMIT 10",
    "SELECT a, b FROM t2 WHERE x = 'one' AND y IN (1, 2, 3) AND z > 10.5 LIMIT 10",
    "SELECT a, b FROM t WHERE x = y AND y IN (1, 2, 3) AND z > 10.5 LIMIT 10",
    "SELECT a, b FROM t WHERE x = 'one' AND y IN (1, 2, 3) AND z - 1 > 10.5 LIMIT 10",
])
def test_other_shapes_get_other_fingerprints(different):
    assert fingerprint(different).query_hash != fingerprint(BASE).query_hash


def test_values_lists_collapse():
    assert fingerprint("INSERT INTO t VALUES (1, 'a'), (2, NULL)") == fingerprint("insert into t values (3,'b')")


def test_identifiers_with_digits_are_not_literals():
    assert "t1.col_2" in normalize("SELECT t1.col_2 FROM t1")
    assert fingerprint("SELECT c1 FROM t1").query_hash != fingerprint("SELECT c2 FROM t2").query_hash


def test_normalized_text_is_readable():
    assert normalize(BASE) == "select a, b from t where x = ? and y in (?) and z > ? limit ?"


def test_hash_is_stable_across_runs():
    # The metadata refresh stores these hashes: the normalization must not drift silently.
    assert fingerprint(BASE).query_hash == fingerprint(BASE.lower()).query_hash
    assert len(fingerprint(BASE).query_hash) == 16


def test_redact_literals_keeps_the_text_but_not_the_values():
    sql = "SELECT name, email\nFROM Customers -- VIP: jane@example.com\nWHERE id = 4242 AND email = 'jane@example.com'"
    redacted = redact_literals(sql)
    assert "4242" not in redacted and "jane@example.com" not in redacted
    assert redacted == "SELECT name, email\nFROM Customers \nWHERE id = ? AND email = '?'"
    assert fingerprint(redacted).query_hash == fingerprint(sql).query_hash


def test_every_recorded_fingerprint_is_unchanged():
    # The golden file (tests/analysis/fingerprint_cases.py says how it was made): the stored
    # hashes of earlier runs must keep matching, whatever the scanner's implementation.
    from tests.analysis.fingerprint_cases import ROOT, cases, digest

    recorded = cases()
    assert len(recorded) > 3000
    drifted = []
    for case in recorded:
        if "path" in case:
            sql = (ROOT / case["path"]).read_text(encoding="utf-8")
            assert digest(sql) == case["sql_hash"], (
                f"{case['path']} changed: record it again with python -m tests.analysis.fingerprint_cases")
            if fingerprint(sql).query_hash != case["hash"]:
                drifted.append(case["path"])
        elif normalize(case["sql"]) != case["text"]:
            drifted.append(f"{case['sql']!r}: {normalize(case['sql'])!r} != {case['text']!r}")
    assert not drifted, "\n".join(drifted[:20])
