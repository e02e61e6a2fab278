"""The command line: ``python -m redshift_optimizer analyze | review-schema | lint | rules | prompts``.

Exit codes: 0 done (findings or not; for ``lint``, none at the --fail-on level), 1 ``lint``
found a finding at or above --fail-on, 2 the input could not be used (one line on stderr
naming the file, and the line and column where the SQL stops making sense), 3 ``lint
--fail-on-unanalysed`` met a statement it could not analyse (and nothing worse).

A statement the parser keeps only as an opaque command (PREPARE whose query does not parse,
syntax the parser does not know such as a cast to aclitem[]) is never reported as clean: it
is listed as "not analysed", with its position and reason, in every output format.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

from pydantic import BaseModel, ValidationError

from redshift_optimizer.analysis import MAX_SQL_CHARS, analyze, check_input, review_schema
from redshift_optimizer.errors import OptimizerError
from redshift_optimizer.fingerprint import fingerprint
from redshift_optimizer.models.findings import AnalysisResult, Finding, SchemaReview, Severity
from redshift_optimizer.models.lake import DataProfile, SchemaSnapshot, SlowQueries, SlowQuery
from redshift_optimizer.prompt_publishing import add_parser as add_prompts_parser
from redshift_optimizer.rules.catalogue import RULES_VERSION, markdown, rules
from redshift_optimizer.sql.parsing import SqlInputError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_NOT_ANALYSED = 0, 1, 2, 3


class InputProblem(Exception):
    """Input the command cannot use; the message is the whole story, on one line."""


# ------------------------------------------------------------------------------ inputs


def read_sql(path: str) -> tuple[str, str]:
    """(display name, text) of a SQL file or ``-`` (standard input)."""
    if path == "-":
        raw = sys.stdin.buffer.read(MAX_SQL_CHARS * 4 + 1)
        name = "<stdin>"
    else:
        file = Path(path)
        if not file.is_file():
            raise InputProblem(f"{path}: no such file")
        if file.stat().st_size > MAX_SQL_CHARS * 4:
            raise InputProblem(
                f"{path}: the file is {file.stat().st_size / 1e6:.1f} MB; the analyzer reads at "
                f"most {MAX_SQL_CHARS:,} characters per input"
            )
        raw = file.read_bytes()
        name = path
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputProblem(f"{name}: not UTF-8 text (byte {exc.start} cannot be decoded)") from None
    try:
        return name, check_input(text)
    except SqlInputError as exc:
        raise InputProblem(exc.one_line(name)) from None


def read_model(path: str | None, model: type[BaseModel], what: str) -> Any:
    """A lake object (schema snapshot, profile, slow queries) from a JSON file."""
    if path is None:
        return None
    file = Path(path)
    if not file.is_file():
        raise InputProblem(f"{path}: no such file ({what})")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputProblem(f"{path}: not UTF-8 text ({what})") from None
    except json.JSONDecodeError as exc:
        raise InputProblem(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({what}): {exc.msg}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "top level"
        raise InputProblem(f"{path}: not a {what}: {where}: {first['msg']}") from None


def read_stats(path: str | None, sql: str) -> SlowQuery | None:
    """Statistics of the query: a SlowQuery object, or the entry of a slow_queries.json
    whose query_hash matches the query's fingerprint."""
    if path is None:
        return None
    try:
        return read_model(path, SlowQuery, "slow query statistics")
    except InputProblem:
        window = read_model(path, SlowQueries, "slow query statistics (SlowQuery or slow_queries.json)")
    query_hash = fingerprint(sql).query_hash
    return next((q for q in window.queries if q.query_hash == query_hash), None)


# ----------------------------------------------------------------------------- outputs


def _finding_lines(finding: Finding, indent: str = "  ") -> list[str]:
    where = f" ({finding.line}:{finding.col})" if finding.line else ""
    target = f" [{finding.table}{'.' + finding.column if finding.column else ''}]" if finding.table else ""
    lines = [f"{finding.code} {finding.severity.value:<8} {finding.title}{target}{where}",
             f"{indent}{finding.message}", f"{indent}fix: {finding.fix}"]
    if finding.saving:
        lines.append(f"{indent}saving: " + ", ".join(f"{k} {v:,.2f}" for k, v in finding.saving.items()))
    return lines


def _not_analysed_line(item, name: str | None = None) -> str:
    where = f"{item.line or 1}:{item.col or 1}"
    prefix = f"{name}:{where}:" if name else f"statement {item.statement} ({where}):"
    return f"{prefix} not analysed: {item.reason}"


