"""Checkpoint files: every finished candidate of a search, safe against crashes.

The file is JSON lines, readable without skhpo:

* line 1, the header: ``{"skhpo_checkpoint": 1, "search": ..., "fingerprint": {...},
  "described": {...}}`` where the fingerprint identifies the estimator, the
  search space, each option that shapes the search (one hash per option), and
  (after the first batch) the data and CV splits; ``described`` holds the
  ``repr`` of the estimator and of each option, to say which one differs when
  a file is refused;
* one line per candidate: ``{"batch": b, "row": [...], "params": {...},
  "splits": [{"test_scores": ..., "fit_time": ..., ...}, ...]}`` with ``row``
  the candidate's encoded unit-cube row (``null`` for inactive parameters),
  ``params`` its parameters (values that JSON cannot hold as their ``repr``),
  and ``splits`` scikit-learn's per-fold results (NaN as ``null``); a candidate
  of a batch whose every fit failed has ``"failed": "<message>"`` instead of
  ``splits``.

After each batch the whole file is written to a temporary file next to it,
flushed to disk and renamed over the old one, so the file on disk is always
complete, whenever the process dies. While a search uses the file it holds a
lock file next to it (``<file>.lock``, with its process id and host), so that
two searches never write one checkpoint.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import re
import secrets
import socket
import stat
import warnings
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any, NamedTuple

import joblib
import numpy as np
from sklearn.base import clone

__all__ = [
    "Checkpoint", "CheckpointReplay", "StoredBatch", "describe", "fingerprint",
    "legacy_options_hash",
]  # fmt: skip

FORMAT_VERSION = 1
#: The rules that give each row of a halving search its rung (see ``_halving.Rungs``).
HALVING_RULES = (
    "entry at the top once a rung misleads or a hedged candidate wins; hedge: once the "
    "top is reached, a batch's first new candidate at the top while under 0.3 of the resource"
)
# Options that may change between a run and its resumption (``selection`` only
# chooses among the finished candidates).
_RESUMABLE_OPTIONS = {"n_iter", "n_jobs", "verbose", "pre_dispatch", "max_time", "callbacks",
                      "checkpoint", "estimator", "param_distributions", "param_grid",
                      "warm_start_from", "selection"}  # fmt: skip
_REPR_LENGTH = 120


def fingerprint(search: Any, space: Any) -> dict[str, Any]:
    """What a search resuming from a checkpoint must share with the one that wrote it.

    The data and CV splits are added once the splits are made (see ``check_data``).
    ``n_iter``, ``n_jobs``, ``verbose``, ``max_time`` and ``callbacks`` may change:
    a search can be resumed with a larger budget or more workers.
    """
    return {
        "estimator": joblib.hash(clone(search.estimator)),
        "space": joblib.hash(repr(space.columns)),
        "options": {name: _hash(value) for name, value in _options(search).items()},
    }


def describe(search: Any) -> dict[str, Any]:
    """Readable forms of what the fingerprint hashes, to name what differs."""
    return {
        "estimator": _short_repr(search.estimator),
        "options": {name: _short_repr(value) for name, value in _options(search).items()},
    }


def _options(search: Any) -> dict[str, Any]:
    options = {
        k: v for k, v in search.get_params(deep=False).items() if k not in _RESUMABLE_OPTIONS
    }
    if isinstance(options.get("random_state"), np.random.RandomState):
        # A RandomState instance cannot be written down; a fresh one with the same
        # seed replays exactly, any other is caught by the replay (with a warning).
        options["random_state"] = "a RandomState instance"
    if options.get("resource") is None:
        # Without halving its options are unused (and refused unless at their defaults):
        # a search without them keeps the fingerprint of files written before they existed.
        for name in ("resource", "min_resources", "max_resources", "factor"):
            options.pop(name, None)
    else:
        # The rung of a row is derived from the rows before it by these rules: a file
        # written under others (before the guard or the hedge of skhpo._halving) cannot
        # be replayed.
        options["halving_rules"] = HALVING_RULES
    if options.get("racing") is False:
        # Likewise racing: a search without it resumes files written before it existed.
        options.pop("racing", None)
    if not isinstance(options.get("refit"), str):
        # Only a metric name shapes the search (``objective`` does otherwise); the repr
        # of a callable holds its address, which differs in the resuming process.
        options.pop("refit", None)
    return options


def _hash(value: Any) -> str:
    try:
        return joblib.hash(value)  # functions by reference: stable across processes
    except (pickle.PicklingError, TypeError, AttributeError):
        # Unpicklable (a lambda...): its repr without memory addresses.
        return joblib.hash(_short_repr(value, limit=None))


def _short_repr(value: Any, limit: int | None = _REPR_LENGTH) -> str:
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def legacy_options_hash(search: Any) -> str:
    """The options hash of files written before per-option hashes (read, never written)."""
    options = {
        k: v for k, v in search.get_params(deep=False).items() if k not in _RESUMABLE_OPTIONS
    }
    return joblib.hash((type(search).__name__, repr(sorted(options.items()))))


class StoredBatch(NamedTuple):
    """One batch read back from a checkpoint.

    Attributes
    ----------
    rows : ndarray of shape (n, n_columns)
        Canonical rows of the batch's candidates.
    splits : list of (list of dict or None)
        Per candidate, scikit-learn's per-fold result dicts; None for a candidate
        of a call whose every fit failed.
    failures : list of (str or None)
        Per candidate, the error message of a call whose every fit failed, else None.
    """

    rows: np.ndarray
    splits: list
    failures: list

    def head(self, n: int) -> StoredBatch:
        """The first ``n`` candidates of the batch."""
        return StoredBatch(self.rows[:n], self.splits[:n], self.failures[:n])

    def parts(self) -> list[tuple[int, int, Any]]:
        """``(start, stop, outcome)`` of each run of candidates evaluated alike:
        ``outcome`` is the failure message, or the list of per-candidate splits."""
        out, start = [], 0
        for i in range(1, len(self.rows) + 1):
            if i == len(self.rows) or self.failures[i] != self.failures[start]:
                failure = self.failures[start]
                out.append((start, i, failure if failure is not None else self.splits[start:i]))
                start = i
        return out


class Checkpoint:
    """A checkpoint file for one search.

    Parameters
    ----------
    path : str or path-like
    search_name : str
        Class name of the search, stored for readers.
    fingerprint : dict
        What a resumed search must share with the one that wrote the file.
    described : dict or None
        Readable forms of the fingerprint's parts (see ``describe``).
    legacy_options : str or None
        The options hash files of the first release hold.
    """

    def __init__(
        self, path: Any, search_name: str, fingerprint: dict, described: dict | None = None,
        legacy_options: str | None = None,
    ) -> None:  # fmt: skip
        self.path = _check_path(path)
        self.lock_path = os.path.abspath(self.path) + ".lock"
        self.search_name = search_name
        self.fingerprint = dict(fingerprint)
        self.described = described or {}
        self.legacy_options = legacy_options
        self.lines: list[str] = []
        self.locked = False

    # -- the lock ------------------------------------------------------------------------------
    def open(self, n_columns: int) -> list[StoredBatch]:
        """Take the file's lock and read it (see ``load``); the lock is released on error."""
        self.acquire()
        try:
            return self.load(n_columns)
        except BaseException:
            self.release()
            raise

    def acquire(self) -> None:
        """Create ``<file>.lock``, or refuse if another running search holds it."""
        owner = {"pid": os.getpid(), "host": socket.gethostname()}
        for _ in range(3):
            try:
                fd = os.open(self.lock_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                holder = _read_lock(self.lock_path)
                if holder is not None and _is_stale(holder, owner["host"]):
                    _remove(self.lock_path)  # its process is gone: a crash or a kill
                    continue
                who = "an unknown process" if holder is None else (
                    f"process {holder.get('pid')} on host {holder.get('host')!r}"
                )  # fmt: skip
                raise ValueError(
                    f"checkpoint {self.path!r} is in use by another search ({who}): two "
                    "searches cannot share one checkpoint file. Pass another path, or wait "
                    f"for that search to end; if no search uses it, delete {self.lock_path!r}."
                ) from None
            except OSError as exc:
                raise ValueError(
                    f"checkpoint {self.path!r} cannot be written ({exc.strerror}: could not "
                    f"create {self.lock_path!r})."
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(owner))
            self.locked = True
            return
        raise ValueError(f"checkpoint {self.path!r}: could not take its lock {self.lock_path!r}.")

    def release(self) -> None:
        """Remove the lock file, if this search holds it."""
        if self.locked:
            self.locked = False
            _remove(self.lock_path)

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
            _check_header(header)
            batches = _batches(records, n_columns)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise ValueError(
                f"checkpoint {self.path!r} is not a readable skhpo checkpoint ({exc}); "
                "it was left untouched: move it away or pass another path."
            ) from None
        stored = header["fingerprint"]
        differences = self._differences(header)
        if differences:
            raise ValueError(
                f"checkpoint {self.path!r} was written by a different search: "
                f"{'; '.join(differences)}. It was left untouched: pass another path to "
                "start a new search, or restore the original settings to resume."
            )
        for known in ("data", "rungs"):
            if stored.get(known) is not None:
                self.fingerprint[known] = stored[known]
        self.lines = [json.dumps(_encode(r), allow_nan=False) for r in records]
        return batches

    def _differences(self, header: dict) -> list[str]:
        """What differs between the file's search and this one, in words."""
        stored, mine = header["fingerprint"], self.fingerprint
        described = header.get("described") if isinstance(header.get("described"), dict) else {}
        out = []
        if header.get("search", self.search_name) != self.search_name:
            out.append(f"it was written by {header['search']}, this is a {self.search_name}")
        if stored.get("estimator") != mine["estimator"]:
            theirs = described.get("estimator", "another estimator")
            out.append(f"different estimator (file: {theirs}, this search: "
                       f"{self.described.get('estimator')})")  # fmt: skip
        if stored.get("space") != mine["space"]:
            out.append("different space (param_distributions)")
        options = stored.get("options")
        if isinstance(options, dict):
            reprs = described.get("options", {})
            for name in sorted(set(options) | set(mine["options"])):
                if options.get(name) != mine["options"].get(name):
                    theirs = reprs.get(name, "another value") if name in options else "no value"
                    ours = self.described.get("options", {}).get(name, "no value")
                    out.append(f"different options: option {name}: file has {theirs}, "
                               f"this search has {ours}")  # fmt: skip
        elif options != self.legacy_options:
            out.append("different options (the file predates per-option records, so which "
                       "one cannot be told)")  # fmt: skip
        return out

    def check_data(self, data_fingerprint: str) -> None:
        """Refuse to go on with other data or CV splits than the file's."""
        known = self.fingerprint.get("data")
        if known is not None and known != data_fingerprint:
            raise ValueError(
                f"checkpoint {self.path!r} was written for other data or other CV splits: "
                "the data (X, y, groups) or the CV splits differ; it was left untouched: "
                "pass the same X, y, groups and cv to resume, or another path to start a "
                "new search."
            )
        self.fingerprint["data"] = data_fingerprint

    def check_rungs(self, n_resources: Sequence[int], min_resources: Any) -> None:
        """Refuse to go on with other halving rungs than the file's.

        A checkpoint does not store each row's resource: it follows from the rows
        before it on the ladder, so the same rows on another ladder would be
        relabelled. ``min_resources="exhaust"`` makes the ladder depend on ``n_iter``,
        which otherwise may change between runs.
        """
        rungs = [int(n) for n in n_resources]
        known = self.fingerprint.get("rungs")
        if known is not None and known != rungs:
            hint = (
                " (min_resources='exhaust' sets the lowest rung from n_iter, so this "
                "n_iter gives other rungs: resume with an n_iter that gives the file's "
                "rungs; to extend halving searches, set min_resources to a number from the start)"
                if min_resources == "exhaust"
                else ""
            )
            raise ValueError(
                f"checkpoint {self.path!r} was written for other halving rungs: the file "
                f"has n_resources {known}, this search has {rungs}{hint}. It was left "
                "untouched: restore the original settings to resume, or pass another path."
            )
        self.fingerprint["rungs"] = rungs

    def check_split(self, X: Any, y: Any, splits: list) -> None:
        """``check_data`` of the data and of the test folds the search scores on."""
        self.check_data(joblib.hash((X, y, [np.asarray(test) for _, test in splits])))

    # -- writing -----------------------------------------------------------------------------
    def add_batch(
        self, batch: int, rows: np.ndarray, params: list[dict], splits: list | None,
        failure: str | list | None,
    ) -> None:  # fmt: skip
        """Record a finished batch and rewrite the file atomically (``failure``: the
        error of a batch whose every fit failed, or one error or None per candidate)."""
        for i, (row, candidate) in enumerate(zip(rows, params)):
            record: dict[str, Any] = {
                "batch": batch,
                "row": row.tolist(),
                "params": {k: _json_value(v) for k, v in candidate.items()},
            }
            failed = failure[i] if isinstance(failure, list) else failure
            if failed is not None:
                record["failed"] = failed
            else:
                record["splits"] = splits[i]
            self.lines.append(json.dumps(_encode(record), allow_nan=False))
        self._write()

    def _write(self) -> None:
        header = {
            "skhpo_checkpoint": FORMAT_VERSION,
            "search": self.search_name,
            "fingerprint": self.fingerprint,
            "described": self.described,
        }
        directory, name = os.path.split(os.path.abspath(self.path))
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        # A new file gets the mode any new file gets (0o666 less the umask); an
        # existing one keeps its own.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            if os.path.exists(self.path):
                os.chmod(tmp, stat.S_IMODE(os.stat(self.path).st_mode))
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(header) + "\n")
                f.writelines(line + "\n" for line in self.lines)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            _remove(tmp)
            raise


