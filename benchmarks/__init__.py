"""skhpo's benchmarks: every skhpo search against its peers, side by side.

Run ``python -m benchmarks.run --mode quick`` from the repository root; see
``benchmarks/README.md``. Importing this package needs only skhpo and
scikit-learn: the peers (``pip install -e ".[bench]"``) are imported when a
method that uses them runs.
"""
