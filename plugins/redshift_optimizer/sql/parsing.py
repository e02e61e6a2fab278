"""Parsing Redshift SQL for the analyzer, and errors a user can act on when it does not parse.

sqlglot is lenient: ``hello world`` parses as an alias and ``a,, b`` as a list. The
analyzer only accepts statements (queries, DML, DDL, commands), and reports any other input
as one line that names the line, the column and what was expected.
"""

from __future__ import annotations

import contextvars
import logging
import re

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError

from redshift_optimizer.errors import OptimizerError
from redshift_optimizer.sql import DIALECT
from redshift_optimizer.sql.positions import first_offset, line_col

# What a statement may be at the top level; anything else is not SQL we can analyse.
_STATEMENTS = tuple(
    getattr(exp, name) for name in (
        "Query", "DML", "DDL", "Command", "Copy", "Set", "Transaction", "Commit", "Rollback",
        "Use", "Describe", "Pragma", "Analyze", "Grant", "Revoke", "Drop", "TruncateTable",
        "Alter", "Comment", "Show",
    ) if hasattr(exp, name)
)
# Redshift statements that carry no query: when sqlglot cannot parse one (ANALYZE
# COMPRESSION, SORTKEY AUTO, CANCEL, CLOSE ...), it is kept as an opaque command instead of
# being reported as a syntax error. CREATE and ALTER only when no SELECT is inside.
_UTILITY = {
    "abort", "alter", "analyze", "begin", "call", "cancel", "close", "comment", "copy", "create",
    "deallocate", "declare", "drop", "end", "execute", "explain", "fetch", "grant", "lock",
    "prepare", "refresh", "reset", "revoke", "set", "show", "start", "truncate", "unload", "vacuum",
}
# Redshift's simplified MERGE (no WHEN clauses), which sqlglot does not parse.
_REMOVE_DUPLICATES = re.compile(r"\s*merge\s+into\s+[\w.\"]+\s+using\b.*\bremove\s+duplicates\s*$", re.I | re.S)
_QUERY_INSIDE = {"create", "alter", "explain", "declare", "prepare"}
_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.\w+, text: (.*?), line: \d+.*?>")
_CLASS_REPR = re.compile(r"<class 'sqlglot\.expressions\.(?:\w+\.)*(\w+)'>")
_OPEN_QUOTE = re.compile(
    r"--[^\n]*|/\*.*?(?:\*/|\Z)|'(?:[^'\\]|''|\\.)*(?:'|\Z)|\"(?:[^\"]|\"\")*(?:\"|\Z)", re.S
)


