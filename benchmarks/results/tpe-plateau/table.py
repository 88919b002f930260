"""Mean normalized score per problem and paired differences against a reference method.

Usage (from this folder): ``python table.py REFERENCE_METHOD DIR [DIR ...]``; the
records of every ``DIR/results.jsonl`` are merged. ``TAG:DIR`` renames skhpo's
methods of that folder to ``method@TAG`` (to set two versions side by side).
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository
from benchmarks.metrics import add_normalized_scores


def load(arguments: list[str]) -> list[dict]:
    records = []
    for argument in arguments:
        tag, _, path = argument.rpartition(":")
        for line in open(f"{path}/results.jsonl"):
            record = json.loads(line)
            if tag and record["method"].startswith("skhpo"):
                record["method"] += "@" + tag
            records.append(record)
    return records


def main(reference: str, arguments: list[str]) -> None:
    records = load(arguments)
    add_normalized_scores(records, "sklearn-random")
    score = {
        (r["problem"], r["method"], r["seed"]): r.get("normalized")
        for r in records
        if r.get("status") == "ok"
    }
    methods = sorted({m for _, m, _ in score})
    problems = sorted({p for p, _, _ in score})

    def mean(method: str, problem: str | None = None) -> float:
        values = [v for (p, m, _), v in score.items() if m == method and problem in (None, p)]
        return float(np.nanmean(values))

    print("problem".ljust(24) + "".join(m[:18].rjust(19) for m in methods))
    for problem in problems:
        print(problem.ljust(24) + "".join(f"{mean(m, problem):19.1f}" for m in methods))
    print("mean".ljust(24) + "".join(f"{mean(m):19.1f}" for m in methods))
    for method in methods:
        if method == reference:
            continue
        paired = [
            v - score[p, reference, s]
            for (p, m, s), v in score.items()
            if m == method and (p, reference, s) in score
        ]
        d = np.asarray(paired, dtype=float)
        d = d[np.isfinite(d)]
        if len(d) > 1:
            half_width = 1.96 * d.std(ddof=1) / np.sqrt(len(d))
            print(f"{method} - {reference}: {d.mean():+.2f} +- {half_width:.2f} (n={len(d)})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