class CheckpointReplay:
    """Restores a checkpoint's candidates without fitting them.

    The strategy is asked for each batch exactly as in the run that wrote the
    file and told the stored scores, so a seeded search goes on proposing what
    an uninterrupted one would have. Of a file holding more than ``n_iter``
    candidates, the first ``n_iter`` are restored (what a search with that
    ``n_iter`` evaluates).

    Parameters
    ----------
    path : str or None
        The checkpoint's path (for messages); None without a checkpoint.
    stored : list of StoredBatch
        The batches the file holds (empty without a checkpoint).
    space : SearchSpace
    n_iter : int
    """

    def __init__(self, path: str | None, stored: list[StoredBatch], space: Any, n_iter: int):
        self.path = path
        self.stored = stored
        self.space = space
        self.n_iter = n_iter
        self.n_restored = 0

    def run(
        self, ask: Callable[[], tuple[np.ndarray, list[dict]]],
        restore: Callable[[np.ndarray, list[dict], StoredBatch], bool],
    ) -> tuple[bool, tuple | None]:  # fmt: skip
        """Restore the stored batches through ``restore(X, params, batch)``.

        ``ask()`` gives the next whole batch the search proposes; ``restore``
        records a stored batch and returns whether to stop. Returns whether to
        stop, and the batch the file holds only the start of (its run reached
        its ``n_iter`` there) as ``(X, params, stored start)``, to be completed
        before the strategy is told.
        """
        stop, pending = self._replay(ask, restore)
        self._warn_resumed(pending)
        return stop, pending

    def _replay(self, ask: Callable, restore: Callable) -> tuple[bool, tuple | None]:
        def restored(X: np.ndarray, params: list[dict], batch: StoredBatch) -> bool:
            self.n_restored += len(params)
            return restore(X, params, batch)

        for i, batch in enumerate(self.stored):
            room = self.n_iter - self.n_restored
            if room <= 0:
                return True, None
            X, params = ask()
            n = len(batch.rows)
            if n > len(X) or self.space.keys(X[:n]) != self.space.keys(batch.rows):
                warnings.warn(
                    f"checkpoint {self.path!r}: this search proposes other candidates than "
                    "the one that wrote it (random_state not an int?); its candidates are "
                    "kept and told to the strategy, and the search goes on from there.",
                    UserWarning,
                )
                for rest in self.stored[i:]:
                    rest = rest.head(self.n_iter - self.n_restored)
                    if len(rest.rows):
                        restored(rest.rows, self.space.decode(rest.rows), rest)
                return False, None
            if n < min(len(X), room) and i == len(self.stored) - 1:
                return False, (X[:room], params[:room], batch)
            if restored(X[: min(n, room)], params[: min(n, room)], batch.head(room)):
                return True, None
        return False, None

    def _warn_resumed(self, pending: tuple | None) -> None:
        if not self.stored:
            return
        n = self.n_restored + (0 if pending is None else len(pending[2].rows))
        held = sum(len(batch.rows) for batch in self.stored)
        more = f" (the first {n} of the {held} it holds: n_iter={self.n_iter})" if held > n else ""
        warnings.warn(
            f"Resumed {n} candidates from checkpoint {self.path!r}{more}: they are not "
            "fitted again.",
            UserWarning,
        )


