"""The versions and the machine a benchmark ran on, for its report."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

__all__ = ["DISTRIBUTIONS", "machine", "revision", "versions"]

#: Distributions whose versions every result records.
DISTRIBUTIONS = (
    "skhpo",
    "scikit-learn",
    "numpy",
    "scipy",
    "joblib",
    "scikit-optimize",
    "optuna",
    "optuna-integration",
    "sklearn-genetic-opt",
    "deap",
    "pandas",
    "matplotlib",
    "hebo",
    "smac",
    "torch",
)


@cache
def versions() -> dict[str, str | None]:
    """Python's version and each of :data:`DISTRIBUTIONS`' (None when not installed)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict:
    """CPU model, logical CPUs (all and usable by this process), OS and Python build."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "nproc": usable,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
    }


def revision() -> str | None:
    """``git describe --always --dirty`` of the checkout being benchmarked (None if unknown).

    skhpo is installed editable from this checkout: the revision says which code ran.
    """
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None
