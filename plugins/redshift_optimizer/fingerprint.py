"""Query fingerprints: normalized text and a stable hash, identical for queries that differ
only in literals. A regex fast path; no parse tree needed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_STRINGS = re.compile(r"'(?:[^']|'')*'")
_NUMBERS = re.compile(r"(?<![\w.$])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?\b", re.I)
_IN_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Fingerprint:
    query_hash: str
    text: str


def normalize(sql: str) -> str:
    """Comments, whitespace, case and literals removed; IN lists collapsed to one placeholder."""
    text = _COMMENTS.sub(" ", sql)
    text = _STRINGS.sub("?", text)
    text = _NUMBERS.sub("?", text)
    text = _SPACE.sub(" ", text).strip().rstrip(";").strip().lower()
    return _IN_LIST.sub("(?)", text)


def fingerprint(sql: str) -> Fingerprint:
    """The fingerprint of one query."""
    text = normalize(sql)
    return Fingerprint(hashlib.sha256(text.encode()).hexdigest()[:16], text)
