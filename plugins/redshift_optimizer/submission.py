"""One submitted query, checked once: :meth:`Submission.check` gives its statements and its
fingerprint, or a :class:`SubmissionError` that names the problem, its line and column, and
the setting of any limit it is over.

The API (``POST /optimize/redshift``) and the ad-hoc DAG's plan step both call it, with
their own limits (:class:`SubmissionLimits`), so what one accepts the other accepts too.

The work is bounded before anything is parsed:

1. the size (characters);
2. a cheap scan outside strings, quoted names and comments (one regular expression, no
   parse tree): how deep the parentheses nest (1,000 nested subqueries are refused in a few
   milliseconds, where parsing them takes minutes) and how many tokens there are;
3. the parse itself runs against a time budget: past it the submission is refused (the
   pre-check keeps what can reach the parser small, so the parse that was given up ends
   soon after on its own; a Python parser cannot be interrupted from outside).

Then what sqlglot accepts but Redshift does not is refused: an empty select list
(``SELECT``, ``SELECT 1 UNION SELECT``, ``SELECT FROM t``), an empty ``IN ()``, a comma with
nothing after it, ``ON``, ``GROUP BY``, ``ORDER BY``, ``WHERE``, a set operator or an
operator with nothing after it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field
from sqlglot import exp

from redshift_optimizer.fingerprint import Fingerprint, fingerprint
from redshift_optimizer.sql.parsing import (
    DIALECT,
    SqlInputError,
    first_offset,
    line_col,
    parse_statements,
)


class SubmissionError(SqlInputError):
    """A submission that is refused: ``kind`` is ``too_large`` (over the size limit),
    ``too_complex`` (over a nesting, token or time limit), ``syntax`` or ``input``;
    ``setting`` names the limit's setting when a limit refused it."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None, *,
                 kind: str = "syntax", setting: str | None = None):
        super().__init__(message, line, col)
        self.kind = kind
        self.setting = setting


class SubmissionLimits(BaseModel):
    """The limits of one caller of :meth:`Submission.check`, with the names of the settings
    they come from (used in the messages)."""

    max_chars: int = Field(100_000, ge=1, description="longest SQL accepted (characters)")
    max_depth: int = Field(50, ge=1, description="deepest nesting of parentheses (subqueries, calls)")
    max_tokens: int = Field(30_000, ge=1, description="most tokens (words, literals, operators)")
    parse_seconds: float = Field(5.0, gt=0, description="time budget of the parse")
    settings: dict[str, str] = Field(default_factory=lambda: {
        "max_chars": "submission_max_chars", "max_depth": "submission_max_depth",
        "max_tokens": "submission_max_tokens", "parse_seconds": "submission_parse_seconds"})

    def setting(self, name: str) -> str:
        return self.settings.get(name, name)


# One scanner for what is not code (comments, strings, quoted names: skipped as one token),
# then words, parentheses and any other character.
_SCAN = re.compile(
    r"--[^\n]*|/\*.*?(?:\*/|\Z)|'(?:[^'\\]|''|\\.)*(?:'|\Z)|\"(?:[^\"]|\"\")*(?:\"|\Z)"
    r"|(?P<open>\()|(?P<close>\))|[\w$]+|[^\s\w$]",
    re.S,
)


def precheck(sql: str, limits: SubmissionLimits) -> None:
    """Refuse SQL over the size, nesting or token limits, without parsing it."""
    if len(sql) > limits.max_chars:
        raise SubmissionError(
            f"the SQL is {len(sql):,} characters; at most {limits.max_chars:,} are accepted "
            f"(setting {limits.setting('max_chars')})", kind="too_large", setting=limits.setting("max_chars"))
    depth = tokens = 0
    for match in _SCAN.finditer(sql):
        tokens += 1
        if match.lastgroup == "open":
            depth += 1
            if depth > limits.max_depth:
                raise _over(limits, "max_depth", sql, match.start(),
                            f"the SQL nests parentheses (subqueries, calls) more than {limits.max_depth} deep")
        elif match.lastgroup == "close":
            depth = max(depth - 1, 0)
        if tokens > limits.max_tokens:
            raise _over(limits, "max_tokens", sql, match.start(),
                        f"the SQL has more than {limits.max_tokens:,} tokens")


def _over(limits: SubmissionLimits, name: str, sql: str, offset: int, message: str) -> SubmissionError:
    line, col = line_col(sql, offset)
    setting = limits.setting(name)
    return SubmissionError(f"{message} (setting {setting})", line, col, kind="too_complex", setting=setting)


def parse_within(sql: str, limits: SubmissionLimits) -> list[exp.Expression]:
    """``parse_statements`` with the time budget: SubmissionError when it is over."""
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["statements"] = parse_statements(sql)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="submission-parse", daemon=True)
    worker.start()
    worker.join(limits.parse_seconds)
    if worker.is_alive():
        raise SubmissionError(
            f"parsing the SQL took more than {limits.parse_seconds:g} s "
            f"(setting {limits.setting('parse_seconds')}): simplify it or split it",
            kind="too_complex", setting=limits.setting("parse_seconds"))
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, SqlInputError):
            raise SubmissionError(error.message, error.line, error.col,
                                  kind="syntax" if error.line is not None else "input") from None
        raise error
    return outcome["statements"]


# ----------------------------------------------------------- what Redshift refuses

