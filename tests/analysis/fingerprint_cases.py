"""The fingerprint golden file: queries and the normalized text every version must give them.

The metadata refresh stores each query's hash, and the history and finding tracking key on it,
so a change to ``normalize`` that alters one output splits a query's history in two. The cases
in ``fingerprint_golden.jsonl`` were produced by the normalization as it was when they were
recorded; ``test_fingerprint.py`` holds every later version to them.

Two kinds of case:
- every real SQL file of the repository (the labelled corpus, the TPC-H fixtures, the demo
  workload, the product's own statements), recorded by path, the hash of its text and the hash
  of its fingerprint;
- small queries assembled from fragments that reach each branch of the scanner (comments and
  strings inside each other, escapes, unterminated lexemes, quoted identifiers, digits in
  names, signed and point numbers, exponents, operators written with inner spaces, IN and
  VALUES lists, non-ASCII text), recorded with their normalized text.

    .venv/bin/python -m tests.analysis.fingerprint_cases

adds the cases that are missing and records again the files whose text changed. It never
touches a recorded case whose input is the same: run it to add cases, not to accept a change
of the normalization.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("fingerprint_golden.jsonl")
SOURCES = ("tests/corpus", "tests/fixtures/tpch", "local/demo/workload", "include/sql")

FRAGMENTS = (
    "select", "SELECT", "a", "t1.col_2", "x", "\"Quoted Col\"", "\"it's\"", "\"a--b\"", "\"a/*b\"",
    "\"say \"\"hi\"\"\"", "$1", "from", "t", "where", "and", "or", "=", "<>", "< >", "!=", "! =",
    "<=", "< =", ">=", "> =", "||", "| |", "::", ": :", "-", "+", "*", "/", "%", "(", ")", ",", ";",
    "'one'", "'it''s'", "'--not a comment'", "'/* nor this */'", "'back\\'slash'", "''", "''''",
    "'unterminated", "\"unterminated", "-- comment 'quote'\n", "-- comment \"dq\"\n", "--end",
    "/* block 'q' */", "/* multi\nline */", "/*/ tricky */", "/* unterminated", "/**/", "*/",
    "1", "42", "10.5", ".5", "1e3", "2E-7", "1.", "-3", "+ 2", "- 5", "0x1F", "1_000", "t2",
    "col9", "9col", "a.1", "in (1, 2, 3)", "IN(4,5)", "in ('a', 'b')", "not in (1)",
    "values (1, 'a'), (2, NULL)", "VALUES (DEFAULT, true)", "between", "then", "else", "when",
    "case", "end", "by", "is", "like", "null", "limit", "\n", "\t", "  ", "\u00a0", "caf\u00e9",
    "\u00c9T\u00c9", "\u212a", "::date", "interval '1 day'", "date '1995-01-01'", "e", "E",
)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def real_files() -> list[Path]:
    return [path for folder in SOURCES for path in sorted((ROOT / folder).rglob("*.sql"))]


def assembled(count: int, seed: int = 20261201) -> list[str]:
    rng = random.Random(seed)
    joiners = ("", " ", " ", "\n")
    return ["".join(rng.choice(FRAGMENTS) + rng.choice(joiners) for _ in range(rng.randint(1, 14)))
            for _ in range(count)]


def cases() -> list[dict[str, str]]:
    if not GOLDEN.exists():
        return []
    return [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]


def main() -> None:
    from redshift_optimizer.fingerprint import normalize

    recorded = cases()
    texts = {case["sql"] for case in recorded if "sql" in case}
    files = {case["path"]: case for case in recorded if "path" in case}
    changed = added = 0
    for path in real_files():
        name = path.relative_to(ROOT).as_posix()
        sql = path.read_text(encoding="utf-8")
        case = {"path": name, "sql_hash": digest(sql), "hash": digest(normalize(sql))}
        if name not in files:
            added += 1
        elif files[name]["sql_hash"] != case["sql_hash"]:
            changed += 1
        else:
            continue
        files[name] = case
    for sql in assembled(3000):
        if sql not in texts:
            texts.add(sql)
            recorded.append({"sql": sql, "text": normalize(sql)})
            added += 1
    lines = [json.dumps(case, ensure_ascii=False) for case in recorded if "sql" in case]
    lines += [json.dumps(files[name]) for name in sorted(files)]
    GOLDEN.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{added} case(s) added, {changed} file(s) recorded again; {len(lines)} in "
          f"{GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT / "plugins"))
    main()