def format_result(result: AnalysisResult) -> str:
    lines = [f"query {result.query_hash}: {len(result.findings)} finding(s) (rules {result.rules_version})"]
    if result.not_analysed:
        lines[0] += f"; {len(result.not_analysed)} statement(s) not analysed"
        lines += [_not_analysed_line(item) for item in result.not_analysed]
    for finding in result.findings:
        lines += ["", *_finding_lines(finding)]
    if result.optimized_query:
        steps = ", ".join(f"{r.name} [{r.verification.value}]" if r.verification else r.name for r in result.rewrites)
        lines += ["", f"rewrite (verification: {result.verification.value}; {steps}):", result.optimized_query]
        if result.cost is not None:
            cost = result.cost
            gain = f", {cost.gain_pct}% less" if cost.gain_pct is not None else ", no plan gain claimed"
            lines.append(f"cost ({cost.model}): {cost.original} -> {cost.rewrite}{gain}"
                         + (f"; measured {cost.original_ms} ms -> {cost.rewrite_ms} ms" if cost.rewrite_ms is not None else ""))
    for note in result.verification_notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def format_review(review: SchemaReview) -> str:
    lines = [f"schema {review.schema_version}: {len(review.table_findings)} table finding(s), "
             f"{len(review.workload_findings)} workload finding(s) (rules {review.rules_version})"]
    for title, findings in (("Tables", review.table_findings), ("Workload", review.workload_findings)):
        if findings:
            lines += ["", title]
            for finding in findings:
                lines += ["", *_finding_lines(finding)]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- commands


def cmd_analyze(args: argparse.Namespace) -> int:
    name, sql = read_sql(args.file)
    snapshot = read_model(args.schema, SchemaSnapshot, "schema snapshot")
    stats = read_stats(args.stats, sql)
    try:
        result = analyze(sql, snapshot=snapshot, stats=stats)
    except SqlInputError as exc:
        raise InputProblem(exc.one_line(name)) from None
    if args.format == "json":
        print(result.model_dump_json(indent=2))
    else:
        print(format_result(result))
    return EXIT_OK


def cmd_review_schema(args: argparse.Namespace) -> int:
    snapshot = read_model(args.schema, SchemaSnapshot, "schema snapshot")
    profile = read_model(args.profile, DataProfile, "data profile")
    queries = read_model(args.queries, SlowQueries, "slow_queries.json")
    review = review_schema(snapshot, profile=profile, queries=queries)
    if args.format == "json":
        print(review.model_dump_json(indent=2))
    else:
        print(format_review(review))
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    snapshot = read_model(args.schema, SchemaSnapshot, "schema snapshot")
    threshold = Severity.parse(args.fail_on)
    worst = EXIT_OK
    problems = []
    for path in args.files:
        try:
            name, sql = read_sql(path)
            result = analyze(sql, snapshot=snapshot)
        except InputProblem as exc:
            problems.append(str(exc))
            continue
        except SqlInputError as exc:
            problems.append(exc.one_line(path))
            continue
        for finding in sorted(result.findings, key=lambda f: (f.line or 0, f.col or 0, f.code)):
            print(f"{name}:{finding.line or 1}:{finding.col or 1}: {finding.code} "
                  f"{finding.severity.value} {finding.message}")
            if finding.severity >= threshold:
                worst = EXIT_FINDINGS
        for item in result.not_analysed:
            print(_not_analysed_line(item, name))
            if args.fail_on_unanalysed and worst == EXIT_OK:
                worst = EXIT_NOT_ANALYSED
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_INPUT if problems else worst


def cmd_rules(args: argparse.Namespace) -> int:
    if args.format == "markdown":
        sys.stdout.write(markdown())
    elif args.format == "json":
        print(json.dumps([
            {"code": r.code, "name": r.name, "title": r.title, "severity": r.severity_text,
             "default_severity": r.default_severity.value, "summary": r.summary, "fix": r.fix,
             "scope": r.scope, "needs": list(r.needs)}
            for r in rules()
        ], indent=2))
    else:
        for r in rules():
            print(f"{r.code}  {r.default_severity.value:<8} {r.name}: {r.summary}")
    return EXIT_OK


def cmd_sql_guard(args: argparse.Namespace) -> int:
    from redshift_optimizer import sql_guard

    if args.format == "markdown":
        sys.stdout.write(sql_guard.allow_list_markdown())
        return EXIT_OK
    if args.format == "json":
        print(json.dumps({"functions": sql_guard.ALLOWED_FUNCTIONS, "syntax": sql_guard.ALLOWED_SYNTAX,
                          "node_types": sql_guard.allowed_node_types(),
                          "system_schemas": sql_guard.SYSTEM_SCHEMAS,
                          "system_prefixes": sql_guard.SYSTEM_PREFIXES}, indent=2))
        return EXIT_OK
    if args.files:
        worst = EXIT_OK
        for path in args.files:
            name, text = read_sql(path)
            try:
                sql_guard.guard(text)
                print(f"{name}: allowed")
            except SqlInputError as exc:
                print(exc.one_line(name))
                worst = EXIT_FINDINGS
        return worst
    for family, names in sql_guard.ALLOWED_FUNCTIONS.items():
        print(f"{family}: {', '.join(sorted(names))}")
    return EXIT_OK


