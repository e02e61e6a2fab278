"""Table design rules: sort keys, distribution, encoding, keys (T001-T005, T008-T010, T014, T015)."""

from __future__ import annotations

import re
from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext

_ALL = ("ALL", "AUTO(ALL)")
_UNENCODED = ("", "RAW", "NONE")


def _encoded(encoding: str | None) -> bool | None:
    if encoding is None:
        return None
    return encoding.strip().upper() not in _UNENCODED


def t001(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if t.sort_keys or t.sort_key_type == "AUTO" or t.row_count is None:
        return
    if any(c.sort_key_position for c in t.columns) or t.row_count < ctx.settings.missing_sortkey_min_rows:
        return
    top = ctx.workload.filters.get(t.table_name, {}) if ctx.workload else {}
    hint = f"; the workload filters it most on {top.most_common(1)[0][0]}" if top else ""
    yield Hit(
        message=f"{t.table_name} has {t.row_count:,} rows and no sort key: every query scans all of its blocks{hint}",
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.sort_keys", []),
                  evidence.setting("missing_sortkey_min_rows", ctx.settings.missing_sortkey_min_rows)],
        table=t.table_name,
    )


def t002(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if t.skew_rows is None or t.skew_rows < ctx.settings.dist_skew_max:
        return
    yield Hit(
        message=(f"{t.table_name} is skewed: the fullest slice holds {t.skew_rows:g} times the rows of "
                 f"the emptiest (dist key {t.dist_key or t.dist_style}); the slowest slice sets the pace"),
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.skew_rows", t.skew_rows),
                  evidence.metric(f"{t.table_name}.dist_key", t.dist_key)],
        table=t.table_name, column=t.dist_key,
    )


