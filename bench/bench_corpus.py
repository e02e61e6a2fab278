"""Corpus benchmark: the analyzer over the labelled corpus of public Redshift SQL
(tests/corpus: TPC-DS and TPC-H as AWS ships them, against AWS's table design at 3 TB, and
the catalog scripts of amazon-redshift-utils). Prints per code how many findings fired, how
many the labels expect, how many were wrong, and overall precision and recall, with the
statements left unanalysed and the analysis time per file. Prints figures; not a test
(tests/analysis/test_corpus.py holds the thresholds).

    .venv/bin/python bench/bench_corpus.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]

from redshift_optimizer.analysis import analyze  # noqa: E402
from tests.corpus import corpus  # noqa: E402


def main() -> int:
    timings: list[float] = []

    def timed(sql, snapshot=None):
        start = time.perf_counter()
        try:
            return analyze(sql, snapshot=snapshot)
        finally:
            timings.append((time.perf_counter() - start) * 1000)

    emitted, skipped = corpus.run(timed)
    labels = corpus.load_labels()
    score = corpus.score(emitted, labels)
    print(f"corpus: {len(corpus.entries())} files, {len(emitted)} findings, {len(labels)} labels")
    for title, unseen in (("the SQL the rules were tuned on", False), ("unseen/: SQL no rule was tuned on", True)):
        part = corpus.score(corpus.part(emitted, unseen), corpus.part(labels, unseen))
        codes = sorted(set(part.fired) | set(part.expected))
        print(f"-- {title}")
        print(f"{'code':<6}{'fired':>7}{'expected':>10}{'right':>7}{'wrong':>7}{'debatable':>11}")
        for code in codes:
            print(f"{code:<6}{part.fired[code]:>7}{part.expected[code]:>10}{part.right[code]:>7}"
                  f"{part.wrong[code]:>7}{part.debatable[code]:>11}")
        print(f"precision {part.precision:.3f} (target >= 0.95), recall {part.recall:.3f} (target >= 0.90)")
    print(f"overall: precision {score.precision:.3f}, recall {score.recall:.3f}")
    if score.unlabelled:
        print(f"{len(score.unlabelled)} finding(s) without a label, e.g. {score.unlabelled[0]}")
    for path, items in skipped.items():
        for item in items:
            print(f"not analysed: {path}:{item.line}:{item.col}: {item.reason}")
    print(f"analysis per file: median {statistics.median(timings):.1f} ms, "
          f"max {max(timings):.1f} ms over {len(timings)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
