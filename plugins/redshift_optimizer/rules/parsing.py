"""Parsing Redshift SQL for the rules, and errors a user can act on when it does not parse.

sqlglot is lenient: ``hello world`` parses as an alias and ``a,, b`` as a list. The
analyzer only accepts statements (queries, DML, DDL, commands), and reports any other input
as one line that names the line, the column and what was expected.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from redshift_optimizer.errors import OptimizerError

DIALECT = "redshift"

# What a statement may be at the top level; anything else is not SQL we can analyse.
_STATEMENTS = (
    exp.Query, exp.DML, exp.DDL, exp.Command, exp.Copy, exp.Set, exp.Transaction,
    exp.Commit, exp.Rollback, exp.Use, exp.Describe, exp.Pragma, exp.Analyze, exp.Grant,
)
_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.\w+, text: (.*?), line: \d+.*?>")
_CLASS_REPR = re.compile(r"<class 'sqlglot\.expressions\.(?:\w+\.)*(\w+)'>")
_OPEN_QUOTE = re.compile(
    r"--[^\n]*|/\*.*?(?:\*/|\Z)|'(?:[^'\\]|''|\\.)*(?:'|\Z)|\"(?:[^\"]|\"\")*(?:\"|\Z)", re.S
)


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


def line_col(sql: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = sql.count("\n", 0, offset) + 1
    return line, offset - (sql.rfind("\n", 0, offset) + 1) + 1


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
        trees = sqlglot.parse(sql, read=DIALECT)
    except TokenError:
        raise _unterminated(sql) from None
    except ParseError as exc:
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
    return statements


def first_offset(node: exp.Expression) -> int | None:
    """The smallest original-text offset recorded in the subtree (tokens keep offsets)."""
    best = None
    for child in node.walk():
        start = (child.meta or {}).get("start") if hasattr(child, "meta") else None
        if start is not None and (best is None or start < best):
            best = start
    return best


__all__ = [
    "DIALECT",
    "SqlInputError",
    "SqlSyntaxError",
    "first_offset",
    "line_col",
    "parse_statements",
]