def _types(*names: str) -> frozenset:
    from sqlglot.tokens import TokenType

    return frozenset(getattr(TokenType, name) for name in names if hasattr(TokenType, name))


# Tokens that end a clause: nothing can follow a dangling keyword with one of these.
_CLAUSE_END = _types(
    "FROM", "R_PAREN", "SEMICOLON", "COMMA", "WHERE", "GROUP_BY", "ORDER_BY", "HAVING", "LIMIT",
    "UNION", "EXCEPT", "INTERSECT", "QUALIFY", "WINDOW", "OFFSET", "INTO", "JOIN", "ON", "USING",
    "END", "WHEN", "THEN", "ELSE", "AND", "OR",
)
_NEEDS_MORE = {  # token: what it is, for "<what> with nothing after it"
    **dict.fromkeys(_types("COMMA"), "a comma"),
    **dict.fromkeys(_types("ON"), "ON (a join condition)"),
    **dict.fromkeys(_types("GROUP_BY"), "GROUP BY"),
    **dict.fromkeys(_types("ORDER_BY"), "ORDER BY"),
    **dict.fromkeys(_types("PARTITION_BY"), "PARTITION BY"),
    **dict.fromkeys(_types("WHERE"), "WHERE"),
    **dict.fromkeys(_types("HAVING"), "HAVING"),
    **dict.fromkeys(_types("AND", "OR"), "a logical operator"),
    **dict.fromkeys(_types("THEN", "ELSE", "WHEN"), "a CASE branch"),
    **dict.fromkeys(_types("UNION", "EXCEPT", "INTERSECT"), "a set operator"),
    **dict.fromkeys(_types("PLUS", "DASH", "SLASH", "EQ", "NEQ", "LT", "GT", "LTE", "GTE", "DPIPE", "MOD"),
                    "an operator"),
}
_SELECT = _types("SELECT")
_SET_OPERATORS = _types("UNION", "EXCEPT", "INTERSECT")
_SKIPPED_AFTER = _types("DISTINCT", "ALL")  # SELECT DISTINCT, UNION ALL
_IN = _types("IN")
_L_PAREN, _R_PAREN = _types("L_PAREN"), _types("R_PAREN")
# Statements whose keywords mean something else (GRANT SELECT, INSERT ON ...) or whose
# text is opaque: their tokens are not checked here.
_NOT_CHECKED = tuple(getattr(exp, name) for name in ("Grant", "Revoke", "Command") if hasattr(exp, name))


def incomplete(sql: str, statements: list[exp.Expression]) -> SubmissionError | None:
    """The first place where the SQL is not complete Redshift, or None."""
    if any(isinstance(statement, _NOT_CHECKED) for statement in statements):
        return None
    from sqlglot.dialects.dialect import Dialect

    tokens = Dialect.get_or_raise(DIALECT).tokenize(sql)
    for index, token in enumerate(tokens):
        kind = token.token_type
        after = index + 1
        if kind in _SELECT or kind in _SET_OPERATORS:
            while after < len(tokens) and tokens[after].token_type in _SKIPPED_AFTER:
                after += 1
        following = tokens[after] if after < len(tokens) else None
        ends = following is None or following.token_type in _CLAUSE_END
        if kind in _SELECT and ends:
            return _at(sql, token, "the select list is empty: name at least one column or expression")
        if kind in _IN and following is not None and following.token_type in _L_PAREN \
                and after + 1 < len(tokens) and tokens[after + 1].token_type in _R_PAREN:
            return _at(sql, token, "IN () is empty: list at least one value, or use a subquery")
        if kind in _NEEDS_MORE and ends:
            return _at(sql, token, f"{_NEEDS_MORE[kind]} with nothing after it")
    return None


def _at(sql: str, token: Any, message: str) -> SubmissionError:
    line, col = line_col(sql, token.start)
    return SubmissionError(f"syntax error: {message}", line, col)


# ------------------------------------------------------------------------ the check

@dataclass(frozen=True)
class Submission:
    """A submitted query that passed the check: its text, statements and fingerprint."""

    sql: str
    statements: list[exp.Expression] = field(repr=False)
    fingerprint: Fingerprint

    @property
    def query_hash(self) -> str:
        return self.fingerprint.query_hash

    @classmethod
    def check(cls, sql: Any, limits: SubmissionLimits | None = None, *, single: bool = True) -> "Submission":
        """The checked submission, or SubmissionError (with line and column where there is
        one); ``single``: exactly one statement."""
        from redshift_optimizer.analysis import check_input

        limits = limits or SubmissionLimits()
        if isinstance(sql, str) and len(sql) > limits.max_chars:
            precheck(sql, limits)  # the size message, before anything else reads the text
        try:
            sql = check_input(sql)
        except SqlInputError as exc:
            raise SubmissionError(exc.message, exc.line, exc.col, kind="input") from None
        precheck(sql, limits)
        statements = parse_within(sql, limits)
        if single and len(statements) > 1:
            offset = first_offset(statements[1])
            line, col = line_col(sql, offset) if offset is not None else (None, None)
            raise SubmissionError(f"expected one statement, got {len(statements)}: submit them one at a time",
                                  line, col)
        problem = incomplete(sql, statements)
        if problem is not None:
            raise problem
        return cls(sql=sql, statements=statements, fingerprint=fingerprint(sql))


__all__ = ["Submission", "SubmissionError", "SubmissionLimits", "incomplete", "parse_within", "precheck"]
