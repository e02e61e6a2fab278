"""The labelled corpus: public Redshift SQL this project did not write (see README.md), the
schema snapshots built from its published table design, and the human judgement of every
finding the engine reports on it (labels.yaml).

Shared by the corpus test (tests/analysis/test_corpus.py) and ``make bench``
(bench/bench_corpus.py). A finding is keyed by file, code and anchor (the table and column
it names and the fragment it quotes), so the key survives changes of wording and position.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sqlglot
import yaml
from sqlglot import exp

from redshift_optimizer.models.findings import Finding
from redshift_optimizer.models.lake import SchemaSnapshot

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.yaml"
VERDICTS = ("fire", "not", "debatable")

#: Each part of the corpus: its SQL files and the snapshot they are judged against
#: (None: the catalog scripts read system tables no snapshot describes).
PARTS = {
    "tpcds": ("tpcds/queries/*.sql", "tpcds/snapshot.json"),
    "tpch": ("tpch/queries/*.sql", "tpch/snapshot.json"),
    "admin": ("admin/*/*.sql", None),
    "heldout": ("heldout/*.sql", None),
    # SQL no rule was tuned on (unseen/README.md): judged as first run, then kept as a guard.
    "unseen-ssb": ("unseen/ssb/queries/*.sql", "unseen/ssb/snapshot.json"),
    "unseen-ssb-docs": ("unseen/ssb/awsdocs/*.sql", "unseen/ssb/snapshot.json"),
    "unseen-tickit": ("unseen/tickit/*.sql", None),
    "unseen-dbt": ("unseen/dbt/*.sql", None),
    # Second unseen set: workshop SQL as teams run it (unseen/README in README.md, "Second unseen set").
    "unseen-querypatterns": ("unseen/querypatterns/queries/*.sql", "unseen/querypatterns/snapshot.json"),
    "unseen-immersionday": ("unseen/immersionday/queries/*.sql", "unseen/immersionday/snapshot.json"),
    "unseen-immersionday-spectrum": ("unseen/immersionday/spectrum/*.sql", None),
    # Third unseen set: analytics-engineering / BI SQL (dbt packages and Looker blocks), no snapshot.
    "unseen-segment": ("unseen/segment/*/*.sql", None),
    "unseen-jaffle": ("unseen/jaffle/models/*.sql", None),
    "unseen-looker": ("unseen/looker/*/*.sql", None),
    "unseen-snowplow": ("unseen/snowplow/models/*.sql", None),
}
#: Key prefix of the parts no rule was tuned on: scored on their own as well.
UNSEEN = "unseen/"
#: The benchmark queries again without their snapshot: what the rules say when they cannot
#: know sizes and keys (keys of these findings end in BARE).
BARE = ("tpcds/queries/*.sql", "tpch/queries/*.sql", "unseen/ssb/queries/*.sql")
BARE_SUFFIX = "#no-snapshot"

_ROW_COUNT = re.compile(r"select\s+count\(\*\)\s+from\s+([\w.]+)\s*;\s*--\s*(\d+)", re.I)
_COLUMN_KEY = re.compile(r"^(\s*(\w+)\s.*?)\s+((?:(?:sortkey|distkey)\b(?!\s*\()\s*)+)(,?\s*)$", re.I)


def _lift_column_keys(text: str) -> str:
    """Column-level ``sortkey`` / ``distkey`` (``p_partkey integer not null sortkey distkey``),
    which the parser does not take, as the table-level ``DISTKEY(c) SORTKEY(c)`` they mean,
    added where the CREATE TABLE statement ends."""
    out, dist, sort = [], [], []
    for line in text.splitlines():
        match = _COLUMN_KEY.match(line)
        if match:
            words = match.group(3).lower().split()
            (dist if "distkey" in words else []).append(match.group(2))
            (sort if "sortkey" in words else []).append(match.group(2))
            line = match.group(1) + match.group(4)
        elif (dist or sort) and line.rstrip().endswith(";"):
            keys = (f" distkey({dist[0]})" if dist else "") + (f" sortkey({', '.join(sort)})" if sort else "")
            line = line.rstrip()[:-1] + keys + ";"
            dist, sort = [], []
        out.append(line)
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------ the snapshots


def build_snapshot(ddl: Path, version: str) -> SchemaSnapshot:
    """A SchemaSnapshot from AWS's published DDL: CREATE TABLE (columns, NOT NULL, DISTKEY,
    DISTSTYLE, SORTKEY, PRIMARY KEY at table or column level) and the row counts the file
    states after its loads (``select count(*) from t;  -- 8639936081``). A table named with
    its schema (``demo_local.orders``) keeps it; an unqualified one is ``public``."""
    text = _lift_column_keys(ddl.read_text(encoding="utf-8"))
    rows = {name.lower(): int(count) for name, count in _ROW_COUNT.findall(text)}
    tables = []
    for statement in sqlglot.parse(text, read="redshift"):
        if not isinstance(statement, exp.Create) or statement.kind != "TABLE":
            continue
        schema = statement.this
        name = schema.this.name.lower()
        if schema.this.db:  # schema-qualified (demo_local.orders): counted and named as written
            name = f"{schema.this.db.lower()}.{name}"
        if name not in rows:
            continue  # dbgen_version: the generator's own bookkeeping, never loaded
        props = statement.args["properties"].expressions if statement.args.get("properties") else []
        dist_key = next((p.this.name.lower() for p in props if isinstance(p, exp.DistKeyProperty)), None)
        dist_style = next((p.this.name.upper() for p in props if isinstance(p, exp.DistStyleProperty)), None)
        sort = next((p for p in props if isinstance(p, exp.SortKeyProperty)), None)
        keys = sort.this if sort is not None else []
        sort_keys = [c.name.lower() for c in (keys if isinstance(keys, list) else [keys])]
        primary_key: list[str] = []
        columns = []
        for item in schema.expressions:
            if isinstance(item, exp.PrimaryKey):
                primary_key = [e.name.lower() for e in item.expressions]
            elif isinstance(item, exp.ColumnDef):
                not_null = any(isinstance(c.kind, exp.NotNullColumnConstraint) and not c.kind.args.get("allow_null")
                               for c in item.constraints)
                column = item.name.lower()
                if any(isinstance(c.kind, exp.PrimaryKeyColumnConstraint) for c in item.constraints):
                    primary_key = primary_key or [column]  # column-level PRIMARY KEY
                columns.append({
                    "name": column, "type": item.args["kind"].sql("redshift"), "nullable": not not_null,
                    "dist_key": column == dist_key,
                    "sort_key_position": sort_keys.index(column) + 1 if column in sort_keys else 0,
                })
        tables.append({
            "table_name": name if "." in name else f"public.{name}", "row_count": rows[name],
            # no DISTSTYLE / DISTKEY: AUTO, which SVV_TABLE_INFO shows as AUTO(EVEN) once the
            # table holds millions of rows (every such table here does)
            "dist_style": dist_style or ("KEY" if dist_key else "AUTO(EVEN)"), "dist_key": dist_key,
            "sort_keys": sort_keys, "sort_key_type": "COMPOUND" if sort_keys else None,
            "primary_key": primary_key, "columns": columns,
        })
    return SchemaSnapshot.model_validate({
        "extract_timestamp": "2025-09-03T00:00:00Z", "schema_version": version,
        "source": {"engine": "redshift", "database": version}, "tables": tables,
    })


@lru_cache(maxsize=None)
def snapshot(path: str) -> SchemaSnapshot:
    return SchemaSnapshot.model_validate(json.loads((HERE / path).read_text(encoding="utf-8")))


# -------------------------------------------------------------------------- the entries


@dataclass(frozen=True)
class Entry:
    """One SQL file of the corpus and the snapshot it is judged against."""

    path: str  # relative to the corpus folder
    snapshot: str | None
    bare: bool = False  # a benchmark query analysed without its snapshot

    @property
    def sql(self) -> str:
        return (HERE / self.path).read_text(encoding="utf-8")

    @property
    def name(self) -> str:
        """The file as labels name it (``#no-snapshot`` for the run without the snapshot)."""
        return self.path + (BARE_SUFFIX if self.bare else "")


def entries() -> list[Entry]:
    found = []
    for pattern, snap in PARTS.values():
        found += [Entry(p.relative_to(HERE).as_posix(), snap) for p in sorted(HERE.glob(pattern))]
    for pattern in BARE:
        found += [Entry(p.relative_to(HERE).as_posix(), None, bare=True) for p in sorted(HERE.glob(pattern))]
    return found


def anchor(finding: Finding) -> str:
    """What a finding points at, independent of its wording: table.column and the first
    fragment of the query it quotes."""
    fragment = next((str(e.value) for e in finding.evidence if e.kind == "fragment" and e.value), "")
    fragment = " ".join(fragment.split())[:120]
    target = ".".join(p for p in (finding.table, finding.column) if p)
    return f"{target} | {fragment}" if target else fragment


def keyed(path: str, findings: list[Finding]) -> list[tuple[str, Finding]]:
    """(stable key, finding); a key met twice in one file gets ``#2``, ``#3`` ..."""
    seen: Counter = Counter()
    out = []
    for finding in sorted(findings, key=lambda f: (f.line or 0, f.col or 0, f.code)):
        base = f"{path} {finding.code} {anchor(finding)}"
        seen[base] += 1
        out.append((base if seen[base] == 1 else f"{base} #{seen[base]}", finding))
    return out


# ----------------------------------------------------------------------------- labels


def load_labels() -> dict[str, dict]:
    """key -> {verdict, reason}."""
    if not LABELS.is_file():
        return {}
    data = yaml.safe_load(LABELS.read_text(encoding="utf-8")) or {}
    labels = {}
    for key, value in data.items():
        verdict, _, reason = str(value).partition(":")
        labels[key] = {"verdict": verdict.strip(), "reason": reason.strip()}
    return labels


def code_of(key: str) -> str:
    return key.split(" ", 2)[1]


@dataclass
class Score:
    """Per code: how many fired, how many should have (expected), how many fired wrongly."""

    fired: Counter = field(default_factory=Counter)
    expected: Counter = field(default_factory=Counter)
    wrong: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)
    debatable: Counter = field(default_factory=Counter)
    unlabelled: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        judged = sum(self.right.values()) + sum(self.wrong.values())
        return sum(self.right.values()) / judged if judged else 1.0

    @property
    def recall(self) -> float:
        expected = sum(self.expected.values())
        return sum(self.right.values()) / expected if expected else 1.0