class _CommandFallback(logging.Filter):
    """sqlglot logs a warning for each statement it can only keep as an opaque command. The
    analyzer reports those statements itself (``AnalysisResult.not_analysed``), with the
    position and the reason; on stderr the warning is noise that names no file."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to parsing as a 'Command'" not in record.getMessage()


logging.getLogger("sqlglot").addFilter(_CommandFallback())

#: Syntax Redshift accepts and sqlglot does not parse, so that a statement using it is kept as
#: not analysed (with this reason) instead of reported as the user's syntax error.
_UNKNOWN_SYNTAX = (
    (re.compile(r"::\s*(\w+)\s*\[\s*\]", re.I),
     "a cast to the array type {0}[] (Redshift catalog syntax the parser does not know)"),
)

#: Command keywords that carry no query: nothing a query rule could check is lost.
NO_QUERY = {
    "abort", "analyze", "begin", "call", "cancel", "close", "comment", "commit", "copy",
    "deallocate", "drop", "end", "fetch", "grant", "lock", "refresh", "reset", "revoke",
    "rollback", "set", "show", "start", "truncate", "vacuum", "use",
}


#: Whether sqlglot's Redshift parser looks for implicit UNNESTs (see ``parse``): on unless
#: ``parse`` turns it off for the one call it makes, in its own thread or task.
_IMPLICIT_UNNEST: contextvars.ContextVar[bool] = contextvars.ContextVar("implicit_unnest", default=True)


def _gate_implicit_unnest() -> bool:
    """Make the Redshift parser's SUPPORTS_IMPLICIT_UNNEST read ``_IMPLICIT_UNNEST`` (True,
    as the dialect says, for every other caller); False when the parser has no such flag.
    A dialect subclass whose parser sets the flag cannot do it: sqlglot ships its parser
    compiled, and an interpreted class cannot inherit from a compiled one."""
    parser = Dialect.get_or_raise(DIALECT).parser_class
    flag = parser.__dict__.get("SUPPORTS_IMPLICIT_UNNEST")
    if isinstance(flag, property):
        return True  # gated already
    if flag is not True:
        return False
    parser.SUPPORTS_IMPLICIT_UNNEST = property(lambda _parser: _IMPLICIT_UNNEST.get())
    return True


_GATED = _gate_implicit_unnest()


def _may_unnest(tree: exp.Expression) -> bool:
    """True when a SELECT of the tree comma-joins (no ON) a name qualified by one of its
    relations (``FROM e, e.items AS i``), which the parser's implicit-UNNEST pass would
    rewrite. A superset of the pass's own test (which only looks at the relations before the
    join): False means the pass leaves the tree as it is."""
    for join in tree.find_all(exp.Join, bfs=False):  # any order: one is enough
        table, holder = join.this, join.parent
        if join.args.get("on") or not isinstance(table, exp.Table) or len(table.parts) < 2:
            continue
        from_ = holder.args.get("from_") if holder is not None else None
        if from_ is None:
            continue  # the pass only reads a SELECT with a FROM
        relations = [from_.this, *(j.this for j in holder.args.get("joins") or [])]
        names = {r.alias_or_name.lower() for r in relations if isinstance(r, exp.Expression)}
        if table.parts[0].name.lower() in names:
            return True
    return False


def parse(sql: str) -> list[exp.Expression | None]:
    """``sqlglot.parse(sql, read="redshift")``, the same trees in less time.

    The Redshift parser rewrites SUPER navigation in a comma join (``FROM e, e.items AS i``)
    as UNNEST; to look for it, it copies the FROM relation and every joined table of every
    SELECT, about half the time of parsing a query. The text is parsed with that pass off,
    and again with it on (the trees are then the parser's own) when some SELECT has a join
    the pass could rewrite, or when the first parse fails."""
    if not _GATED:
        return sqlglot.parse(sql, read=DIALECT)
    token = _IMPLICIT_UNNEST.set(False)
    try:
        trees = sqlglot.parse(sql, read=DIALECT)
    except (TokenError, RecursionError):
        raise  # the tokens and the nesting are the same with the pass on
    except Exception:  # noqa: BLE001 - the parser's own error (or success) decides, with the pass on
        trees = None
    finally:
        _IMPLICIT_UNNEST.reset(token)
    if trees is None or any(_may_unnest(tree) for tree in trees if tree is not None):
        return sqlglot.parse(sql, read=DIALECT)
    return trees


def parse_one(sql: str) -> exp.Expression:
    """``sqlglot.parse_one(sql, read="redshift")`` by way of :func:`parse`."""
    trees = parse(sql)
    if len(trees) != 1 or trees[0] is None:
        return sqlglot.parse_one(sql, read=DIALECT)  # its own error for none or several
    return trees[0]


class SqlInputError(OptimizerError):
    """The SQL given cannot be analysed: empty, too large, not text, or not SQL."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col

    def one_line(self, source: str | None = None) -> str:
        """``source:line:col: message``, the way compilers report."""
        where = [source] if source else []
        if self.line is not None:
            where += [str(self.line), str(self.col or 1)]
        text = " ".join(self.message.split())
        return f"{':'.join(where)}: {text}" if where else text


class SqlSyntaxError(SqlInputError):
    """The SQL does not parse as Redshift SQL."""


def _describe(error: dict) -> str:
    description = str(error.get("description") or "syntax error")
    description = _TOKEN_REPR.sub(lambda m: repr(m.group(1)), description)
    description = _CLASS_REPR.sub(lambda m: m.group(1).upper(), description)
    highlight = (error.get("highlight") or "").strip()
    if description.startswith("Invalid expression / Unexpected token"):
        return f"unexpected {highlight!r}" if highlight else "unexpected end of input"
    match = re.match(r"Required keyword: '(\w+)' missing for (\w+)", description)
    if match:
        return f"expected an expression to complete {match.group(2)} near {highlight!r}"
    if description.startswith("Expecting "):
        got = f", got {highlight!r}" if highlight else ""
        return f"expected {description[len('Expecting '):]}{got}"
    return description[0].lower() + description[1:]


def _unterminated(sql: str) -> SqlSyntaxError:
    for match in _OPEN_QUOTE.finditer(sql):
        text = match.group(0)
        if text[0] in "'\"" and (len(text) == 1 or text[-1] != text[0] or match.end() == len(sql)
                                 and not _closed(text)):
            line, col = line_col(sql, match.start())
            kind = "string" if text[0] == "'" else "quoted identifier"
            return SqlSyntaxError(f"syntax error: unterminated {kind}, expected a closing {text[0]}",
                                  line, col)
    return SqlSyntaxError("syntax error: the SQL cannot be split into tokens")


def _closed(text: str) -> bool:
    quote = text[0]
    body = text[1:]
    return body.endswith(quote) and (len(body) - len(body.rstrip(quote))) % 2 == 1


def parse_statements(sql: str) -> list[exp.Expression]:
    """Every statement of ``sql`` (Redshift dialect); SqlSyntaxError on the first problem."""
    if not sql.strip():
        raise SqlInputError("no SQL given (the input is empty)")
    try:
        trees = parse(sql)
    except TokenError:
        raise _unterminated(sql) from None
    except ParseError as exc:
        trees = _parse_each(sql)
        if trees is not None:
            return _place_commands(sql, trees)
        error = exc.errors[0] if exc.errors else {}
        line, col = error.get("line"), error.get("col")
        highlight = error.get("highlight") or ""
        if col is not None and highlight and "\n" not in highlight:
            col = max(col - len(highlight) + 1, 1)  # sqlglot points at the token's end
        raise SqlSyntaxError(f"syntax error: {_describe(error)}", line, col) from None
    except RecursionError:
        raise SqlInputError("the SQL is nested too deeply to analyse") from None
    statements = [tree for tree in trees if tree is not None]
    if not statements:
        raise SqlInputError("no SQL statement given (only comments or semicolons)")
    if not all(isinstance(tree, _STATEMENTS) for tree in statements):
        fallback = _parse_each(sql)
        if fallback is not None:
            return _place_commands(sql, fallback)
    for tree in statements:
        if not isinstance(tree, _STATEMENTS):
            offset = first_offset(tree)
            offset = offset or 0
            line, col = line_col(sql, offset)
            got = sql[offset:offset + 40].split("\n")[0].strip()
            raise SqlSyntaxError(
                "syntax error: expected a statement (SELECT, WITH, INSERT, UPDATE, DELETE, "
                f"CREATE ...), got {got!r}",
                line, col,
            )
    return _place_commands(sql, statements)


def _place_commands(sql: str, statements: list[exp.Expression]) -> list[exp.Expression]:
    """The statements, each opaque command marked with its offset in the script
    (``meta["statement_offset"]``): the parser gives a command no position, and its text may
    repeat an earlier statement's."""
    if any(isinstance(s, exp.Command) for s in statements):
        offsets = statement_offsets(sql)
        if len(offsets) == len(statements):
            for statement, offset in zip(statements, offsets):
                if isinstance(statement, exp.Command):
                    statement.meta["statement_offset"] = offset
    return statements


def _split(sql: str) -> list[tuple[int, str]]:
    """(offset, text) of each statement of a script (split at the tokenizer's semicolons)."""
    from sqlglot.tokens import TokenType
    from sqlglot.dialects.dialect import Dialect

    chunks, begin = [], 0
    for token in Dialect.get_or_raise(DIALECT).tokenize(sql):
        if token.token_type == TokenType.SEMICOLON:
            chunks.append((begin, sql[begin:token.start]))
            begin = token.end + 1
    chunks.append((begin, sql[begin:]))
    return [(offset, chunk) for offset, chunk in chunks if chunk.strip()]


def _shift(tree: exp.Expression, offset: int) -> exp.Expression:
    """Offsets of a statement parsed alone, made offsets in the whole script."""
    if offset:
        for node in tree.walk():
            meta = node._meta if hasattr(node, "_meta") else None
            if meta and "start" in meta:
                meta["start"] += offset
                meta["end"] += offset
    return tree


def _utility(text: str) -> exp.Command | None:
    """An opaque command for a Redshift utility statement sqlglot cannot parse."""
    stripped = re.sub(r"--[^\n]*|/\*.*?\*/", " ", text, flags=re.S)
    words = stripped.split(None, 1)
    if words and _REMOVE_DUPLICATES.match(stripped):
        return exp.Command(this="MERGE", expression=exp.Literal.string(words[1].strip()))
    if not words or words[0].lower() not in _UTILITY:
        return None
    keyword, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    if keyword in _QUERY_INSIDE and re.search(r"\b(select|with)\b", rest, re.I):
        return None  # a query inside must parse: its syntax errors are the user's to fix
    return exp.Command(this=keyword.upper(), expression=exp.Literal.string(rest.strip()))


def unknown_syntax(text: str) -> tuple[str, int] | None:
    """(reason, offset in the text) of the first Redshift syntax the parser does not know
    (see _UNKNOWN_SYNTAX), outside comments."""
    stripped = re.sub(r"--[^\n]*|/\*.*?\*/", lambda m: " " * len(m.group(0)), text, flags=re.S)
    for pattern, reason in _UNKNOWN_SYNTAX:
        match = pattern.search(stripped)
        if match:
            return reason.format(*match.groups()), match.start()
    return None


def _unknown_syntax(text: str, offset: int) -> exp.Command | None:
    """An opaque command, marked with the reason and where, for a statement that uses
    Redshift syntax the parser does not know."""
    found = unknown_syntax(text)
    words = re.sub(r"--[^\n]*|/\*.*?\*/", " ", text, flags=re.S).split(None, 1)
    if found is None or not words:
        return None
    command = exp.Command(this=words[0].upper(), expression=exp.Literal.string(words[1] if len(words) > 1 else ""))
    command.meta["not_analysed"] = found[0]
    command.meta["not_analysed_offset"] = offset + found[1]
    return command


def statement_offsets(sql: str) -> list[int]:
    """Offset of the first token of each statement of a script (empty when it cannot be split)."""
    try:
        chunks = _split(sql)
    except Exception:  # noqa: BLE001
        return []
    offsets = []
    for offset, chunk in chunks:
        stripped = re.sub(r"--[^\n]*|/\*.*?\*/", lambda m: " " * len(m.group(0)), chunk, flags=re.S)
        offsets.append(offset + len(stripped) - len(stripped.lstrip()))
    return offsets


def _parse_each(sql: str) -> list[exp.Expression] | None:
    """Statements parsed one by one, utility statements sqlglot cannot parse kept as
    commands; None when any other statement fails (the caller reports the error)."""
    try:
        chunks = _split(sql)
    except Exception:  # noqa: BLE001
        return None
    statements: list[exp.Expression] = []
    for offset, chunk in chunks:
        try:
            trees = [t for t in parse(chunk) if t is not None]
        except (ParseError, TokenError, RecursionError):
            trees = None
        if trees is not None and all(isinstance(t, _STATEMENTS) for t in trees):
            statements.extend(_shift(t, offset) for t in trees)
            continue
        command = _utility(chunk) or _unknown_syntax(chunk, offset)
        if command is None:
            return None
        statements.append(command)
    return statements or None


__all__ = [
    "DIALECT",
    "SqlInputError",
    "SqlSyntaxError",
    "NO_QUERY",
    "first_offset",
    "line_col",
    "parse",
    "parse_one",
    "parse_statements",
    "statement_offsets",
    "unknown_syntax",
]
