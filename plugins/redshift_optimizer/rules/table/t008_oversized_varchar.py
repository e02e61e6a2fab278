"""T008 oversized-varchar: vARCHAR declared far wider than its data."""

from __future__ import annotations

import re
from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext

_VARCHAR = re.compile(r"^(?:VARCHAR|CHARACTER VARYING|NVARCHAR)\s*\(\s*(\d+|MAX)\s*\)", re.I)


def check(ctx: TableContext) -> Iterator[Hit]:
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


RULE = Rule(
    code="T008",
    name="oversized-varchar",
    title="VARCHAR declared far wider than its data",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary=(
        "Declared VARCHAR length >= 1000 (or MAX) while the profiled max length is under a quarter "
        "of it."
    ),
    documentation=Documentation(
        what=(
            "A VARCHAR of at least `oversized_varchar_min_length` (or MAX) whose longest profiled "
            "value is under `oversized_varchar_used_ratio` of the declared length."
        ),
        why=(
            "Intermediate results (sorts, hash tables, temp tables) are sized by the declared width, "
            "so wide declarations waste memory and cause spills."
        ),
        anti_pattern="CREATE TABLE t (code VARCHAR(65535));  -- longest value: 12 characters",
        better="CREATE TABLE t (code VARCHAR(32));",
    ),
    fix="Right-size the column.",
    check=check,
    scope="table",
    needs=("profile",),
)
