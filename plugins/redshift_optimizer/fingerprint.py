"""Query fingerprints: normalized text and a stable hash, identical for queries that differ
only in literals, comments, whitespace or keyword case. A regex fast path (no parse tree),
because the metadata refresh fingerprints every query of the window.

The same scanner powers :func:`redact_literals`, which hides the values of a query (what
must not leave the warehouse for an external model) but keeps the rest of the text as
written.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# One scanner for what must be recognised before anything else, so that a "--" inside a
# string is not a comment and a quote inside a comment does not open a string.
# Redshift strings: '...' with '' or \' escapes. No capturing groups: they keep the regex
# engine from skipping ordinary characters quickly, so a match is told apart by its first
# character instead.
_LEXEME = (
    r"--[^\n]*|/\*.*?(?:\*/|\Z)"
    r"|'(?:[^'\\]|''|\\.)*(?:'|\Z)"
    r"|\"(?:[^\"]|\"\")*\""
)
_LEXEMES = re.compile(_LEXEME, re.S)
# The same lexemes with each body unrolled (a run of ordinary characters, then one escape or
# star, and so on), which the engine matches a third faster than an alternation per
# character; normalize() uses this one (the golden cases of tests/analysis/test_fingerprint.py
# hold it to the same output).
_LEXEMES_UNROLLED = re.compile(
    r"--[^\n]*|/\*[^*]*(?:\*+[^*/][^*]*)*(?:\*+/|\**\Z)"
    r"|'[^'\\]*(?:(?:''|\\.)[^'\\]*)*(?:'|\Z)"
    r"|\"[^\"]*(?:\"\"[^\"]*)*\"",
    re.S,
)
# Numbers that are not part of an identifier ("t1", "col_2", "$1"). The look-behind comes
# after the first digit so the engine can scan for digits quickly.
_NUMBER = (
    r"(?:[0-9](?<![\w$\".][0-9])[0-9]*(?:\.[0-9]*)?|\.(?<![\w.]\.)[0-9]+)"
    r"(?:[eE][-+]?[0-9]+)?(?![\w$])"
)
_NUMBERS = re.compile(_NUMBER)
# The same numbers in two passes, twice as fast as the alternation above: the rare ones that
# start with a point (".5") first, then those that start with a digit. Neither pass can
# create or hide a match of the other (a point number is never preceded by a word
# character, and "?" is not one).
_POINT_NUMBERS = re.compile(r"\.(?<![\w.]\.)[0-9]+(?:[eE][-+]?[0-9]+)?(?![\w$])")
_DIGIT_NUMBERS = re.compile(r"[0-9](?<![\w$\".][0-9])[0-9]*(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?(?![\w$])")
# ASCII text (nearly all SQL) finds them faster in a copy where every digit is "0": a pattern
# that starts with one literal character is scanned for by the engine's fast loop, a class
# ("[0-9]") is tested character by character. Every test of the pattern (digit, word
# character, the characters around) gives the same answer on the copy, so its matches are
# the same spans.
_ZEROS = bytes.maketrans(b"0123456789", b"0000000000")
_ZERO_NUMBERS = re.compile(rb"0(?<![\w$\".]0)0*(?:\.0*)?(?:[eE][-+]?0+)?(?![\w$])")
# Canonical spacing: one space around every operator and parenthesis (one str.replace per
# character present: a regex or str.translate that inserts the spaces is several times
# slower), operators of two characters joined again, no space inside parentheses or before
# commas, so "IN(1,2)" and "in ( 1, 2 )" come out the same.
_SPACED = tuple((c, f" {c} ") for c in "-+*/%=<>(),;!|:")
_OPERATORS = (("< >", "<>"), ("! =", "!="), ("< =", "<="), ("> =", ">="), ("| |", "||"),
              (": :", "::"))
_TIGHT = (("( ", "("), (" )", ")"), (" ,", ","))
# A sign in front of a placeholder is part of the literal: "x = -5" and "x = 5" are one shape.
_SIGN_WORDS = ("and", "or", "then", "else", "when", "between", "select", "by", "in", "is", "like",
               "return")


def _signed(sign: str) -> re.Pattern[str]:
    """`` - ?`` (or `` + ?``) after an operator, a parenthesis, a comma or one of the words
    above. The literal comes first and the context is a look-behind over it, so the engine
    scans for the four characters quickly; one pattern per sign for the same reason."""
    s = re.escape(sign)
    return re.compile(rf" {s} \?(?:(?<=[=<>(,] {s} \?)|"
                      + "|".join(rf"(?<=\b{word} {s} \?)" for word in _SIGN_WORDS) + ")")


_SIGNED_MINUS = _signed("-")
_SIGNED_PLUS = _signed("+")
# The text is space-normalized here, so a leading space stands for a word boundary.
_IN_LIST = re.compile(r" in \(\?(?:, \?)*\)")
_VALUE = r"(?:\?|null|true|false|default)"
_VALUES_LIST = re.compile(
    rf" values \({_VALUE}(?:, {_VALUE})*\)(?:, \({_VALUE}(?:, {_VALUE})*\))*"
)


@dataclass(frozen=True)
class Fingerprint:
    query_hash: str
    text: str


def _strip_lexeme(match: re.Match[str]) -> str:
    text = match.group()
    first = text[0]
    if first == "'":
        return " ? "
    if first == '"':
        return text
    return " "


def _digit_numbers(text: str) -> str:
    """``text`` with every number that starts with a digit replaced by ``?``."""
    if not text.isascii():
        return _DIGIT_NUMBERS.sub("?", text)
    zeros = text.encode().translate(_ZEROS)
    if b"0" not in zeros:
        return text
    parts = []
    last = 0
    for match in _ZERO_NUMBERS.finditer(zeros):
        start, end = match.span()
        parts.append(text[last:start])
        parts.append("?")
        last = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def normalize(sql: str) -> str:
    """The query's shape: comments and whitespace gone, lower case, literals as ``?``,
    IN and VALUES lists collapsed to one placeholder, canonical spacing."""
    text = _LEXEMES_UNROLLED.sub(_strip_lexeme, sql)
    if "." in text and _POINT_NUMBERS.search(text):
        text = _POINT_NUMBERS.sub("?", text)
    text = _digit_numbers(text).lower()
    present = []  # the operator characters of the text: the later steps look for no others
    for char, spaced in _SPACED:
        if char in text:
            text = text.replace(char, spaced)
            present.append(char)
    text = " ".join(text.split()).rstrip("; ")
    for spaced, joined in _OPERATORS:
        if spaced[0] in present and spaced in text:
            text = text.replace(spaced, joined)
    if "-" in present and " - ?" in text:
        text = _SIGNED_MINUS.sub(" ?", text)
    if "+" in present and " + ?" in text:
        text = _SIGNED_PLUS.sub(" ?", text)
    for spaced, joined in _TIGHT:
        if spaced.strip() in present:
            text = text.replace(spaced, joined)
    if " in (?" in text:
        text = _IN_LIST.sub(" in (?)", text)
    if " values (" in text:
        text = _VALUES_LIST.sub(" values (?)", text)
    return text


def fingerprint(sql: str) -> Fingerprint:
    """The fingerprint of one query: its normalized text and a 16-hex-digit hash of it."""
    text = normalize(sql)
    return Fingerprint(hashlib.sha256(text.encode()).hexdigest()[:16], text)


def _redact_lexemes(match: re.Match[str]) -> str:
    text = match.group()
    if text[0] == "-":
        # Comments are free text and may carry values too; keep the line structure only.
        return ""
    if text[0] == "/":
        return " "
    if text[0] == "'":
        return "'?'"
    return text


def redact_literals(sql: str) -> str:
    """The query with every string and number literal replaced (strings by ``'?'``,
    numbers by ``?``) and comments removed; keywords, names, case and layout kept."""
    return _NUMBERS.sub("?", _LEXEMES.sub(_redact_lexemes, sql))


__all__ = ["Fingerprint", "fingerprint", "normalize", "redact_literals"]