def t003(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if t.dist_style is None or t.dist_style in _ALL or t.row_count is None:
        return
    if ctx.workload is not None:
        if not (ctx.is_small() and t.table_name in ctx.workload.joined_tables):
            return
        reason = f"it is small ({t.row_count:,} rows) and joined in the workload"
    else:
        if t.row_count > ctx.settings.all_dist_max_rows_without_workload:
            return
        reason = f"it has only {t.row_count:,} rows"
    yield Hit(
        message=(f"{t.table_name} is distributed {t.dist_style}, but {reason}: a copy on every node "
                 "(DISTSTYLE ALL) would spare the broadcast or redistribution at each join"),
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.dist_style", t.dist_style)],
        table=t.table_name,
    )


def t004(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    first = ctx.first_sort_key
    columns = [c for c in t.columns if first is None or c.name.lower() != first.name.lower()]
    known = [c for c in columns if c.encoding is not None]
    if not known:
        return
    encoded = [c for c in known if _encoded(c.encoding)]
    ratio = len(encoded) / len(known)
    if ratio >= ctx.settings.encoded_columns_min_ratio:
        return
    raw = [c.name for c in known if not _encoded(c.encoding)]
    yield Hit(
        message=(f"only {len(encoded)} of {len(known)} columns of {t.table_name} (first sort key "
                 f"excluded) are compressed ({ratio:.0%}); uncompressed: {', '.join(raw[:10])}"
                 + (" ..." if len(raw) > 10 else "")),
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.encoded_ratio", round(ratio, 3)),
                  *[evidence.column(f"{t.table_name}.{n}", "RAW") for n in raw[:10]]],
        table=t.table_name,
    )


def t005(ctx: TableContext) -> Iterator[Hit]:
    first = ctx.first_sort_key
    if first is None or not _encoded(first.encoding) or ctx.table.sort_key_type == "INTERLEAVED":
        return
    t = ctx.table
    yield Hit(
        message=(f"the first sort-key column {t.table_name}.{first.name} is compressed ({first.encoding}); "
                 "compressed sort keys pack many more values per block than the other columns, so a "
                 "range filter reads more blocks of them than it skips"),
        evidence=[evidence.column(f"{t.table_name}.{first.name}", first.encoding), *evidence.table(t)],
        table=t.table_name, column=first.name,
    )


_VARCHAR = re.compile(r"^(?:VARCHAR|CHARACTER VARYING|NVARCHAR)\s*\(\s*(\d+|MAX)\s*\)", re.I)


def t008(ctx: TableContext) -> Iterator[Hit]:
    profile = ctx.table_profile
    if profile is None:
        return
    t = ctx.table
    for column in t.columns:
        match = _VARCHAR.match(column.type.strip())
        if not match:
            continue
        declared = 65535 if match.group(1).upper() == "MAX" else int(match.group(1))
        if declared < ctx.settings.oversized_varchar_min_length:
            continue
        profiled = profile.column(column.name)
        if profiled is None or profiled.max_length is None:
            continue
        if profiled.max_length >= declared * ctx.settings.oversized_varchar_used_ratio:
            continue
        yield Hit(
            message=(f"{t.table_name}.{column.name} is declared {column.type} but its longest value has "
                     f"{profiled.max_length} characters; queries reserve memory for the declared width "
                     "in sorts, hashes and temporary tables"),
            evidence=[evidence.column(f"{t.table_name}.{column.name}", column.type),
                      evidence.metric(f"{t.table_name}.{column.name}.max_length", profiled.max_length)],
            table=t.table_name, column=column.name,
            fix=f"Right-size the column, e.g. VARCHAR({max(profiled.max_length * 2, 16)}).",
        )


def t009(ctx: TableContext) -> Iterator[Hit]:
    column = ctx.dist_key_column
    if column is None or not re.match(r"^(DATE|TIMESTAMP|TIMESTAMPTZ|TIMESTAMP WITH|TIMESTAMP WITHOUT)", column.type.upper()):
        return
    t = ctx.table
    yield Hit(
        message=(f"{t.table_name} is distributed on {column.name} ({column.type}): a day's rows land on "
                 "few slices, so queries on recent data run on a fraction of the cluster, and joins "
                 "on the real keys must redistribute"),
        evidence=[evidence.column(f"{t.table_name}.{column.name}", column.type), *evidence.table(t)],
        table=t.table_name, column=column.name,
    )


def t010(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if (t.sort_key_type or "").upper() != "INTERLEAVED":
        return
    yield Hit(
        message=(f"{t.table_name} has an INTERLEAVED sort key ({', '.join(t.sort_keys)}): it needs "
                 "VACUUM REINDEX as data grows, and loads and vacuums cost more than with a compound key"),
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.sort_key_type", t.sort_key_type)],
        table=t.table_name,
    )


def t014(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if t.primary_key:
        return
    yield Hit(
        message=(f"{t.table_name} declares no primary key; Redshift does not enforce it, but the planner "
                 "uses it for uniqueness and validation uses it to find duplicates"),
        evidence=[evidence.table(t)[0], evidence.metric(f"{t.table_name}.primary_key", [])],
        table=t.table_name,
    )


def t015(ctx: TableContext) -> Iterator[Hit]:
    profile = ctx.table_profile
    column = ctx.dist_key_column
    if profile is None or column is None:
        return
    profiled = profile.column(column.name)
    if profiled is None:
        return
    ratio = profiled.null_ratio
    if ratio is None and profiled.null_count is not None and profile.row_count:
        ratio = profiled.null_count / profile.row_count  # a profile that gives counts only
    if ratio is None or ratio <= ctx.settings.null_distkey_max_ratio:
        return
    t = ctx.table
    yield Hit(
        message=(f"the dist key {t.table_name}.{column.name} is NULL in {ratio:.0%} of rows: "
                 "all NULLs hash to one slice, which does that share of the work alone"),
        evidence=[evidence.column(f"{t.table_name}.{column.name}", "dist key"),
                  evidence.metric(f"{t.table_name}.{column.name}.null_ratio", round(ratio, 4))],
        table=t.table_name, column=column.name,
    )


def _rule(code, name, title, severity, text, summary, check, what, why, bad, good, fix, needs=()) -> Rule:
    return Rule(code=code, name=name, title=title, default_severity=severity, severity_text=text,
                summary=summary, documentation=Documentation(what, why, bad, good), fix=fix,
                check=check, scope="table", needs=needs)


RULES = [
    _rule("T001", "missing-sortkey", "Large table without a sort key", Severity.MEDIUM, "MEDIUM",
          "No sort key (and not AUTO) on a table with at least 5,000,000 rows.", t001,
          "A table of at least `missing_sortkey_min_rows` rows with no sort key and sort key type not AUTO.",
          "Zone maps only skip blocks when the data is sorted on the filtered column; unsorted, every "
          "query reads every block.",
          "CREATE TABLE sales (sale_id BIGINT, sale_date DATE, amount DECIMAL(12,2)) DISTKEY(sale_id);",
          "ALTER TABLE sales ALTER COMPOUND SORTKEY (sale_date);",
          "Add a sort key on the dominant filter column (or SORTKEY AUTO)."),
    _rule("T002", "dist-skew", "Rows unevenly spread across slices", Severity.HIGH, "HIGH",
          "skew_rows >= 4.0: the fullest slice holds four times the rows of the emptiest.", t002,
          "skew_rows (rows on the fullest slice over the emptiest) at or above `dist_skew_max`.",
          "A query is as slow as its busiest slice; with skew the others wait, and the full slice "
          "spills first.",
          "CREATE TABLE events (...) DISTKEY(country_code);  -- a few countries hold most rows",
          "ALTER TABLE events ALTER DISTSTYLE EVEN;  -- or a high-cardinality key",
          "Distribute on a higher-cardinality key, or EVEN / AUTO."),
    _rule("T003", "small-table-not-all", "Small joined table not distributed ALL", Severity.LOW, "LOW",
          "A small table that is joined (or <= 1,000,000 rows without workload) is not DISTSTYLE ALL.", t003,
          "A small table joined in the workload (or, without workload, of at most "
          "`all_dist_max_rows_without_workload` rows) whose dist style is not ALL or AUTO(ALL).",
          "Each join with a table not on the join key broadcasts or redistributes it; a copy on "
          "every node costs little storage for a small table and makes those joins local.",
          "CREATE TABLE nation (...) DISTSTYLE EVEN;",
          "ALTER TABLE nation ALTER DISTSTYLE ALL;",
          "DISTSTYLE ALL."),
    _rule("T004", "unencoded-columns", "Columns without compression", Severity.MEDIUM, "MEDIUM",
          "Fewer than 80% of the columns (first sort key excepted) carry a compression encoding.", t004,
          "Less than `encoded_columns_min_ratio` of the columns that are not the first sort key are encoded.",
          "Uncompressed columns take several times the disk and I/O; scans read more blocks and "
          "the cluster fills sooner.",
          "CREATE TABLE t (id BIGINT ENCODE RAW, note VARCHAR(256) ENCODE RAW, ...);",
          "ALTER TABLE t ALTER COLUMN note ENCODE ZSTD;  -- or ENCODE AUTO",
          "ENCODE AUTO, or AZ64 (numbers, dates) / ZSTD (text)."),
    _rule("T005", "encoded-first-sortkey", "First sort-key column is compressed", Severity.LOW, "LOW",
          "The first sort-key column carries a compression encoding.", t005,
          "The leading column of a compound sort key has an encoding other than RAW.",
          "Compressed, the sort key packs far more values per block than the columns it filters, so "
          "a narrow range still touches many blocks of the other columns.",
          "CREATE TABLE sales (sale_date DATE ENCODE AZ64, ...) SORTKEY(sale_date);",
          "ALTER TABLE sales ALTER COLUMN sale_date ENCODE RAW;",
          "ENCODE RAW on the first sort-key column."),
    _rule("T008", "oversized-varchar", "VARCHAR declared far wider than its data", Severity.LOW, "LOW",
          "Declared VARCHAR length >= 1000 (or MAX) while the profiled max length is under a quarter of it.", t008,
          "A VARCHAR of at least `oversized_varchar_min_length` (or MAX) whose longest profiled value is "
          "under `oversized_varchar_used_ratio` of the declared length.",
          "Intermediate results (sorts, hash tables, temp tables) are sized by the declared width, "
          "so wide declarations waste memory and cause spills.",
          "CREATE TABLE t (code VARCHAR(65535));  -- longest value: 12 characters",
          "CREATE TABLE t (code VARCHAR(32));",
          "Right-size the column.", needs=("profile",)),
    _rule("T009", "distkey-on-date", "Distributed on a date column", Severity.MEDIUM, "MEDIUM",
          "The dist key is a DATE or TIMESTAMP column.", t009,
          "A table whose distribution key is a DATE or TIMESTAMP column.",
          "Queries filter recent dates, which hash to a few slices: most of the cluster idles. Dates "
          "are never join keys, so joins redistribute.",
          "CREATE TABLE sales (...) DISTKEY(sale_date);",
          "ALTER TABLE sales ALTER DISTKEY customer_id;",
          "Distribute on a join key."),
    _rule("T010", "interleaved-sortkey", "Interleaved sort key", Severity.LOW, "LOW",
          "The table has an INTERLEAVED sort key.", t010,
          "A table with an INTERLEAVED sort key.",
          "Interleaved keys degrade as data is appended and need VACUUM REINDEX, which is slow; "
          "loads and vacuums cost more.",
          "CREATE TABLE t (...) INTERLEAVED SORTKEY(a, b, c);",
          "ALTER TABLE t ALTER COMPOUND SORTKEY (a, b);  -- or SORTKEY AUTO",
          "A compound sort key, or AUTO."),
    _rule("T014", "no-primary-key", "No primary key declared", Severity.LOW, "LOW",
          "No declared primary key (informational in Redshift, but used by the planner and validation).", t014,
          "A table with no declared primary key.",
          "Redshift does not enforce keys, but the planner uses them to know uniqueness, and the "
          "validation agent uses them to find duplicate loads.",
          "CREATE TABLE orders (order_id BIGINT, ...);",
          "ALTER TABLE orders ADD PRIMARY KEY (order_id);",
          "Declare the primary key."),
    _rule("T015", "null-heavy-distkey", "Dist key mostly NULL", Severity.HIGH, "HIGH",
          "The dist-key column is NULL in more than 10% of rows, so one slice holds them all.", t015,
          "The profile shows the dist-key column NULL in more than `null_distkey_max_ratio` of rows.",
          "All NULLs hash to the same slice: that slice stores and processes them alone.",
          "CREATE TABLE events (..., referrer_id BIGINT) DISTKEY(referrer_id);  -- 40% NULL",
          "ALTER TABLE events ALTER DISTSTYLE EVEN;",
          "Another dist key, or EVEN.", needs=("profile",)),
]