def _check_path(path: Any) -> str:
    """The path as a string, or a ``ValueError`` before any fit if no file can be there."""
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path.strip():
        raise ValueError(f"checkpoint must be the path of a file, got {path!r}.")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ValueError(
            f"checkpoint {path!r}: the directory {directory!r} does not exist; create it first."
        )
    if os.path.isdir(path):
        raise ValueError(f"checkpoint {path!r} is a directory, not a file.")
    return path


def _read_lock(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as f:
            holder = json.load(f)
    except (OSError, ValueError):
        return None  # being written this very moment, or not ours
    return holder if isinstance(holder, dict) else None


def _is_stale(holder: dict, host: str) -> bool:
    """Whether a lock's process is known to be gone (only knowable on this host)."""
    pid = holder.get("pid")
    if holder.get("host") != host or not isinstance(pid, int) or pid <= 0:
        return False
    return not _process_alive(pid)


def _process_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate the process there
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by another user
    return True


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _check_header(header: Any) -> None:
    if not isinstance(header, dict):
        raise ValueError("its first line is not a header object")
    version = header.get("skhpo_checkpoint")
    if version != FORMAT_VERSION:
        raise ValueError(f"format {version!r}, not {FORMAT_VERSION}")
    stored = header.get("fingerprint")
    if not isinstance(stored, dict):
        raise ValueError("the header has no fingerprint object")
    for key in ("estimator", "space", "data"):
        if stored.get(key) is not None and not isinstance(stored[key], str):
            raise ValueError(f"the fingerprint's {key!r} is not a string")
    rungs = stored.get("rungs")
    if rungs is not None and not (
        isinstance(rungs, list) and all(type(n) is int for n in rungs)
    ):  # fmt: skip
        raise ValueError("the fingerprint's 'rungs' is not a list of integers")
    options = stored.get("options")
    if not (isinstance(options, str) or (
        isinstance(options, dict) and all(isinstance(v, str) for v in options.values())
    )):  # fmt: skip
        raise ValueError("the fingerprint's 'options' is neither a hash nor a dict of hashes")


def _batches(records: list, n_columns: int) -> list[StoredBatch]:
    """Group records by batch, in file order (a ``ValueError`` says what is damaged)."""
    batches: list[StoredBatch] = []
    current: Any = None
    for line, record in enumerate(records, start=2):
        row, splits, failure = _read_record(record, n_columns, line)
        if not batches or record["batch"] != current:
            current = record["batch"]
            batches.append(StoredBatch([], [], []))
        batches[-1].rows.append(row)
        batches[-1].splits.append(splits)
        batches[-1].failures.append(failure)
    return [StoredBatch(np.array(b.rows, dtype=float), b.splits, b.failures) for b in batches]


def _read_record(record: Any, n_columns: int, line: int) -> tuple[list, list | None, str | None]:
    if not isinstance(record, dict):
        raise ValueError(f"line {line} is not an object")
    if not isinstance(record.get("batch"), int) or isinstance(record["batch"], bool):
        raise ValueError(f"line {line} has no integer 'batch'")
    row = record.get("row")
    if not isinstance(row, list) or not all(
        v is None or (isinstance(v, Real) and not isinstance(v, bool)) for v in row
    ):
        raise ValueError(f"line {line} has no 'row' list of numbers")
    if len(row) != n_columns:
        raise ValueError(f"line {line}: its row has {len(row)} columns, not {n_columns}")
    row = [np.nan if v is None else float(v) for v in row]
    if "failed" in record:
        if not isinstance(record["failed"], str):
            raise ValueError(f"line {line}: 'failed' is not a message")
        return row, None, record["failed"]
    splits = record.get("splits")
    if not isinstance(splits, list) or not splits or not all(
        isinstance(s, dict) and _is_score(s.get("test_scores")) for s in splits
    ):  # fmt: skip
        raise ValueError(f"line {line} has no 'splits' list of results with test_scores")
    return row, [_decode_split(s) for s in splits], None


def _is_score(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_score(v) for v in value.values()) and bool(value)
    return value is None or (isinstance(value, Real) and not isinstance(value, bool))


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
