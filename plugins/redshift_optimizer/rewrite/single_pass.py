"""Several reads of one table that differ only in their filters, as one pass (Q018).

Three shapes, each over one base table with no joins, grouping, DISTINCT or LIMIT in the reads:

- ``SELECT 'a', COUNT(*), SUM(x) FROM t WHERE c AND f1 UNION ALL SELECT 'b', ... WHERE c AND f2``
  (aggregates only, one row per branch): one scan computes every branch's aggregates with
  ``CASE WHEN f THEN ... END``, and a two-row constant list unpivots them into the branches' rows;
- ``SELECT cols FROM t WHERE c AND f1 UNION SELECT cols FROM t WHERE c AND f2`` (the same
  columns): ``SELECT DISTINCT cols FROM t WHERE c AND (f1 OR f2)``, the same set of rows;
- ``SELECT (SELECT COUNT(*) FROM t WHERE f1) AS a, (SELECT SUM(x) FROM t WHERE f2) AS b``:
  ``SELECT COUNT(CASE WHEN f1 THEN 1 END) AS a, SUM(CASE WHEN f2 THEN x END) AS b FROM t WHERE f1 OR f2``.

Conditional aggregates keep the empty-set results: COUNT of no rows is 0, SUM/AVG/MIN/MAX NULL.
"""

from __future__ import annotations

from sqlglot import exp

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.trees import conjuncts

_AGGREGATES = (exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max)


def single_pass(tree: exp.Expression, snapshot: SchemaSnapshot | None = None) -> exp.Expression:
    """Each set operation or scalar-subquery list that reads one table several times, as one read."""
    tree = tree.copy()
    for node in list(tree.find_all(exp.Union, exp.Select)):
        if node.find_ancestor(exp.Union) is not None and isinstance(node, exp.Union) and \
                isinstance(node.parent, exp.Union):
            continue  # the chain is handled from its top
        new = None
        if isinstance(node, exp.Union):
            new = _union_all_aggregates(node) if not node.args.get("distinct") else _union_distinct(node)
        elif isinstance(node, exp.Select):
            new = _scalar_subqueries(node) or _nested_scalar_subqueries(node, snapshot)
        if new is not None:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


# ----------------------------------------------------------------------- the reads


def _branches(union: exp.Union) -> list[exp.Select] | None:
    """The SELECTs of a chain of one kind of UNION (all ALL or all DISTINCT)."""
    distinct = bool(union.args.get("distinct"))
    out: list[exp.Select] = []

    def walk(node: exp.Expression) -> bool:
        if isinstance(node, exp.Union) and bool(node.args.get("distinct")) == distinct and node is not union \
                and any(node.args.get(k) for k in ("order", "limit", "offset")):
            return False
        if isinstance(node, exp.Union) and bool(node.args.get("distinct")) == distinct:
            return walk(node.this) and walk(node.expression)
        if isinstance(node, exp.Select):
            out.append(node)
            return True
        return False

    if not (walk(union.this) and walk(union.expression)):
        return None
    return out


def _plain_read(select: exp.Select) -> tuple[str, exp.Table] | None:
    """(key, table) when the SELECT reads one base table with no joins, grouping or limits."""
    if any(select.args.get(k) for k in ("joins", "group", "having", "limit", "offset", "qualify", "distinct",
                                         "with_", "laterals", "order", "into")):
        return None
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is None or not isinstance(from_.this, exp.Table) or not from_.this.name:
        return None
    table = from_.this
    if any(isinstance(n, (exp.Subquery, exp.Window)) for n in select.walk()):
        return None
    key = ".".join(p.lower() for p in (table.catalog, table.db, table.name) if p) + " AS " + table.alias_or_name.lower()
    return key, table


def _filters(select: exp.Select) -> list[exp.Expression]:
    where = select.args.get("where")
    return conjuncts(where.this) if where is not None else []


def _split(filters: list[list[exp.Expression]]) -> tuple[list[exp.Expression], list[exp.Expression | None]]:
    """The conjuncts every branch has (by text) and each branch's rest (None: no rest)."""
    texts = [{f.sql() for f in fs} for fs in filters]
    common_text = set.intersection(*texts)
    common = [f for f in filters[0] if f.sql() in common_text]
    rests = []
    for fs in filters:
        rest = [f for f in fs if f.sql() not in common_text]
        rests.append(exp.and_(*[r.copy() for r in rest]) if rest else None)
    return [c.copy() for c in common], rests


