"""Checkpoint files: every finished candidate of a search, safe against crashes.

The file is JSON lines, readable without skhpo:

* line 1, the header: ``{"skhpo_checkpoint": 1, "search": ..., "fingerprint": {...}}``
  where the fingerprint identifies the estimator, the search space, the
  options that shape the search, and (after the first batch) the data and CV
  splits;
* one line per candidate: ``{"batch": b, "row": [...], "params": {...},
  "splits": [{"test_scores": ..., "fit_time": ..., ...}, ...]}`` with ``row``
  the candidate's encoded unit-cube row (``null`` for inactive parameters),
  ``params`` its parameters (values that JSON cannot hold as their ``repr``),
  and ``splits`` scikit-learn's per-fold results (NaN as ``null``); a batch
  whose every fit failed has ``"failed": "<message>"`` instead of ``splits``.

After each batch the whole file is written to a temporary file next to it,
flushed to disk and renamed over the old one, so the file on disk is always
complete, whenever the process dies.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from typing import Any, NamedTuple

import joblib
import numpy as np
from sklearn.base import clone

__all__ = ["Checkpoint", "StoredBatch", "fingerprint"]

FORMAT_VERSION = 1
# Options that may change between a run and its resumption.
_RESUMABLE_OPTIONS = {"n_iter", "n_jobs", "verbose", "pre_dispatch", "max_time", "callbacks",
                      "checkpoint", "estimator", "param_distributions", "param_grid",
                      "warm_start_from"}  # fmt: skip


def fingerprint(search: Any, space: Any) -> dict[str, str]:
    """What a search resuming from a checkpoint must share with the one that wrote it.

    The data and CV splits are added once the splits are made (see ``check_data``).
    ``n_iter``, ``n_jobs``, ``verbose``, ``max_time`` and ``callbacks`` may change:
    a search can be resumed with a larger budget or more workers.
    """
    options = {
        k: v for k, v in search.get_params(deep=False).items() if k not in _RESUMABLE_OPTIONS
    }
    if not isinstance(options.get("refit"), str):
        # Only a metric name shapes the search (``objective`` does otherwise); the repr
        # of a callable holds its address, which differs in the resuming process.
        options.pop("refit", None)
    return {
        "estimator": joblib.hash(clone(search.estimator)),
        "space": joblib.hash(repr(space.columns)),
        "options": joblib.hash((type(search).__name__, repr(sorted(options.items())))),
    }


class StoredBatch(NamedTuple):
    """One batch read back from a checkpoint.

    Attributes
    ----------
    rows : ndarray of shape (n, n_columns)
        Canonical rows of the batch's candidates.
    splits : list of list of dict, or None
        Per candidate, scikit-learn's per-fold result dicts; None if every fit failed.
    failure : str or None
        The error message of a batch whose every fit failed.
    """

    rows: np.ndarray
    splits: list | None
    failure: str | None


class Checkpoint:
    """A checkpoint file for one search.

    Parameters
    ----------
    path : str or path-like
    search_name : str
        Class name of the search, stored for readers.
    fingerprint : dict of str
        What a resumed search must share with the one that wrote the file.
    """

    def __init__(self, path: Any, search_name: str, fingerprint: dict[str, str]) -> None:
        self.path = os.fspath(path)
        self.search_name = search_name
        self.fingerprint = dict(fingerprint)
        self.lines: list[str] = []

    # -- reading -----------------------------------------------------------------------------
    def load(self, n_columns: int) -> list[StoredBatch]:
        """The batches already in the file (none if there is no file).

        Raises ``ValueError``, leaving the file untouched, if it is not a
        checkpoint, is corrupted, or was written by a different search.
        """
        if not os.path.exists(self.path):
            return []
        try:
            with open(self.path, encoding="utf-8") as f:
                header = json.loads(f.readline())
                records = [json.loads(line) for line in f if line.strip()]
            stored = header["fingerprint"]
            version = header["skhpo_checkpoint"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(
                f"checkpoint {self.path!r} is not a readable skhpo checkpoint ({exc}); "
                "it was left untouched: move it away or pass another path."
            ) from None
        if version != FORMAT_VERSION:
            raise ValueError(f"checkpoint {self.path!r} has format {version}, not {FORMAT_VERSION}")
        differ = sorted(k for k in self.fingerprint if stored.get(k) != self.fingerprint[k])
        if differ:
            raise ValueError(
                f"checkpoint {self.path!r} was written by a search with a different "
                f"{', '.join(differ)}; it was left untouched: pass another path to start "
                "a new search, or restore the original settings to resume."
            )
        if stored.get("data") is not None:
            self.fingerprint["data"] = stored["data"]
        self.lines = [json.dumps(_encode(r), allow_nan=False) for r in records]
        return _batches(records, n_columns, self.path)

    def check_data(self, data_fingerprint: str) -> None:
        """Refuse to go on with other data or CV splits than the file's."""
        known = self.fingerprint.get("data")
        if known is not None and known != data_fingerprint:
            raise ValueError(
                f"checkpoint {self.path!r} was written for other data or other CV splits; "
                "it was left untouched: pass the same X, y, groups and cv to resume, or "
                "another path to start a new search."
            )
        self.fingerprint["data"] = data_fingerprint

    # -- writing -----------------------------------------------------------------------------
    def add_batch(
        self, batch: int, rows: np.ndarray, params: list[dict], splits: list | None,
        failure: str | None,
    ) -> None:  # fmt: skip
        """Record a finished batch and rewrite the file atomically."""
        for i, (row, candidate) in enumerate(zip(rows, params)):
            record: dict[str, Any] = {
                "batch": batch,
                "row": row.tolist(),
                "params": {k: _json_value(v) for k, v in candidate.items()},
            }
            if failure is not None:
                record["failed"] = failure
            else:
                record["splits"] = splits[i]
            self.lines.append(json.dumps(_encode(record), allow_nan=False))
        self._write()

    def _write(self) -> None:
        header = {
            "skhpo_checkpoint": FORMAT_VERSION,
            "search": self.search_name,
            "fingerprint": self.fingerprint,
        }
        directory = os.path.dirname(os.path.abspath(self.path))
        fd, tmp = tempfile.mkstemp(prefix=".skhpo-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(header) + "\n")
                f.writelines(line + "\n" for line in self.lines)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise


def _batches(records: list[dict], n_columns: int, path: str) -> list[StoredBatch]:
    """Group records by batch, in file order."""
    batches: list[StoredBatch] = []
    current: int | None = None
    rows: list = []
    splits: list = []
    failure: str | None = None
    for record in [*records, None]:
        if record is None or record["batch"] != current:
            if rows:
                batches.append(
                    StoredBatch(np.array(rows, dtype=float), None if failure else splits, failure)
                )
            if record is None:
                break
            current, rows, splits, failure = record["batch"], [], [], None
        row = [np.nan if v is None else v for v in record["row"]]
        if len(row) != n_columns:
            raise ValueError(f"checkpoint {path!r}: a row has {len(row)} columns, not {n_columns}")
        rows.append(row)
        failure = record.get("failed")
        splits.append([_decode_split(s) for s in record.get("splits", [])])
    return batches


def _decode_split(split: dict) -> dict:
    def number(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: number(x) for k, x in v.items()}
        return np.nan if v is None else v

    return {
        k: (v if k == "fit_error" else number(v)) for k, v in split.items()
    }  # fmt: skip


def _encode(value: Any) -> Any:
    """JSON-ready: NaN as null, numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_value(value: Any) -> Any:
    """A parameter value as JSON holds it, or its repr."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)
