"""The command line, run as a user runs it: a subprocess, its output and its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).parent / "snapshot.json"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-m", "redshift_optimizer", *args],
        input=stdin, capture_output=True, env=env, cwd=ROOT, timeout=120,
    )


@pytest.fixture()
def query_file(tmp_path: Path) -> Path:
    path = tmp_path / "report.sql"
    path.write_text(
        "-- monthly revenue\n"
        "SELECT *\n"
        "FROM public.sales s\n"
        "WHERE DATE_TRUNC('month', s.sale_date) = '2026-03-01'\n"
    )
    return path


def test_analyze_json_carries_findings_and_rewrite(query_file):
    done = run("analyze", "--schema", str(SNAPSHOT), "--format", "json", str(query_file))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    codes = {f["code"] for f in result["findings"]}
    assert {"Q001", "Q003"} <= codes
    q003 = next(f for f in result["findings"] if f["code"] == "Q003")
    assert (q003["line"], q003["col"]) == (4, 7)
    assert q003["table"] == "public.sales" and q003["severity"] == "HIGH"
    assert result["engine"] == "rules" and result["query_hash"]


def test_analyze_reads_standard_input_as_text():
    done = run("analyze", "-", stdin=b"SELECT a FROM t LIMIT 5")
    assert done.returncode == 0
    assert "Q017" in done.stdout.decode()


def test_lint_prints_file_line_col_and_fails_on_level(query_file):
    done = run("lint", "--schema", str(SNAPSHOT), str(query_file))
    assert done.returncode == 1  # Q003 is HIGH on a large table
    lines = done.stdout.decode().splitlines()
    assert f"{query_file}:4:7: Q003 HIGH " in "\n".join(lines)
    assert all(line.startswith(f"{query_file}:") for line in lines)
    assert run("lint", "--schema", str(SNAPSHOT), "--fail-on", "critical", str(query_file)).returncode == 0
    assert run("lint", "--schema", str(SNAPSHOT), "--fail-on", "LOW", str(query_file)).returncode == 1


def test_lint_without_snapshot_is_quieter(query_file):
    done = run("lint", str(query_file))
    assert done.returncode == 0  # only the LOW star finding without table sizes
    assert "Q003" not in done.stdout.decode()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"SELECT a\nFROM WHERE x = 1\n", ":2:6: syntax error: expected table name"),
        (b"SELECT a FROM t WHERE b = 'open\n", ":1:27: syntax error: unterminated string"),
        (b"hello world", ":1:1: syntax error: expected a statement"),
        (b"", ": no SQL given"),
        (b"  -- just a comment\n", ": no SQL statement given"),
        (b"SELECT \xff\xfe FROM t", ": not UTF-8 text"),
    ],
)
def test_unusable_input_is_one_line_and_exit_2(tmp_path, content, expected):
    path = tmp_path / "bad.sql"
    path.write_bytes(content)
    for command in ("analyze", "lint"):
        done = run(command, str(path))
        assert done.returncode == 2, done.stdout
        err = done.stderr.decode().strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
        assert err.startswith(str(path)) and expected in err, err


def test_several_megabytes_is_refused_in_one_line(tmp_path):
    path = tmp_path / "huge.sql"
    path.write_text("SELECT " + ", ".join(["a"] * 1_500_000) + " FROM t")
    done = run("analyze", str(path))
    assert done.returncode == 2
    assert len(done.stderr.decode().strip().splitlines()) == 1
    assert "at most" in done.stderr.decode()


def test_missing_and_invalid_schema_files(tmp_path, query_file):
    bad = tmp_path / "schema.json"
    bad.write_text("{not json")
    done = run("analyze", "--schema", str(bad), str(query_file))
    assert done.returncode == 2 and "not valid JSON" in done.stderr.decode()
    done = run("analyze", "--schema", str(tmp_path / "nope.json"), str(query_file))
    assert done.returncode == 2 and "no such file" in done.stderr.decode()


def test_rules_lists_every_code_once():
    done = run("rules")
    assert done.returncode == 0
    codes = [line.split()[0] for line in done.stdout.decode().splitlines()]
    assert codes == sorted(codes) and len(codes) == len(set(codes))
    assert {f"Q{n:03d}" for n in range(1, 20)} <= set(codes)


def test_help_everywhere():
    for command in ([], ["analyze"], ["review-schema"], ["lint"], ["rules"]):
        done = run(*command, "--help")
        assert done.returncode == 0 and b"usage:" in done.stdout


def test_committed_rules_page_is_generated_from_the_catalogue():
    done = run("rules", "--format", "markdown")
    assert done.returncode == 0
    assert (ROOT / "docs" / "rules.md").read_bytes() == done.stdout
