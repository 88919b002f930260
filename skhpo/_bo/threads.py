"""One BLAS thread while a surrogate is fitted and queried."""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache

from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread"]


@cache
def _controller() -> ThreadpoolController:
    # Built once: building a controller scans the libraries the process has
    # loaded (about 1 ms, more with scikit-learn's), which per proposal was
    # several percent of a proposal's cost.
    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager:
    """A context manager limiting BLAS to one thread.

    The surrogate's matrices are small (at most a few hundred rows), where
    BLAS threads only contend with each other and with the fits running
    alongside.
    """
    return _controller().limit(limits=1, user_api="blas")