def score(emitted: dict[str, Finding], labels: dict[str, dict]) -> Score:
    """Compare what fired with the labels. Labelled ``fire`` and not emitted is a miss
    (recall); ``not`` and emitted is wrong (precision); ``debatable`` counts for neither."""
    result = Score()
    for key in emitted:
        code = code_of(key)
        result.fired[code] += 1
        verdict = labels.get(key, {}).get("verdict")
        if verdict is None:
            result.unlabelled.append(key)
        elif verdict == "fire":
            result.right[code] += 1
        elif verdict == "not":
            result.wrong[code] += 1
        else:
            result.debatable[code] += 1
    for key, label in labels.items():
        if label["verdict"] == "fire":
            result.expected[code_of(key)] += 1
    return result


def part(items: dict, unseen: bool) -> dict:
    """The keys of the unseen set (``unseen/...``), or of the rest of the corpus."""
    return {k: v for k, v in items.items() if k.startswith(UNSEEN) == unseen}


def run(analyze=None) -> tuple[dict[str, Finding], dict[str, list]]:
    """Every finding the engine reports on the corpus, by key, and what each file left
    unanalysed (statements the parser could only keep as opaque commands)."""
    from redshift_optimizer.analysis import analyze as default

    analyze = analyze or default
    emitted: dict[str, Finding] = {}
    skipped: dict[str, list] = {}
    for entry in entries():
        snap = snapshot(entry.snapshot) if entry.snapshot else None
        result = analyze(entry.sql, snapshot=snap)
        emitted.update(keyed(entry.name, result.findings))
        left = getattr(result, "not_analysed", None)
        if left:
            skipped[entry.name] = list(left)
    return emitted, skipped