def _where(common: list[exp.Expression], rests: list[exp.Expression | None]) -> exp.Where | None:
    parts = list(common)
    if all(r is not None for r in rests):
        unique = list({r.sql(): r for r in rests}.values())
        parts.append(exp.Paren(this=exp.or_(*[exp.Paren(this=r.copy()) for r in unique])))
    return exp.Where(this=exp.and_(*parts)) if parts else None


def _conditional(aggregate: exp.Expression, condition: exp.Expression | None) -> exp.Expression | None:
    """The aggregate over only the rows where ``condition`` holds."""
    if condition is None:
        return aggregate.copy()
    if not isinstance(aggregate, _AGGREGATES) or aggregate.args.get("distinct") or isinstance(aggregate.this, exp.Distinct):
        return None
    argument = aggregate.this
    if isinstance(aggregate, exp.Count) and (argument is None or isinstance(argument, exp.Star)):
        value: exp.Expression = exp.Literal.number(1)
    elif argument is None or any(isinstance(n, _AGGREGATES) for n in argument.walk()):
        return None
    else:
        value = argument.copy()
    case = exp.Case(ifs=[exp.If(this=exp.Paren(this=condition.copy()), true=value)])
    new = aggregate.copy()
    new.set("this", case)
    return new


# ------------------------------------------------- UNION ALL of aggregate rows


def _union_all_aggregates(union: exp.Union) -> exp.Expression | None:
    branches = _branches(union)
    if branches is None or len(branches) < 2:
        return None
    reads = [_plain_read(b) for b in branches]
    if any(r is None for r in reads) or len({r[0] for r in reads}) != 1:
        return None
    width = len(branches[0].expressions)
    if any(len(b.expressions) != width for b in branches):
        return None
    common, rests = _split([_filters(b) for b in branches])
    names = [p.alias_or_name for p in branches[0].expressions]
    if any(not n or n == "*" for n in names):
        return None
    pass_columns: list[exp.Expression] = []
    cells: list[list[exp.Expression]] = []  # per branch, per column: a literal or a reference
    for index, branch in enumerate(branches):
        row = []
        for position, projection in enumerate(branch.expressions):
            value = projection.this if isinstance(projection, exp.Alias) else projection
            if isinstance(value, exp.Literal) or (isinstance(value, exp.Neg) and isinstance(value.this, exp.Literal)):
                row.append(value.copy())
                continue
            if not isinstance(value, _AGGREGATES):
                return None
            conditional = _conditional(value, rests[index])
            if conditional is None:
                return None
            alias = f"b{index + 1}_c{position + 1}"
            pass_columns.append(exp.alias_(conditional, alias))
            row.append(exp.column(alias, table="one_pass"))
        cells.append(row)
    if not pass_columns:
        return None
    table = branches[0].args.get("from_") or branches[0].args.get("from")
    inner = exp.Select(expressions=pass_columns).from_(table.this.copy())
    where = _where(common, rests)
    if where is not None:
        inner.set("where", where)
    numbers = exp.union(*[exp.select(exp.alias_(exp.Literal.number(i + 1), "branch")) for i in range(len(branches))],
                        distinct=False)
    projections = []
    for position, name in enumerate(names):
        case = exp.Case(this=exp.column("branch", table="branches"),
                        ifs=[exp.If(this=exp.Literal.number(i + 1), true=cells[i][position])
                             for i in range(len(branches))])
        projections.append(exp.alias_(case, name))
    outer = exp.Select(expressions=projections).from_(exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("one_pass"))))
    outer = outer.join(exp.Subquery(this=numbers, alias=exp.TableAlias(this=exp.to_identifier("branches"))), join_type="CROSS")
    for key in ("order", "limit", "offset", "with_"):
        if union.args.get(key) is not None:
            outer.set(key, union.args[key].copy())
    return outer


# ------------------------------------------------- UNION of the same columns


def _union_distinct(union: exp.Union) -> exp.Expression | None:
    branches = _branches(union)
    if branches is None or len(branches) < 2:
        return None
    reads = [_plain_read(b) for b in branches]
    if any(r is None for r in reads) or len({r[0] for r in reads}) != 1:
        return None
    if len({tuple(p.sql() for p in b.expressions) for b in branches}) != 1:
        return None
    if any(isinstance(n, _AGGREGATES) or isinstance(n, exp.Star) for p in branches[0].expressions for n in p.walk()):
        return None
    common, rests = _split([_filters(b) for b in branches])
    select = branches[0].copy()
    select.set("distinct", exp.Distinct())
    where = _where(common, rests)
    select.set("where", where)
    for key in ("order", "limit", "offset", "with_"):
        if union.args.get(key) is not None:
            select.set(key, union.args[key].copy())
    return select


# ------------------------------------------------- scalar subqueries over one table