# ------------------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {r.code}  {r.name}" for r in rules())
    parser = argparse.ArgumentParser(
        prog="redshift-optimizer",
        description="Static analysis of Redshift SQL: findings with evidence, verified rewrites, "
                    "table design and workload review.",
        epilog=f"Rules (version {RULES_VERSION}):\n{listing}\n\nExit codes: 0 done, 1 lint "
               "findings at --fail-on or above, 2 unusable input, 3 lint --fail-on-unanalysed "
               "met a statement it could not analyse.\n\nA statement the parser can keep only as "
               "an opaque command (PREPARE whose query does not parse, syntax it does not know "
               "such as a cast to aclitem[]) is reported as 'not analysed' with its position and "
               "reason (text, JSON not_analysed, lint lines); it never counts as 0 findings. "
               "It changes the exit code only with lint --fail-on-unanalysed.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("analyze", help="findings and a verified rewrite for one query",
                       description="Analyse one SQL file (or - for standard input): findings with "
                                   "evidence and fixes, and a rewrite where one preserves results. "
                                   "Statements it could not analyse are listed as 'not analysed' "
                                   "with position and reason. Exits 0 whatever it finds; 2 when "
                                   "the SQL does not parse.")
    p.add_argument("file", nargs="?", default="-", metavar="FILE|-", help="SQL file (default: standard input)")
    p.add_argument("--schema", metavar="schema.json", help="schema snapshot (metadata/schema/schema.json); "
                   "without it, rules that need table sizes and keys stay silent")
    p.add_argument("--stats", metavar="stats.json", help="the query's statistics: one SlowQuery object, or "
                   "a slow_queries.json (the entry with the query's fingerprint is used)")
    p.add_argument("--format", choices=("json", "text"), default="text", help="output format (default text)")
    p.set_defaults(run=cmd_analyze)

    p = sub.add_parser("review-schema", help="table design (T) and workload (C) findings",
                       description="Review every table of a schema snapshot (T codes) and, with the "
                                   "slow-query window, the workload (C codes and T012/T013 from the "
                                   "queries' joins and filters).")
    p.add_argument("--schema", required=True, metavar="schema.json", help="schema snapshot")
    p.add_argument("--profile", metavar="profile.json", help="data profile (profile-YYYYMMDD.json)")
    p.add_argument("--queries", metavar="slow_queries.json", help="slow-query window")
    p.add_argument("--format", choices=("json", "text"), default="text", help="output format (default text)")
    p.set_defaults(run=cmd_review_schema)

    p = sub.add_parser("lint", help="report findings as file:line:col and fail on a severity",
                       description="Lint SQL files: one line per finding, 'file:line:col: CODE "
                                   "severity message', and 'file:line:col: not analysed: reason' "
                                   "for each statement the parser could only keep as an opaque "
                                   "command. Exits 1 when a finding reaches --fail-on, 2 when a "
                                   "file cannot be read or parsed, 3 with --fail-on-unanalysed "
                                   "when a statement was not analysed (and no finding reached "
                                   "--fail-on).")
    p.add_argument("files", nargs="+", metavar="FILE", help="SQL files (- for standard input)")
    p.add_argument("--schema", metavar="schema.json", help="schema snapshot")
    p.add_argument("--fail-on", default="HIGH", type=str.upper,
                   choices=[s.value for s in Severity], help="lowest severity that fails (default HIGH)")
    p.add_argument("--fail-on-unanalysed", action="store_true",
                   help="exit 3 when a statement could not be analysed (default: report it, exit as the findings say)")
    p.set_defaults(run=cmd_lint)

    p = sub.add_parser("rules", help="list the rules of the catalogue",
                       description="The catalogue of finding codes, every rule of the engine: query (Q), "
                                   "table (T), workload (C) and validation (V) rules, with code, default "
                                   "severity and summary.")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                   help="text listing, the docs/rules.md page, or JSON")
    p.set_defaults(run=cmd_rules)

    add_prompts_parser(sub)
    p = sub.add_parser("sql-guard", help="the SQL guard: its allow-list, or check SQL files against it",
                       description="What the product runs of a caller's SQL on the warehouse: one read-only "
                                   "query of allow-listed functions. Without files, lists the allow-list "
                                   "(markdown: the docs/sql-guard.md page). With files, says whether each "
                                   "would run; exits 1 when one is refused.")
    p.add_argument("files", nargs="*", metavar="FILE", help="SQL files to check (- for standard input)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                   help="the allow-list as text, the docs/sql-guard.md page, or JSON")
    p.set_defaults(run=cmd_sql_guard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except InputProblem as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    except OptimizerError as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except RecursionError:
        print("the SQL is nested too deeply to analyse", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