def _scalar_subqueries(select: exp.Select) -> exp.Expression | None:
    if select.args.get("from_") or select.args.get("from") or select.args.get("where") or len(select.expressions) < 2:
        return None
    items = []
    for projection in select.expressions:
        value = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(value, exp.Literal):
            items.append((projection, None))
            continue
        if not isinstance(value, exp.Subquery) or not isinstance(value.this, exp.Select) or not isinstance(projection, exp.Alias):
            return None
        inner = value.this
        read = _plain_read(inner)
        if read is None or len(inner.expressions) != 1:
            return None
        aggregate = inner.expressions[0]
        aggregate = aggregate.this if isinstance(aggregate, exp.Alias) else aggregate
        if not isinstance(aggregate, _AGGREGATES):
            return None
        items.append((projection, (read, inner, aggregate)))
    reads = [i[1] for i in items if i[1] is not None]
    if len(reads) < 2 or len({r[0][0] for r in reads}) != 1:
        return None
    common, rests = _split([_filters(r[1]) for r in reads])
    projections = []
    index = 0
    for projection, read in items:
        if read is None:
            projections.append(projection.copy())
            continue
        conditional = _conditional(read[2], rests[index])
        if conditional is None:
            return None
        projections.append(exp.alias_(conditional, projection.alias))
        index += 1
    table = reads[0][0][1]
    new = exp.Select(expressions=projections).from_(table.copy())
    where = _where(common, rests)
    if where is not None:
        new.set("where", where)
    return new


def _nested_scalar_subqueries(select: exp.Select, snapshot: SchemaSnapshot | None) -> exp.Expression | None:
    """Uncorrelated scalar aggregates over one table anywhere in the SELECT list (inside CASE,
    arithmetic), the outer query reading its own FROM (TPC-DS query 9): each subquery
    becomes a column of one derived table that reads the table once, joined as one row."""
    from redshift_optimizer.sql.query import Query

    if snapshot is None or select.args.get("with_"):
        return None  # without the snapshot, an unqualified column may be an outer reference
    subqueries = [n for p in select.expressions for n in p.find_all(exp.Subquery)
                  if n.find_ancestor(exp.Subquery) is None or n.find_ancestor(exp.Subquery) not in
                  [m for q in select.expressions for m in q.find_all(exp.Subquery)]]
    if len(subqueries) < 2:
        return None
    ctx = Query("", select, snapshot)
    reads = []
    for subquery in subqueries:
        inner = subquery.this
        if not isinstance(inner, exp.Select):
            return None
        read = _plain_read(inner)
        if read is None or len(inner.expressions) != 1:
            return None
        aggregate = inner.expressions[0]
        aggregate = aggregate.this if isinstance(aggregate, exp.Alias) else aggregate
        if not isinstance(aggregate, _AGGREGATES):
            return None
        scope = next((sc for sc in ctx.scopes if sc.expression is inner), None)
        if scope is None:
            return None
        own = set(ctx.sources(scope).values())
        for part in (aggregate, inner.args.get("where")):
            if part is None:
                continue
            refs = ctx.referenced_sources(part, scope)
            if refs is None or not refs <= own:
                return None  # correlated, or a column the snapshot cannot place
        reads.append((subquery, read, inner, aggregate))
    if len({r[1][0] for r in reads}) != 1:
        return None
    common, rests = _split([_filters(r[2]) for r in reads])
    new = select.copy()
    copies = [n for p in new.expressions for n in p.find_all(exp.Subquery)]
    copies = [c for c in copies if c.find_ancestor(exp.Subquery) is None or c.find_ancestor(exp.Subquery) not in copies]
    if len(copies) != len(reads):
        return None
    columns: dict[str, str] = {}
    projections = []
    for (subquery, _, _, aggregate), rest, copy in zip(reads, rests, copies):
        conditional = _conditional(aggregate, rest)
        if conditional is None:
            return None
        name = columns.get(conditional.sql())
        if name is None:
            name = columns[conditional.sql()] = f"s{len(columns) + 1}"
            projections.append(exp.alias_(conditional, name))
        copy.replace(exp.column(name, table="one_pass"))
    inner_select = exp.Select(expressions=projections).from_(reads[0][1][1].copy())
    where = _where(common, rests)
    if where is not None:
        inner_select.set("where", where)
    derived = exp.Subquery(this=inner_select, alias=exp.TableAlias(this=exp.to_identifier("one_pass")))
    if new.args.get("from_") is None:
        new.set("from_", exp.From(this=derived))
    else:
        new.append("joins", exp.Join(this=derived, kind="CROSS"))
    return new


__all__ = ["single_pass"]
